"""An escalation's timeline: recording its events, reading them, internal notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forum.accounts.models import Role, User
from forum.accounts.permissions import require_role
from forum.core.db import utcnow
from forum.core.errors import Invalid
from forum.escalations.models import NOTE_MAX, Escalation, EscalationEvent, EventKind
from forum.escalations.services.access import can_handle
from forum.extensions import db


def add_event(
    escalation: Escalation,
    kind: EventKind,
    *,
    actor: User | None,
    now: dt.datetime,
    note: str = "",
    details: dict[str, Any] | None = None,
    is_internal: bool = False,
) -> EscalationEvent:
    """Append an event to the timeline (every change of an escalation records one)."""
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


def timeline(user: User | None, escalation: Escalation) -> list[EscalationEvent]:
    """The events `user` may see, oldest first: internal notes only for seniors and admins."""
    internal = can_handle(user)
    return [e for e in escalation.events if internal or not e.is_internal]


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
    return add_event(
        escalation, EventKind.NOTE, actor=actor, now=now or utcnow(), note=note, is_internal=True
    )
