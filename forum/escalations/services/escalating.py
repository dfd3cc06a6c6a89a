"""Escalating a thread: the first escalation, and adding to the one that is open."""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum.accounts.models import User
from forum.boards import services as board_services
from forum.boards.models import Post, Thread
from forum.core.db import utcnow
from forum.core.errors import Invalid, NotFound, Throttled
from forum.escalations.models import (
    REASON_MAX,
    Escalation,
    EscalationEvent,
    EscalationState,
    EventKind,
    Urgency,
)
from forum.escalations.services import alerting, routing
from forum.escalations.services.access import open_escalation_for_thread
from forum.escalations.services.ladder import alert_level
from forum.escalations.services.timeline import add_event
from forum.extensions import db
from forum.registry.models import SocialProfile

logger = logging.getLogger(__name__)

# Escalating (or adding to an escalation) this many times an hour is the most one person may.
DEFAULT_PER_HOUR = 10


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
    _record_report(escalation, EventKind.OPENED, actor, reason, level, post, profile, now)
    alert_level(
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


def _record_report(
    escalation: Escalation,
    kind: EventKind,
    actor: User,
    reason: str,
    urgency: Urgency,
    post: Post | None,
    profile: SocialProfile | None,
    now: dt.datetime,
) -> None:
    """The timeline event of one person escalating (OPENED) or adding to it (ADDED)."""
    details = {
        "urgency": str(urgency),
        "post_id": post.id if post else None,
        "profile_id": profile.id if profile else None,
    }
    add_event(escalation, kind, actor=actor, now=now, note=reason, details=details)


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
    _record_report(escalation, EventKind.ADDED, actor, reason, urgency, post, profile, now)
    if urgency.rank <= escalation.urgency_enum.rank:
        return
    previous = escalation.urgency_enum
    escalation.urgency = urgency
    add_event(
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
        alert_level(escalation, headline=headline, now=now, kind=EventKind.ALERTED)
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
