"""The audit trail: append-only entries of security-relevant actions, its search and pruning.

Any capability records through `record(action, actor, subject, **details)` in its service
layer, inside the transaction of the action it records, so both commit or roll back together.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import logging
import re
from collections.abc import Iterable
from typing import Any

from flask import has_request_context, request
from sqlalchemy import ColumnElement, delete, false, func, select
from sqlalchemy.orm import selectinload

from forum.accounts.models import AuditAction, AuditEvent, User
from forum.core.db import utcnow
from forum.core.errors import Invalid
from forum.core.pagination import Page
from forum.core.spreadsheet import spreadsheet_safe
from forum.extensions import db

logger = logging.getLogger(__name__)

DETAILS_MAX_KEYS = 20
PER_PAGE = 50
# A CSV export holds at most this many rows (the newest); narrow the filters for older ones.
EXPORT_MAX_ROWS = 50_000

Subject = Any  # a model instance with an integer `id`, a ("type", id) pair, or None

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def subject_ref(subject: Subject) -> tuple[str, int | None]:
    """("user", 12) for a User, ("api_token", 3) for an ApiToken, ("thread", 5) for a Thread;
    a pair is taken as it is; None is ("none", None)."""
    if subject is None:
        return "none", None
    if isinstance(subject, tuple):
        kind, ident = subject
        return str(kind)[:40], ident
    return _CAMEL.sub("_", type(subject).__name__).lower()[:40], subject.id


def record(
    action: AuditAction | str,
    actor: User | None,
    subject: Subject,
    *,
    ip: str | None = None,
    now: dt.datetime | None = None,
    **details: Any,
) -> AuditEvent:
    """Add one audit entry to the caller's transaction (it commits with the action it records).

    `actor` is who acted (None for the system or an anonymous visitor); `subject` the object
    acted on (see subject_ref). `details` must be small JSON-able facts, never a password,
    code or token. `ip` defaults to the current request's client address, if any. Raises
    Invalid for an unknown action or oversized details.
    """
    try:
        parsed = AuditAction(action)
    except ValueError:
        raise Invalid(fields={"action": f"Unknown audit action {action!r}."}) from None
    if len(details) > DETAILS_MAX_KEYS:
        raise Invalid(fields={"details": f"Use at most {DETAILS_MAX_KEYS} keys."})
    subject_type, subject_id = subject_ref(subject)
    if ip is None and has_request_context():
        # The one exception to "services never read the request": every caller would pass
        # the same address, and moderation has no other reason to know it.
        ip = request.remote_addr
    event = AuditEvent(
        action=parsed,
        actor_id=actor.id if actor is not None else None,
        subject_type=subject_type,
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


@dataclasses.dataclass(frozen=True)
class AuditFilter:
    """What the admin page, its CSV and the API narrow the log to; every part optional.

    `actor` is an email or a user id; `subject` is "type:id" ("user:12", "post:7") or a
    person's email; `since`/`until` are whole days, both included, in UTC.
    """

    action: str | None = None
    actor: str | None = None
    subject: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def _user_id(ref: str) -> int | None:
    ref = ref.strip()
    if ref.isdigit():
        return int(ref) if len(ref) < 12 else None
    return db.session.scalar(select(User.id).where(User.email == ref.lower()))


def _conditions(flt: AuditFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if flt.action:
        action = flt.action.strip()
        # A family ("user", "thread.") matches each of its actions.
        if action in set(AuditAction):
            where.append(AuditEvent.action == action)
        else:
            where.append(AuditEvent.action.startswith(action.rstrip(".") + ".", autoescape=True))
    if flt.actor:
        actor_id = _user_id(flt.actor)
        where.append(AuditEvent.actor_id == actor_id if actor_id is not None else false())
    if flt.subject:
        text = flt.subject.strip()
        kind, _, ident = text.partition(":")
        if ident.strip().isdigit() and len(ident.strip()) < 12:
            where.append(AuditEvent.subject_type == kind.strip().lower())
            where.append(AuditEvent.subject_id == int(ident))
        else:
            user_id = _user_id(text) if "@" in text else None
            if user_id is None:
                where.append(false())
            else:
                where.append(AuditEvent.subject_type == "user")
                where.append(AuditEvent.subject_id == user_id)
    if flt.since:
        where.append(AuditEvent.at >= _day_start(flt.since))
    if flt.until:
        where.append(AuditEvent.at < _day_start(flt.until + dt.timedelta(days=1)))
    return where


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def search(flt: AuditFilter, *, page: int = 1, per_page: int = PER_PAGE) -> Page[AuditEvent]:
    """One page of the entries matching `flt`, newest first, with their actors loaded."""
    where = _conditions(flt)
    total = db.session.scalar(select(func.count(AuditEvent.id)).where(*where)) or 0
    items = list(
        db.session.scalars(
            select(AuditEvent)
            .where(*where)
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return Page(items=items, page=page, per_page=per_page, total=total)


def subject_labels(events: Iterable[AuditEvent]) -> dict[tuple[str, int], str]:
    """Readable names of the subjects that are people (their email), in one query; other
    subjects are named by type and id wherever they are shown."""
    user_ids = {e.subject_id for e in events if e.subject_type == "user" and e.subject_id}
    if not user_ids:
        return {}
    rows = db.session.execute(select(User.id, User.email).where(User.id.in_(user_ids)))
    return {("user", user_id): email for user_id, email in rows}


def subject_text(event: AuditEvent, labels: dict[tuple[str, int], str]) -> str:
    if event.subject_id is None:
        return event.subject_type if event.subject_type != "none" else ""
    label = labels.get((event.subject_type, event.subject_id))
    return f"{event.subject_type}:{event.subject_id}" + (f" ({label})" if label else "")


CSV_COLUMNS = ("at", "action", "actor", "subject_type", "subject_id", "subject", "ip", "details")


def export_csv(flt: AuditFilter) -> str:
    """The matching entries (newest first, at most EXPORT_MAX_ROWS) as CSV text, every cell
    made safe for spreadsheets (no cell starts a formula)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    events = search(flt, page=1, per_page=EXPORT_MAX_ROWS).items
    labels = subject_labels(events)
    for event in events:
        cells = (
            event.at.isoformat(),
            str(event.action),
            event.actor.email if event.actor else "",
            event.subject_type,
            "" if event.subject_id is None else str(event.subject_id),
            labels.get((event.subject_type, event.subject_id or 0), ""),
            event.ip or "",
            ", ".join(f"{key}={value}" for key, value in sorted(event.details.items())),
        )
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return out.getvalue()


def prune(retention_days: int, *, now: dt.datetime | None = None) -> int:
    """Delete the entries older than `retention_days` (0 or less keeps everything); returns
    how many went."""
    if retention_days <= 0:
        return 0
    cutoff = (now or utcnow()) - dt.timedelta(days=retention_days)
    result = db.session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
    pruned = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if pruned:
        logger.info("audit log: %s entries older than %s days pruned", pruned, retention_days)
    return pruned
