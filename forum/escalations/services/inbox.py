"""The seniors' inbox: escalations by state, filtered by urgency, department, age and assignee."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import selectinload

from forum.accounts.models import Role, User
from forum.accounts.permissions import require_role
from forum.core.db import utcnow
from forum.core.errors import Invalid
from forum.core.pagination import Page
from forum.escalations.models import Escalation, EscalationEvent, EscalationState, Urgency
from forum.extensions import db

PER_PAGE = 25

# Age filter values: escalations older than this.
AGES = {
    "1h": dt.timedelta(hours=1),
    "4h": dt.timedelta(hours=4),
    "24h": dt.timedelta(hours=24),
    "7d": dt.timedelta(days=7),
}
AGE_LABELS = {
    "1h": "Older than 1 hour",
    "4h": "Older than 4 hours",
    "24h": "Older than a day",
    "7d": "Older than a week",
}


@dataclasses.dataclass
class InboxFilter:
    """What the inbox shows; every field optional except the state tab."""

    state: EscalationState = EscalationState.OPEN
    urgency: Urgency | None = None
    department_id: int | None = None
    age: str | None = None
    assigned_to_id: int | None = None


def _query(filters: InboxFilter, now: dt.datetime) -> Select[Escalation]:
    query = select(Escalation).where(Escalation.state == filters.state)
    if filters.urgency is not None:
        query = query.where(Escalation.urgency == filters.urgency)
    if filters.department_id is not None:
        query = query.where(Escalation.department_id == filters.department_id)
    if filters.age:
        if filters.age not in AGES:
            raise Invalid(fields={"age": "Choose 1h, 4h, 24h or 7d."})
        query = query.where(Escalation.created_at <= now - AGES[filters.age])
    if filters.assigned_to_id is not None:
        query = query.where(Escalation.assigned_to_id == filters.assigned_to_id)
    return query


def list_escalations(
    user: User,
    filters: InboxFilter,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    now: dt.datetime | None = None,
    with_events: bool = False,
) -> Page[Escalation]:
    """Escalations in one state for seniors and admins: open ones most urgent and oldest first,
    the others most recent first. Raises NotPermitted for everyone else."""
    require_role(user, Role.SENIOR)
    now = now or utcnow()
    query = _query(filters, now)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if filters.state == EscalationState.OPEN:
        # Most urgent first, then the longest waiting.
        urgency_order = case(
            {"crisis": 0, "urgent": 1, "routine": 2}, value=Escalation.urgency, else_=3
        )
        order = [urgency_order, Escalation.created_at.asc(), Escalation.id.asc()]
    elif filters.state == EscalationState.ACKNOWLEDGED:
        order = [Escalation.acknowledged_at.desc(), Escalation.id.desc()]
    else:
        order = [Escalation.resolved_at.desc(), Escalation.id.desc()]
    options = [
        selectinload(Escalation.thread),
        selectinload(Escalation.department),
        selectinload(Escalation.profile),
        selectinload(Escalation.created_by),
        selectinload(Escalation.assigned_to),
    ]
    if with_events:
        options.append(selectinload(Escalation.events).selectinload(EscalationEvent.actor))
    items = list(
        db.session.scalars(
            query.order_by(*order).limit(per_page).offset((page - 1) * per_page).options(*options)
        )
    )
    return Page(items=items, page=page, per_page=per_page, total=total)


def counts(user: User) -> dict[str, int]:
    """How many escalations are in each state (the inbox tabs)."""
    require_role(user, Role.SENIOR)
    rows = db.session.execute(
        select(Escalation.state, func.count()).group_by(Escalation.state)
    ).all()
    result = {state.value: 0 for state in EscalationState}
    result.update({str(state): int(n) for state, n in rows})
    return result


def escalations_for_profile(profile_id: int, *, limit: int = 20) -> list[Escalation]:
    """The most recent escalations that name a registered profile (for its registry page)."""
    return list(
        db.session.scalars(
            select(Escalation)
            .where(Escalation.profile_id == profile_id)
            .order_by(Escalation.created_at.desc(), Escalation.id.desc())
            .limit(limit)
            .options(selectinload(Escalation.thread))
        )
    )
