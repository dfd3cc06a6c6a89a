"""Who is alerted at each level of an escalation's ladder, and how long each level has.

The ladder comes from the first active policy matching the thread's department, board and the
urgency; with none, the default ladder: the seniors of the thread's department, then all
seniors, then admins (empty levels are left out). A person who is away is replaced by their
cover, if the cover can act on escalations (an active senior or admin) and is not away too;
otherwise the cover's own cover is tried, and every cover passed over is reported (`Skipped`)
so the timeline says why. A level where nobody is reachable alerts the admins instead.
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


@dataclasses.dataclass
class Skipped:
    """A cover passed over, and why (recorded on the escalation's timeline)."""

    user: User
    covering_for: User
    why: str


@dataclasses.dataclass
class Reach:
    """Who a level alerts, and the covers it passed over on the way."""

    recipients: list[Recipient]
    skipped: list[Skipped] = dataclasses.field(default_factory=list)


def can_act(user: User) -> bool:
    """Who can act on an escalation (acknowledge, resolve, reassign): active seniors and admins.
    A cover must, or an away senior's escalations would reach someone who cannot open them."""
    return bool(user.is_active and user.has_role(Role.SENIOR))


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


def _cover_for(person: User, on: dt.date, skipped: list[Skipped]) -> User | None:
    """The first cover down the chain who is present and can act; records those passed over."""
    cover = person.cover_user
    seen = {person.id}
    while cover is not None and cover.id not in seen and len(seen) <= MAX_COVER_HOPS:
        seen.add(cover.id)
        if not cover.is_active:
            why = "their account is switched off"
        elif cover.is_away(on):
            why = "they are away too"
        elif not can_act(cover):
            why = "they cannot act on escalations (not a senior or an administrator)"
        else:
            return cover
        skipped.append(Skipped(user=cover, covering_for=person, why=why))
        cover = cover.cover_user
    return None


def reachable(people: list[User], on: dt.date) -> Reach:
    """The people who can be alerted on `on`: the present ones, and covers for the away ones.

    Inactive people are skipped; an away person without a cover who can act is skipped too,
    and the covers passed over are listed with the reason.
    """
    found: dict[int, Recipient] = {}
    skipped: list[Skipped] = []
    for person in people:
        if not person.is_active:
            continue
        if not person.is_away(on):
            found.setdefault(person.id, Recipient(person))
            continue
        cover = _cover_for(person, on, skipped)
        if cover is not None:
            found.setdefault(cover.id, Recipient(cover, covering_for=person))
    return Reach(recipients=list(found.values()), skipped=skipped)


def recipients(escalation: Escalation, level: int, on: dt.date) -> Reach:
    """Who to alert for `level` (1-based; clamped to the ladder): the reachable people of that
    level, or the admins when nobody there is reachable (present admins first, then any)."""
    rungs = ladder(escalation)
    rung = rungs[min(max(level, 1), len(rungs)) - 1]
    reach = reachable(rung.people, on)
    if reach.recipients:
        return reach
    admins = _admins(_staff())
    fallback = reachable(admins, on)
    return Reach(
        recipients=fallback.recipients or [Recipient(admin) for admin in admins],
        skipped=reach.skipped + fallback.skipped,
    )


def timeout_for(escalation: Escalation, level: int) -> dt.timedelta:
    """How long `level` has to acknowledge before the next one is alerted."""
    rungs = ladder(escalation)
    return rungs[min(max(level, 1), len(rungs)) - 1].timeout


def ladder_length(escalation: Escalation) -> int:
    return len(ladder(escalation))


def staff_for_reassignment() -> list[User]:
    """Active seniors and admins: the people an escalation can be assigned to."""
    return [u for u in _staff() if u.has_role(Role.SENIOR)]
