"""Opening a hand-over when someone leaves or moves, finding it, and closing it."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from forum.accounts.models import AuditAction, Department, Role, User
from forum.accounts.permissions import require_role
from forum.accounts.services import audit
from forum.core.db import utcnow
from forum.core.errors import Conflict, NotFound
from forum.extensions import db
from forum.handover.models import Handover, HandoverReason, HandoverState, handover_departments
from forum.handover.services.items import held_items

logger = logging.getLogger(__name__)


def _loaded() -> Any:
    return (
        selectinload(Handover.user).selectinload(User.department),
        selectinload(Handover.departments),
        selectinload(Handover.opened_by),
        selectinload(Handover.closed_by),
    )


def open_handover_for(user_id: int) -> Handover | None:
    """The person's open hand-over, if any."""
    return db.session.scalar(
        select(Handover)
        .where(Handover.user_id == user_id, Handover.state == HandoverState.OPEN)
        .options(*_loaded())
    )


def latest_handover_for(user_id: int) -> Handover | None:
    """The person's open hand-over, else their most recently closed one, else None."""
    return open_handover_for(user_id) or db.session.scalar(
        select(Handover)
        .where(Handover.user_id == user_id)
        .order_by(Handover.opened_at.desc(), Handover.id.desc())
        .limit(1)
        .options(*_loaded())
    )


def get_handover(handover_id: int) -> Handover:
    handover = db.session.scalar(
        select(Handover).where(Handover.id == handover_id).options(*_loaded())
    )
    if handover is None:
        raise NotFound("There is no such hand-over.")
    return handover


def list_open() -> list[Handover]:
    """Every open hand-over, oldest first."""
    return list(
        db.session.scalars(
            select(Handover)
            .where(Handover.state == HandoverState.OPEN)
            .order_by(Handover.opened_at, Handover.id)
            .options(*_loaded())
        )
    )


def open_count(department: Department | None = None) -> int:
    """How many hand-overs are open (for a department: of its people, or of what they left
    behind there)."""
    query = select(func.count(Handover.id)).where(Handover.state == HandoverState.OPEN)
    if department is not None:
        left_here = select(handover_departments.c.handover_id).where(
            handover_departments.c.department_id == department.id
        )
        members = select(User.id).where(User.department_id == department.id)
        query = query.where(or_(Handover.id.in_(left_here), Handover.user_id.in_(members)))
    return db.session.scalar(query) or 0


def open_handover(
    user: User,
    *,
    actor: User | None,
    reason: HandoverReason,
    department_id: int | None = None,
    now: dt.datetime | None = None,
) -> Handover:
    """Open the person's hand-over, or widen the one already open (one per person): a
    deactivation puts everything they hold in scope, a department change what is tied to the
    department they left (`department_id`). Audited either way. Raises nothing."""
    now = now or utcnow()
    handover = open_handover_for(user.id)
    created = handover is None
    if handover is None:
        handover = Handover(user=user, opened_by=actor, opened_at=now, reason=reason)
        db.session.add(handover)
    if not handover.is_everything:  # a deactivation stays the reason once it has happened
        handover.reason = reason
    if reason == HandoverReason.DEACTIVATED:
        handover.is_everything = True
    if department_id is not None and all(d.id != department_id for d in handover.departments):
        department = db.session.get(Department, department_id)
        if department is not None:
            handover.departments.append(department)
    db.session.flush()
    audit.record(
        AuditAction.HANDOVER_OPENED,
        actor,
        user,
        now=now,
        handover_id=handover.id,
        reason=str(reason),
        widened=not created,
        items=len(held_items(handover)),
    )
    logger.info(
        "hand-over %s %s for user %s (%s)",
        handover.id,
        "opened" if created else "widened",
        user.id,
        reason,
    )
    return handover


def on_user_deactivated(user: User, *, actor: User | None = None, **extra: Any) -> None:
    """accounts.signals.user_deactivated: everything the person holds must pass on."""
    open_handover(user, actor=actor, reason=HandoverReason.DEACTIVATED, now=extra.get("now"))


def on_department_changed(
    user: User,
    *,
    actor: User | None = None,
    old_department_id: int | None = None,
    **extra: Any,
) -> None:
    """accounts.signals.user_department_changed: what is tied to the department the person
    left must pass on. Someone who had no department leaves nothing tied to one behind."""
    if old_department_id is None:
        return
    open_handover(
        user,
        actor=actor,
        reason=HandoverReason.DEPARTMENT_CHANGED,
        department_id=old_department_id,
        now=extra.get("now"),
    )


def close_handover(actor: User, handover: Handover, *, now: dt.datetime | None = None) -> Handover:
    """Close a hand-over once the person holds nothing in its scope. Admins only (NotPermitted).

    Raises Conflict when it is closed already, or while anything is still held (naming how many).
    """
    require_role(actor, Role.ADMIN)
    if not handover.is_open:
        raise Conflict("This hand-over is closed already.")
    held = held_items(handover)
    if held:
        raise Conflict(
            f"{handover.user.display_name} still holds {len(held)} "
            f"item{'s' if len(held) != 1 else ''}: reassign "
            f"{'them' if len(held) != 1 else 'it'} before closing the hand-over."
        )
    now = now or utcnow()
    handover.state = HandoverState.CLOSED
    handover.closed_at = now
    handover.closed_by = actor
    db.session.flush()
    audit.record(
        AuditAction.HANDOVER_CLOSED, actor, handover.user, now=now, handover_id=handover.id
    )
    logger.info("hand-over %s closed by user %s", handover.id, actor.id)
    return handover
