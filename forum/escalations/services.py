"""Every state change of an escalation: escalate, acknowledge, resolve, reopen, reassign, notes,
and the ladder that alerts the next level when nobody acknowledges in time.

Each function adds its timeline event and its alerts to the caller's transaction and never
commits; the caller (view, API route, CLI, worker) commits once.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum.accounts.models import Role, User
from forum.accounts.permissions import has_role, require_role
from forum.boards import services as board_services
from forum.boards.models import Post, Thread
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid, NotFound, NotPermitted, Throttled
from forum.escalations import alerting, routing
from forum.escalations.models import (
    NOTE_MAX,
    REASON_MAX,
    Escalation,
    EscalationEvent,
    EscalationState,
    EventKind,
    Urgency,
)
from forum.extensions import db
from forum.registry.models import SocialProfile

logger = logging.getLogger(__name__)

UNRESOLVED = (EscalationState.OPEN, EscalationState.ACKNOWLEDGED)
# Escalating (or adding to an escalation) this many times an hour is the most one person may.
DEFAULT_PER_HOUR = 10


# --- Reading ----------------------------------------------------------------------------------


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


def timeline(user: User | None, escalation: Escalation) -> list[EscalationEvent]:
    """The events `user` may see, oldest first: internal notes only for seniors and admins."""
    internal = can_handle(user)
    return [e for e in escalation.events if internal or not e.is_internal]


def open_escalation_for_thread(thread_id: int) -> Escalation | None:
    return db.session.scalar(
        select(Escalation).where(
            Escalation.thread_id == thread_id, Escalation.state.in_(UNRESOLVED)
        )
    )


def escalation_for_thread(thread: Thread | int) -> Escalation | None:
    """The thread's unresolved escalation, else its most recent one, else None (for the
    thread page's status line, shown to everyone who can see the thread)."""
    thread_id = thread if isinstance(thread, int) else thread.id
    return open_escalation_for_thread(thread_id) or db.session.scalar(
        select(Escalation)
        .where(Escalation.thread_id == thread_id)
        .order_by(Escalation.created_at.desc(), Escalation.id.desc())
        .limit(1)
    )


# --- Escalating -------------------------------------------------------------------------------


def _event(
    escalation: Escalation,
    kind: EventKind,
    *,
    actor: User | None,
    now: dt.datetime,
    note: str = "",
    details: dict[str, Any] | None = None,
    is_internal: bool = False,
) -> EscalationEvent:
    event = EscalationEvent(
        kind=kind,
        actor=actor,
        created_at=now,
        note=note,
        details=details or {},
        is_internal=is_internal,
    )
    escalation.events.append(event)
    escalation.updated_at = now
    db.session.flush()
    return event


def _per_hour() -> int:
    if not has_app_context():
        return DEFAULT_PER_HOUR
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return 0
    return int(current_app.config.get("ESCALATIONS_PER_HOUR", DEFAULT_PER_HOUR))


def _check_throttle(actor: User, now: dt.datetime) -> None:
    limit = _per_hour()
    if limit <= 0:
        return
    recent = (
        db.session.scalar(
            select(func.count())
            .select_from(EscalationEvent)
            .where(
                EscalationEvent.actor_id == actor.id,
                EscalationEvent.kind.in_((EventKind.OPENED, EventKind.ADDED)),
                EscalationEvent.created_at > now - dt.timedelta(hours=1),
            )
        )
        or 0
    )
    if recent >= limit:
        raise Throttled(
            "You have escalated a lot in the last hour. Wait a little, or ask a senior directly.",
            retry_after=600,
        )


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(fields={"reason": "Say why this needs a senior."})
    if len(reason) > REASON_MAX:
        raise Invalid(fields={"reason": f"Keep it under {REASON_MAX} characters."})
    return reason


def parse_urgency(value: Urgency | str) -> Urgency:
    """The urgency named by `value`; Invalid otherwise."""
    try:
        return Urgency(value)
    except ValueError:
        raise Invalid(fields={"urgency": "Choose routine, urgent or crisis."}) from None


def _alert_level(
    escalation: Escalation,
    *,
    headline: str,
    now: dt.datetime,
    kind: EventKind,
    actor: User | None = None,
) -> None:
    """Alert the current level, record who was alerted, and start its timeout."""
    rungs = routing.ladder(escalation)
    escalation.level = min(max(escalation.level, 1), len(rungs))
    rung = rungs[escalation.level - 1]
    reach = routing.recipients(escalation, escalation.level, now.date())
    people = reach.recipients
    alerting.alert_recipients(
        escalation,
        people,
        headline=headline,
        level_label=f"{escalation.level} of {len(rungs)} ({rung.label})",
        now=now,
    )
    escalation.next_escalation_at = now + rung.timeout
    _event(
        escalation,
        kind,
        actor=actor,
        now=now,
        details={
            "level": escalation.level,
            "levels": len(rungs),
            "label": rung.label,
            "recipients": [p.user.display_name for p in people],
            "covering": {
                p.user.display_name: p.covering_for.display_name
                for p in people
                if p.covering_for is not None
            },
            # Covers passed over (away too, or not allowed to act), so the timeline says why.
            "skipped": [
                {
                    "name": s.user.display_name,
                    "covering_for": s.covering_for.display_name,
                    "why": s.why,
                }
                for s in reach.skipped
            ],
            "timeout_minutes": int(rung.timeout.total_seconds() // 60),
        },
    )


def escalate(
    thread: Thread,
    *,
    actor: User,
    reason: str,
    urgency: Urgency | str,
    post: Post | None = None,
    profile: SocialProfile | None = None,
    now: dt.datetime | None = None,
) -> tuple[Escalation, bool]:
    """Escalate a thread; returns (escalation, created).

    Anyone who can see the thread may. A thread has one unresolved escalation: escalating it
    again adds the reason to its timeline and raises its urgency when the new one is higher
    (alerting the current level again). Raises NotFound when the thread (or the post in it) is
    not visible, Invalid for a missing reason or unknown urgency, Throttled past
    ESCALATIONS_PER_HOUR (when RATELIMIT_ENABLED).
    """
    now = now or utcnow()
    if not board_services.can_see_board(actor, thread.board):
        raise NotFound("There is no such thread.")
    reason = _clean_reason(reason)
    level = parse_urgency(urgency)
    if post is not None and post.thread_id != thread.id:
        raise Invalid(fields={"post_id": "That post is not in this thread."})
    _check_throttle(actor, now)
    existing = open_escalation_for_thread(thread.id)
    if existing is not None:
        _add_to(
            existing, actor=actor, reason=reason, urgency=level, post=post, profile=profile, now=now
        )
        return existing, False
    escalation = Escalation(
        thread=thread,
        post=post,
        profile=profile,
        reason=reason,
        urgency=level,
        state=EscalationState.OPEN,
        level=1,
        ladder_round=0,
        alert_wave=0,
        department_id=thread.board.department_id,
        board_id=thread.board_id,
        created_by=actor,
        created_at=now,
        updated_at=now,
        policy=routing.match_policy(
            department_id=thread.board.department_id, board_id=thread.board_id, urgency=level
        ),
    )
    try:
        with db.session.begin_nested():
            db.session.add(escalation)
            db.session.flush()
    except IntegrityError:
        # Someone else escalated the same thread a moment ago: add to theirs instead.
        existing = open_escalation_for_thread(thread.id)
        if existing is None:
            raise
        _add_to(
            existing, actor=actor, reason=reason, urgency=level, post=post, profile=profile, now=now
        )
        return existing, False
    _event(
        escalation,
        EventKind.OPENED,
        actor=actor,
        now=now,
        note=reason,
        details={
            "urgency": str(level),
            "post_id": post.id if post else None,
            "profile_id": profile.id if profile else None,
        },
    )
    _alert_level(
        escalation,
        headline=f'{actor.display_name} escalated "{thread.title}" ({level.label.lower()}).',
        now=now,
        kind=EventKind.ALERTED,
    )
    logger.info(
        "escalation %s opened on thread %s (%s) by user %s",
        escalation.id,
        thread.id,
        level,
        actor.id,
    )
    return escalation, True


def _add_to(
    escalation: Escalation,
    *,
    actor: User,
    reason: str,
    urgency: Urgency,
    post: Post | None,
    profile: SocialProfile | None,
    now: dt.datetime,
) -> None:
    if escalation.post_id is None and post is not None:
        escalation.post = post
    if escalation.profile_id is None and profile is not None:
        escalation.profile = profile
    _event(
        escalation,
        EventKind.ADDED,
        actor=actor,
        now=now,
        note=reason,
        details={
            "urgency": str(urgency),
            "post_id": post.id if post else None,
            "profile_id": profile.id if profile else None,
        },
    )
    if urgency.rank <= escalation.urgency_enum.rank:
        return
    previous = escalation.urgency_enum
    escalation.urgency = urgency
    _event(
        escalation,
        EventKind.URGENCY_RAISED,
        actor=actor,
        now=now,
        details={"from": str(previous), "to": str(urgency)},
    )
    headline = (
        f'{actor.display_name} raised the urgency of "{escalation.thread.title}" '
        f"from {previous.label.lower()} to {urgency.label.lower()}."
    )
    if escalation.state == EscalationState.OPEN:
        _alert_level(escalation, headline=headline, now=now, kind=EventKind.ALERTED)
    elif escalation.assigned_to is not None:
        alerting.notify_people(
            escalation,
            [escalation.assigned_to],
            title=alerting.subject_for(escalation),
            body=headline,
            bare=f"The urgency of an escalation you handle was raised to {urgency.label.lower()}.",
            key=f"urgency:{urgency}",
            now=now,
            email=True,
        )
    logger.info("escalation %s urgency raised to %s by user %s", escalation.id, urgency, actor.id)


# --- Handling ---------------------------------------------------------------------------------


def _reporters_except(escalation: Escalation, actor: User | None) -> list[User]:
    ids = reporter_ids(escalation) - ({actor.id} if actor is not None else set())
    return [u for u in (db.session.get(User, i) for i in sorted(ids)) if u is not None]


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
    event = _event(
        escalation,
        EventKind.ACKNOWLEDGED,
        actor=actor,
        now=now,
        details={"level": escalation.level},
    )
    text = f'{actor.display_name} acknowledged the escalation of "{escalation.thread.title}".'
    alerting.notify_people(
        escalation,
        _reporters_except(escalation, actor),
        title=f"Acknowledged: {escalation.thread.title}",
        body=text,
        bare="An escalation you raised was acknowledged.",
        key=f"event:{event.id}",
        now=now,
    )
    alerting.announce(escalation, event, text=text, now=now)
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
    event = _event(
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
    alerting.notify_people(
        escalation,
        _reporters_except(escalation, actor),
        title=f"Resolved: {escalation.thread.title}",
        body=text,
        bare="An escalation you raised was resolved.",
        key=f"event:{event.id}",
        now=now,
    )
    alerting.announce(escalation, event, text=text, now=now)
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
    event = _event(escalation, EventKind.REOPENED, actor=actor, now=now, note=reason)
    alerting.announce(escalation, event, text=f"{actor.display_name} reopened it.", now=now)
    _alert_level(
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
    event = _event(
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


def add_note(
    escalation: Escalation, *, actor: User, note: str, now: dt.datetime | None = None
) -> EscalationEvent:
    """An internal note on the timeline, seen only by seniors and admins.

    Raises NotPermitted for others, Invalid for an empty or over-long note.
    """
    require_role(actor, Role.SENIOR)
    note = (note or "").strip()
    if not note:
        raise Invalid(fields={"note": "Write the note."})
    if len(note) > NOTE_MAX:
        raise Invalid(fields={"note": f"Keep it under {NOTE_MAX} characters."})
    return _event(
        escalation, EventKind.NOTE, actor=actor, now=now or utcnow(), note=note, is_internal=True
    )


# --- The ladder -------------------------------------------------------------------------------


def advance_ladder(now: dt.datetime | None = None) -> int:
    """Alert the next level of every open escalation whose level timed out; returns how many
    climbed. After the last level the ladder starts again while the policy's repeat count
    allows, then stops (an `exhausted` event) until someone acknowledges or it is reopened."""
    now = now or utcnow()
    query = (
        select(Escalation)
        .where(
            Escalation.state == EscalationState.OPEN,
            Escalation.next_escalation_at.is_not(None),
            Escalation.next_escalation_at <= now,
        )
        .order_by(Escalation.next_escalation_at, Escalation.id)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Two ticks at once (cron and the worker) must not climb the same escalation twice.
        query = query.with_for_update(skip_locked=True)
    due = list(db.session.scalars(query))
    climbed = 0
    for escalation in due:
        if _climb(escalation, now):
            climbed += 1
    return climbed


def _climb(escalation: Escalation, now: dt.datetime) -> bool:
    levels = routing.ladder_length(escalation)
    repeats = escalation.policy.repeat_count if escalation.policy is not None else 0
    waited = escalation.next_escalation_at or now
    if escalation.level < levels:
        escalation.level += 1
    elif escalation.ladder_round < repeats:
        escalation.ladder_round += 1
        escalation.level = 1
    else:
        escalation.next_escalation_at = None
        _event(
            escalation,
            EventKind.EXHAUSTED,
            actor=None,
            now=now,
            details={"level": escalation.level, "rounds": escalation.ladder_round + 1},
        )
        logger.warning("escalation %s: ladder exhausted without acknowledgement", escalation.id)
        return False
    minutes = int((waited - escalation.created_at).total_seconds() // 60)
    _alert_level(
        escalation,
        now=now,
        kind=EventKind.CLIMBED,
        headline=(
            f'Nobody has acknowledged the escalation of "{escalation.thread.title}" '
            f"({escalation.urgency_enum.label.lower()}) after {minutes} minutes."
        ),
    )
    return True


# --- Reacting to the boards -------------------------------------------------------------------


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
