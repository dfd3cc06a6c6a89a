"""Who may see and handle an escalation, and finding a thread's escalation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, case, select

from forum.accounts.models import Role, User
from forum.accounts.permissions import has_role
from forum.boards import services as board_services
from forum.core.db import read_connection
from forum.core.errors import NotFound, NotPermitted
from forum.escalations.models import Escalation, EscalationState, EventKind, Urgency
from forum.extensions import db

UNRESOLVED = (EscalationState.OPEN, EscalationState.ACKNOWLEDGED)


def reporter_ids(escalation: Escalation) -> set[int]:
    """Everyone who escalated the thread: the first person and those who added to it."""
    ids = {
        e.actor_id
        for e in escalation.events
        if e.kind in (EventKind.OPENED, EventKind.ADDED) and e.actor_id is not None
    }
    if escalation.created_by_id is not None:
        ids.add(escalation.created_by_id)
    return ids


def can_view(user: User | None, escalation: Escalation) -> bool:
    """Seniors and admins see every escalation; others only the ones they escalated, and only
    while they can still see the thread."""
    if has_role(user, Role.SENIOR):
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.id in reporter_ids(escalation) and board_services.can_see_board(
        user, escalation.thread.board
    )


def can_handle(user: User | None) -> bool:
    """Acknowledge, resolve, reassign and write internal notes: seniors and admins."""
    return has_role(user, Role.SENIOR)


def can_reopen(user: User | None, escalation: Escalation) -> bool:
    return escalation.is_resolved and (
        can_handle(user) or (user is not None and user.id in reporter_ids(escalation))
    )


def get_escalation(user: User | None, escalation_id: int) -> Escalation:
    """The escalation for someone allowed to see it.

    Raises NotFound when it does not exist, NotPermitted when `user` may not see it.
    """
    escalation = db.session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFound("There is no such escalation.")
    if not can_view(user, escalation):
        raise NotPermitted("Only seniors, admins and the person who escalated can see this.")
    return escalation


def open_escalation_for_thread(thread_id: int) -> Escalation | None:
    return db.session.scalar(
        select(Escalation).where(
            Escalation.thread_id == thread_id, Escalation.state.in_(UNRESOLVED)
        )
    )


# One query, built once, on every thread page: unresolved first, then the newest.
_SHOWN_FIRST = (
    case((Escalation.state.in_(UNRESOLVED), 0), else_=1),
    Escalation.created_at.desc(),
    Escalation.id.desc(),
)


@dataclass(frozen=True)
class StatusLine:
    """What the thread page's escalation line shows: the columns it reads, and the one person
    it names (who took it on, or who resolved it)."""

    id: int
    state: EscalationState
    urgency: Urgency
    created_at: dt.datetime
    created_by_id: int | None
    assigned_to: User | None
    resolved_by: User | None


# The thread's unresolved escalation first, else its newest; on the columns alone: most
# threads have no escalation, and the ORM's entity load cost more than the probe.
_LINE_FOR_THREAD = (
    select(
        Escalation.id,
        Escalation.state,
        Escalation.urgency,
        Escalation.created_at,
        Escalation.created_by_id,
        Escalation.assigned_to_id,
        Escalation.resolved_by_id,
    )
    .where(Escalation.thread_id == bindparam("thread_id"))
    .order_by(*_SHOWN_FIRST)
    .limit(1)
)


def status_line(thread_id: int) -> StatusLine | None:
    """The thread page's escalation line, shown to everyone who can see the thread: its
    unresolved escalation, else its most recent one; None when it has none."""
    row = read_connection(db.session).execute(_LINE_FOR_THREAD, {"thread_id": thread_id}).first()
    if row is None:
        return None
    named = {
        EscalationState.ACKNOWLEDGED: row.assigned_to_id,
        EscalationState.RESOLVED: row.resolved_by_id,
    }.get(row.state)
    person = db.session.get(User, named) if named is not None else None
    return StatusLine(
        id=row.id,
        state=row.state,
        urgency=row.urgency,
        created_at=row.created_at,
        created_by_id=row.created_by_id,
        assigned_to=person if row.state == EscalationState.ACKNOWLEDGED else None,
        resolved_by=person if row.state == EscalationState.RESOLVED else None,
    )
