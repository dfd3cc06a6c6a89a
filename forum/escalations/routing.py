"""Who is alerted at each level of an escalation's ladder, and how long each level has.

The ladder comes from the first active policy matching the thread's department, board and the
urgency; with none, the default ladder: the seniors of the thread's department, then all
seniors, then admins (empty levels are left out). A person who is away is replaced by their
cover; a level where nobody is reachable alerts the admins instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum.accounts import services as account_services
from forum.accounts.models import Role, User
from forum.escalations.models import (
    Escalation,
    EscalationPolicy,
    EscalationPolicyLevel,
    Urgency,
)
from forum.extensions import db

# How far a chain of covers (A covers for B who covers for C) is followed.
MAX_COVER_HOPS = 5


@dataclasses.dataclass
class Rung:
    """One level of a ladder: its people before away handling, and its timeout."""

    label: str
    people: list[User]
    timeout: dt.timedelta


@dataclasses.dataclass
class Recipient:
    """Someone to alert; `covering_for` names the away person they stand in for."""

    user: User
    covering_for: User | None = None


def match_policy(
    *, department_id: int | None, board_id: int | None, urgency: Urgency
) -> EscalationPolicy | None:
    """The first active policy (by position, then id) whose lists all match; empty lists match
    anything. Policies without levels are passed over."""
    policies = db.session.scalars(
        select(EscalationPolicy)
        .where(EscalationPolicy.is_active.is_(True))
        .order_by(EscalationPolicy.position, EscalationPolicy.id)
        .options(
            selectinload(EscalationPolicy.departments),
            selectinload(EscalationPolicy.boards),
            selectinload(EscalationPolicy.levels),
        )
    )
    for policy in policies:
        if not policy.levels:
            continue
        if policy.departments and department_id not in {d.id for d in policy.departments}:
            continue
        if policy.boards and board_id not in {b.id for b in policy.boards}:
            continue
        if policy.urgencies and urgency not in policy.urgency_set:
            continue
        return policy
    return None


def _timeout(level: EscalationPolicyLevel | None, urgency: Urgency) -> dt.timedelta:
    minutes = level.timeout_minutes if level is not None and level.timeout_minutes else None
    return dt.timedelta(minutes=minutes or urgency.default_timeout_minutes)


def _staff() -> list[User]:
    return account_services.list_users(include_inactive=False)


def _seniors(staff: list[User], department_id: int | None = None) -> list[User]:
    return [
        u
        for u in staff
        if u.role == Role.SENIOR and (department_id is None or u.department_id == department_id)
    ]


def _admins(staff: list[User]) -> list[User]:
    return [u for u in staff if u.role == Role.ADMIN]


def ladder(escalation: Escalation) -> list[Rung]:
    """The escalation's levels in order: its policy's, or the default ladder."""
    urgency = escalation.urgency_enum
    staff = _staff()
    policy = escalation.policy
    if policy is not None and policy.is_active and policy.levels:
        rungs = []
        for level in policy.levels:
            people: dict[int, User] = {u.id: u for u in level.users if u.is_active}
            if level.department_id is not None:
                people.update({u.id: u for u in _seniors(staff, level.department_id)})
            if level.includes_thread_department and escalation.department_id is not None:
                people.update({u.id: u for u in _seniors(staff, escalation.department_id)})
            rungs.append(
                Rung(
                    label=f"Level {level.position}",
                    people=list(people.values()),
                    timeout=_timeout(level, urgency),
                )
            )
        return rungs
    candidates: list[tuple[str, list[User]]] = []
    if escalation.department_id is not None:
        candidates.append(("Department seniors", _seniors(staff, escalation.department_id)))
    candidates.append(("All seniors", _seniors(staff)))
    candidates.append(("Administrators", _admins(staff)))
    rungs = []
    previous: set[int] | None = None
    for label, group in candidates:
        ids = {u.id for u in group}
        if not ids or ids == previous:
            continue
        rungs.append(Rung(label=label, people=group, timeout=_timeout(None, urgency)))
        previous = ids
    if not rungs:
        rungs.append(Rung(label="Administrators", people=[], timeout=_timeout(None, urgency)))
    return rungs


def reachable(people: list[User], on: dt.date) -> list[Recipient]:
    """The people who can be alerted on `on`: the present ones, and covers for the away ones.

    Inactive people are skipped; an away person without a reachable cover is skipped too.
    """
    found: dict[int, Recipient] = {}
    for person in people:
        if not person.is_active:
            continue
        if not person.is_away(on):
            found.setdefault(person.id, Recipient(person))
            continue
        cover = person.cover_user
        hops = 0
        while (
            cover is not None
            and hops < MAX_COVER_HOPS
            and (not cover.is_active or cover.is_away(on))
        ):
            cover = cover.cover_user if cover.is_active else None
            hops += 1
        if cover is not None and cover.is_active and not cover.is_away(on):
            found.setdefault(cover.id, Recipient(cover, covering_for=person))
    return list(found.values())


def recipients(escalation: Escalation, level: int, on: dt.date) -> list[Recipient]:
    """Who to alert for `level` (1-based; clamped to the ladder): the reachable people of that
    level, or the admins when nobody there is reachable (present admins first, then any)."""
    rungs = ladder(escalation)
    rung = rungs[min(max(level, 1), len(rungs)) - 1]
    found = reachable(rung.people, on)
    if found:
        return found
    admins = _admins(_staff())
    return reachable(admins, on) or [Recipient(admin) for admin in admins]


def timeout_for(escalation: Escalation, level: int) -> dt.timedelta:
    """How long `level` has to acknowledge before the next one is alerted."""
    rungs = ladder(escalation)
    return rungs[min(max(level, 1), len(rungs)) - 1].timeout


def ladder_length(escalation: Escalation) -> int:
    return len(ladder(escalation))


def staff_for_reassignment() -> list[User]:
    """Active seniors and admins: the people an escalation can be assigned to."""
    return [u for u in _staff() if u.has_role(Role.SENIOR)]
