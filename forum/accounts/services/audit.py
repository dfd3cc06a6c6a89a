"""The audit trail: append-only entries of security-relevant actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum.accounts.models import AuditAction, AuditEvent, User
from forum.core.db import utcnow
from forum.core.errors import Invalid
from forum.extensions import db

DETAILS_MAX_KEYS = 20


def record(
    action: AuditAction | str,
    *,
    actor: User | None,
    subject_type: str,
    subject_id: int | None,
    details: dict[str, Any] | None = None,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> AuditEvent:
    """Add one audit entry to the caller's transaction (it commits with the action it records).

    `actor` is who acted (None for the system or an anonymous visitor), the subject any object
    named by type and id. `details` must be small JSON-able facts, never a secret. Raises
    Invalid for an unknown action or oversized details.
    """
    try:
        parsed = AuditAction(action)
    except ValueError:
        raise Invalid(fields={"action": f"Unknown audit action {action!r}."}) from None
    details = dict(details or {})
    if len(details) > DETAILS_MAX_KEYS:
        raise Invalid(fields={"details": f"Use at most {DETAILS_MAX_KEYS} keys."})
    event = AuditEvent(
        action=parsed,
        actor_id=actor.id if actor is not None else None,
        subject_type=subject_type[:40],
        subject_id=subject_id,
        details=details,
        ip=ip[:64] if ip else None,
        at=now or utcnow(),
    )
    db.session.add(event)
    db.session.flush()
    return event


def events_about(subject_type: str, subject_id: int, *, limit: int = 20) -> list[AuditEvent]:
    """The latest entries about one object, newest first, with their actors loaded."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )
