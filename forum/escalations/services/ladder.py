"""The ladder: alert a level, and climb to the next when nobody acknowledges in time."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from forum.accounts.models import User
from forum.core.db import utcnow
from forum.escalations.models import Escalation, EscalationState, EventKind
from forum.escalations.services import alerting, routing
from forum.escalations.services.timeline import add_event
from forum.extensions import db

logger = logging.getLogger(__name__)


def alert_level(
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
        level_label=_level_label(escalation.level, len(rungs), rung.label),
        now=now,
    )
    escalation.next_escalation_at = now + rung.timeout
    add_event(
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
        add_event(
            escalation,
            EventKind.EXHAUSTED,
            actor=None,
            now=now,
            details={"level": escalation.level, "rounds": escalation.ladder_round + 1},
        )
        logger.warning("escalation %s: ladder exhausted without acknowledgement", escalation.id)
        return False
    minutes = int((waited - escalation.created_at).total_seconds() // 60)
    alert_level(
        escalation,
        now=now,
        kind=EventKind.CLIMBED,
        headline=(
            f'Nobody has acknowledged the escalation of "{escalation.thread.title}" '
            f"({escalation.urgency_enum.label.lower()}) after {minutes} minutes."
        ),
    )
    return True


def _level_label(level: int, levels: int, label: str) -> str:
    """ "2 of 3 (Department seniors)"; a policy's own "Level 2" is not said twice."""
    return f"{level} of {levels}" + ("" if label == f"Level {level}" else f" ({label})")
