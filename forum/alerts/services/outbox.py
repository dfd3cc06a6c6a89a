"""The outbox: alert rows added to the caller's transaction, and the admins' dead-letter handling.

Nothing here sends: the worker (forum.alerts.worker) does, after the caller commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from forum.accounts.models import Role, User
from forum.accounts.permissions import require_role
from forum.alerts.models import Channel, OutboxMessage, OutboxStatus, WebhookEndpoint
from forum.core.db import insert_new_rows, utcnow
from forum.core.errors import Conflict, Invalid, NotFound
from forum.core.mail import Email
from forum.core.pagination import Page
from forum.core.web import base_url
from forum.extensions import db

logger = logging.getLogger(__name__)


def enqueue(
    channel: Channel | str,
    recipient: str,
    payload: dict[str, Any],
    dedupe_key: str,
    *,
    now: dt.datetime | None = None,
    webhook_endpoint: WebhookEndpoint | None = None,
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction; the same key twice is one row.

    Raises Invalid for an unknown channel or an empty dedupe key.
    """
    channel = _checked(channel, [dedupe_key])
    existing = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
    )
    if existing is not None:
        return existing
    now = now or utcnow()
    message = OutboxMessage(
        channel=channel,
        recipient=recipient,
        payload=payload,
        dedupe_key=dedupe_key,
        created_at=now,
        next_attempt_at=now,
        status=OutboxStatus.PENDING,
        attempts=0,
        webhook_endpoint=webhook_endpoint,
    )
    db.session.add(message)
    db.session.flush()
    return message


def enqueue_many(
    channel: Channel | str,
    messages: Iterable[tuple[str, dict[str, Any], str]],
    *,
    now: dt.datetime | None = None,
) -> None:
    """Add several messages of one channel, each (recipient, payload, dedupe key), to the
    outbox in the caller's transaction, as `enqueue` would one by one, in one statement
    whatever their number: a key already queued, or repeated, adds nothing.

    Raises Invalid for an unknown channel or an empty or oversize dedupe key.
    """
    wanted: dict[str, tuple[str, dict[str, Any]]] = {}
    for recipient, payload, dedupe_key in messages:
        wanted.setdefault(dedupe_key, (recipient, payload))
    channel = _checked(channel, wanted)
    if not wanted:
        return
    now = now or utcnow()
    rows = [
        {
            "channel": channel,
            "recipient": recipient,
            "payload": payload,
            "dedupe_key": dedupe_key,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        }
        for dedupe_key, (recipient, payload) in wanted.items()
    ]
    # The unique dedupe key skips what is already queued, even by a concurrent transaction.
    db.session.execute(insert_new_rows(OutboxMessage, dialect_name()), rows)


def dialect_name() -> str:
    """The database engine's name ("sqlite", "postgresql") of the session's connection."""
    return db.session.get_bind().dialect.name


def _checked(channel: Channel | str, dedupe_keys: Iterable[str]) -> Channel:
    try:
        channel = Channel(channel)
    except ValueError:
        raise Invalid(fields={"channel": f"Unknown channel {channel!r}."}) from None
    if any(not key or len(key) > 255 for key in dedupe_keys):
        raise Invalid(fields={"dedupe_key": "Give a key of 1 to 255 characters."})
    return channel


def queue_email(email: Email, now: dt.datetime | None = None) -> None:
    """One email in the outbox, in the caller's transaction (`core.mail.queue_email`'s queue).

    Raises Invalid for an empty or oversize dedupe key.
    """
    payload: dict[str, Any] = {"subject": email.subject, "text": email.text, "kind": email.kind}
    if email.url:
        # Made absolute now, while a request may be at hand: without FORUM_BASE_URL
        # (development) the link then names the host the person is using.
        payload["url"] = base_url() + email.url if email.url.startswith("/") else email.url
        payload["link_label"] = email.link_label or "Open in the forum"
    enqueue(Channel.EMAIL, email.to, payload, email.dedupe_key, now=now)


def enqueue_webhook(
    endpoint: WebhookEndpoint,
    payload: dict[str, Any],
    dedupe_key: str,
    *,
    now: dt.datetime | None = None,
) -> OutboxMessage:
    """Queue one POST to `endpoint` in the caller's transaction.

    `payload` keys: event, title, text, url (site-relative), fields ({label: value}); the
    endpoint's format decides the JSON shape at send time. The same key twice is one row.
    Raises Conflict when the endpoint is switched off.
    """
    if not endpoint.is_active:
        raise Conflict(f"The webhook endpoint {endpoint.name!r} is switched off.")
    return enqueue(
        Channel.WEBHOOK, endpoint.url, payload, dedupe_key, now=now, webhook_endpoint=endpoint
    )


def outbox_counts() -> dict[str, int]:
    """Messages per status, every status present (zero when none)."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    counts = {status.value: 0 for status in OutboxStatus}
    counts.update({str(status): int(count) for status, count in rows})
    return counts


def list_messages(
    status: OutboxStatus, *, page: int = 1, per_page: int = 50
) -> Page[OutboxMessage]:
    """Outbox rows in one status, the most recently changed first."""
    condition = OutboxMessage.status == status
    total = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(condition)) or 0
    order = (
        OutboxMessage.dead_at.desc()
        if status == OutboxStatus.DEAD
        else OutboxMessage.next_attempt_at.asc()
    )
    items = db.session.scalars(
        select(OutboxMessage)
        .where(condition)
        .order_by(order, OutboxMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=list(items), page=page, per_page=per_page, total=total)


def message_or_404(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("No such outbox message.")
    return message


def requeue(
    message: OutboxMessage, *, actor: User, now: dt.datetime | None = None
) -> OutboxMessage:
    """Put a dead letter back in the queue, due at once; the max age restarts from now.

    Raises NotPermitted unless the actor is an admin, Conflict unless the message is dead.
    """
    require_role(actor, Role.ADMIN)
    if message.status != OutboxStatus.DEAD:
        raise Conflict("Only dead letters can be re-queued.")
    now = now or utcnow()
    message.status = OutboxStatus.PENDING
    message.next_attempt_at = now
    message.requeued_at = now
    message.dead_at = None
    message.claimed_by = None
    message.claimed_until = None
    db.session.flush()
    logger.info("outbox message %s re-queued by user %s", message.id, actor.id)
    return message
