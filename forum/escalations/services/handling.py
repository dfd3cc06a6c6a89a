"""Handling an escalation: acknowledge, resolve, reopen, reassign; and what the boards tell it."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.accounts.permissions import require_role
from forum.boards.models import Post, Thread
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid, NotPermitted
from forum.escalations.models import (
    NOTE_MAX,
    REASON_MAX,
    Escalation,
    EscalationEvent,
    EscalationState,
    EventKind,
)
from forum.escalations.services import alerting
from forum.escalations.services.access import can_reopen, open_escalation_for_thread, reporter_ids
from forum.escalations.services.ladder import alert_level
from forum.escalations.services.timeline import add_event
from forum.extensions import db

logger = logging.getLogger(__name__)


def _reporters_except(escalation: Escalation, actor: User | None) -> list[User]:
    ids = reporter_ids(escalation) - ({actor.id} if actor is not None else set())
    return [u for u in (db.session.get(User, i) for i in sorted(ids)) if u is not None]


def _tell_reporters(
    escalation: Escalation,
    event: EscalationEvent,
    actor: User,
    *,
    what: str,
    text: str,
    now: dt.datetime,
) -> None:
    """The people who escalated it (but the actor) are told it was `what`, and so are the
    policy's webhooks."""
    alerting.notify_people(
        escalation,
        _reporters_except(escalation, actor),
        title=f"{what.capitalize()}: {escalation.thread.title}",
        body=text,
        bare=f"An escalation you raised was {what}.",
        key=f"event:{event.id}",
        now=now,
    )
    alerting.announce(escalation, event, text=text, now=now)


def acknowledge(
    escalation: Escalation, *, actor: User, now: dt.datetime | None = None
) -> Escalation:
    """A senior or admin takes it: the ladder stops and the escalating people are told.
    Unassigned escalations are assigned to the acknowledger.

    Raises NotPermitted for others, Conflict unless the escalation is open.
    """
    require_role(actor, Role.SENIOR)
    if escalation.state != EscalationState.OPEN:
        raise Conflict(f"This escalation is already {escalation.state}.")
    now = now or utcnow()
    escalation.state = EscalationState.ACKNOWLEDGED
    escalation.acknowledged_at = now
    escalation.acknowledged_by = actor
    escalation.next_escalation_at = None
    if escalation.assigned_to_id is None:
        escalation.assigned_to = actor
    event = add_event(
        escalation,
        EventKind.ACKNOWLEDGED,
        actor=actor,
        now=now,
        details={"level": escalation.level},
    )
    text = f'{actor.display_name} acknowledged the escalation of "{escalation.thread.title}".'
    _tell_reporters(escalation, event, actor, what="acknowledged", text=text, now=now)
    logger.info("escalation %s acknowledged by user %s", escalation.id, actor.id)
    return escalation


def resolve(
    escalation: Escalation,
    *,
    actor: User,
    note: str = "",
    post: Post | None = None,
    now: dt.datetime | None = None,
) -> Escalation:
    """Close it, with a note or the senior reply that settled it; the escalating people are told.

    Raises NotPermitted unless the actor is a senior or admin, Conflict when already resolved,
    Invalid for an over-long note.
    """
    require_role(actor, Role.SENIOR)
    if escalation.is_resolved:
        raise Conflict("This escalation is already resolved.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise Invalid(fields={"note": f"Keep it under {NOTE_MAX} characters."})
    now = now or utcnow()
    escalation.state = EscalationState.RESOLVED
    escalation.resolved_at = now
    escalation.resolved_by = actor
    escalation.resolution_note = note
    escalation.resolution_post = post
    escalation.next_escalation_at = None
    event = add_event(
        escalation,
        EventKind.RESOLVED,
        actor=actor,
        now=now,
        note=note,
        details={"post_id": post.id if post is not None else None},
    )
    how = "replied in the thread" if post is not None else "resolved it"
    text = f'{actor.display_name} {how}: "{escalation.thread.title}".' + (
        f"\n\n{note}" if note else ""
    )
    _tell_reporters(escalation, event, actor, what="resolved", text=text, now=now)
    logger.info("escalation %s resolved by user %s", escalation.id, actor.id)
    return escalation


def reopen(
    escalation: Escalation, *, actor: User, reason: str = "", now: dt.datetime | None = None
) -> Escalation:
    """Open a resolved escalation again and alert the first level anew.

    Seniors, admins and the people who escalated may. Raises NotPermitted, Conflict when it is
    not resolved or the thread already has another unresolved escalation.
    """
    if not can_reopen(actor, escalation):
        if not escalation.is_resolved:
            raise Conflict("Only a resolved escalation can be reopened.")
        raise NotPermitted("Only seniors, admins and the person who escalated can reopen it.")
    if open_escalation_for_thread(escalation.thread_id) is not None:
        raise Conflict("The thread already has an open escalation.")
    now = now or utcnow()
    reason = (reason or "").strip()[:REASON_MAX]
    escalation.state = EscalationState.OPEN
    escalation.acknowledged_at = escalation.resolved_at = None
    escalation.acknowledged_by = escalation.resolved_by = None
    escalation.resolution_post = None
    escalation.resolution_note = ""
    escalation.level = 1
    escalation.ladder_round = 0
    event = add_event(escalation, EventKind.REOPENED, actor=actor, now=now, note=reason)
    alerting.announce(escalation, event, text=f"{actor.display_name} reopened it.", now=now)
    alert_level(
        escalation,
        headline=f'{actor.display_name} reopened the escalation of "{escalation.thread.title}".',
        now=now,
        kind=EventKind.ALERTED,
    )
    logger.info("escalation %s reopened by user %s", escalation.id, actor.id)
    return escalation


def reassign(
    escalation: Escalation,
    *,
    actor: User,
    assignee: User,
    note: str = "",
    now: dt.datetime | None = None,
) -> Escalation:
    """Hand it to another senior or admin, who is alerted at once.

    Raises NotPermitted unless the actor is a senior or admin, Invalid when the assignee is not
    an active senior or admin, Conflict when the escalation is resolved.
    """
    require_role(actor, Role.SENIOR)
    if escalation.is_resolved:
        raise Conflict("A resolved escalation cannot be reassigned; reopen it first.")
    if not (assignee.is_active and assignee.has_role(Role.SENIOR)):
        raise Invalid(fields={"assignee_id": "Choose an active senior or admin."})
    now = now or utcnow()
    previous = escalation.assigned_to
    escalation.assigned_to = assignee
    event = add_event(
        escalation,
        EventKind.REASSIGNED,
        actor=actor,
        now=now,
        note=(note or "").strip()[:NOTE_MAX],
        details={"from": previous.display_name if previous else None, "to": assignee.display_name},
    )
    if assignee.id != actor.id:
        alerting.notify_people(
            escalation,
            [assignee],
            title=alerting.subject_for(escalation),
            body=f"{actor.display_name} assigned the escalation of "
            f'"{escalation.thread.title}" to you.\n\nReason: {escalation.reason}',
            bare="An escalation was assigned to you.",
            key=f"event:{event.id}",
            now=now,
            email=True,
        )
    logger.info(
        "escalation %s reassigned to user %s by user %s", escalation.id, assignee.id, actor.id
    )
    return escalation


def resolve_by_reply(
    post: Post, *, author: User, now: dt.datetime | None = None
) -> Escalation | None:
    """A senior's or admin's reply resolves the thread's unresolved escalation, recording the
    post. Returns the escalation it resolved, or None."""
    if not (author.is_active and author.has_role(Role.SENIOR)):
        return None
    escalation = open_escalation_for_thread(post.thread_id)
    if escalation is None:
        return None
    return resolve(escalation, actor=author, post=post, now=now or post.created_at)


def on_post_created(post: Post, **extra: Any) -> None:
    """boards.signals.post_created receiver: replies (not opening posts) may resolve."""
    if extra.get("is_first"):
        return
    author = extra.get("author") or post.author
    resolve_by_reply(post, author=author)


def on_thread_moved(thread: Thread, **extra: Any) -> None:
    """boards.signals.thread_moved receiver: keep the department filter and routing in step."""
    board = extra.get("to_board") or thread.board
    for escalation in db.session.scalars(
        select(Escalation).where(Escalation.thread_id == thread.id)
    ):
        escalation.board_id = board.id
        escalation.department_id = board.department_id
