"""Alert rows added to the caller's transaction, notifications, and dead-letter handling.

Nothing here sends: the worker (forum.alerts.worker) does, after the caller commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import func, select, update

from forum.accounts.models import EmailPreference, Role, User
from forum.accounts.permissions import require_role
from forum.alerts import redaction
from forum.alerts.models import (
    Channel,
    Notification,
    OutboxMessage,
    OutboxStatus,
    WebhookEndpoint,
)
from forum.alerts.redaction import NoticeView
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid, NotFound
from forum.core.pagination import Page
from forum.extensions import db

logger = logging.getLogger(__name__)

NOTIFICATIONS_PER_PAGE = 20


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
    try:
        channel = Channel(channel)
    except ValueError:
        raise Invalid(fields={"channel": f"Unknown channel {channel!r}."}) from None
    if not dedupe_key or len(dedupe_key) > 255:
        raise Invalid(fields={"dedupe_key": "Give a key of 1 to 255 characters."})
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


def queue_email(
    to: str,
    *,
    subject: str,
    text: str,
    dedupe_key: str,
    kind: str,
    url: str | None = None,
    link_label: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """One email in the outbox, in the caller's transaction (`core.mail.queue_email`'s queue).

    Raises Invalid for an empty or oversize dedupe key.
    """
    payload: dict[str, Any] = {"subject": subject, "text": text, "kind": kind}
    if url:
        payload["url"] = url
        payload["link_label"] = link_label or "Open in the forum"
    enqueue(Channel.EMAIL, to, payload, dedupe_key, now=now)


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


def add_notification(
    user: User,
    *,
    kind: str,
    title: str,
    body: str,
    url: str,
    dedupe_key: str | None,
    now: dt.datetime | None = None,
    digested_at: dt.datetime | None = None,
    refs: list[str] | None = None,
) -> Notification:
    """Write one in-app notification; an existing one with the same dedupe key is returned.

    `refs` name the objects it mentions ("thread:12"), checked again whenever it is shown.
    """
    if dedupe_key is not None:
        existing = db.session.scalar(
            select(Notification).where(Notification.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return existing
    notification = Notification(
        user=user,
        kind=kind[:40],
        title=title[:300],
        body=body,
        url=url[:500],
        refs=list(refs or []),
        dedupe_key=dedupe_key,
        created_at=now or utcnow(),
        digested_at=digested_at,
    )
    db.session.add(notification)
    db.session.flush()
    return notification


def notify_user(
    user: User,
    *,
    kind: str,
    title: str,
    body: str,
    url: str,
    dedupe_key: str,
    email: bool | None = None,
    now: dt.datetime | None = None,
    details: dict[str, str] | None = None,
    refs: list[str] | None = None,
) -> Notification | None:
    """Notify one person in-app and, per their email preference, by email.

    The caller words it for this person (forum.boards.services.disclosure decides what they may
    be told) and lists in `refs` the objects it names, so that the notice, the digest and the
    email are checked again when shown or sent (forum.alerts.redaction). `url` is a
    site-relative path. `email=True` forces an immediate email (escalations),
    `email=False` suppresses it; None follows the person's preference (people on the daily
    digest get it in the next digest). `details` ({label: value}) are listed in the email.
    Inactive people get nothing (returns None).
    """
    if not user.is_active:
        return None
    now = now or utcnow()
    preference = EmailPreference(user.email_preference)
    send_email = email if email is not None else preference == EmailPreference.IMMEDIATELY
    waits_for_digest = email is None and preference == EmailPreference.DAILY
    notification = add_notification(
        user,
        kind=kind,
        title=title,
        body=body,
        url=url,
        dedupe_key=dedupe_key,
        now=now,
        digested_at=None if waits_for_digest else now,
        refs=refs,
    )
    if send_email:
        payload: dict[str, Any] = {"subject": title, "text": body, "url": url, "kind": kind}
        if refs:
            payload["refs"] = list(refs)
        if details:
            payload["details"] = details
        enqueue(Channel.EMAIL, user.email, payload, dedupe_key=f"email:{dedupe_key}", now=now)
    db.session.flush()
    return notification


# --- Reading and marking notifications -------------------------------------------------------


def unread_count(user: User) -> int:
    """How many of the person's notifications are unread (the bell)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def list_notifications(
    user: User, *, page: int = 1, per_page: int = NOTIFICATIONS_PER_PAGE, unread_only: bool = False
) -> Page[NoticeView]:
    """The person's notifications, newest first, as they may see them now: one naming
    something they can no longer see is withdrawn (forum.alerts.redaction)."""
    condition = [Notification.user_id == user.id]
    if unread_only:
        condition.append(Notification.read_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(Notification).where(*condition)) or 0
    items = db.session.scalars(
        select(Notification)
        .where(*condition)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=redaction.shown(user, items), page=page, per_page=per_page, total=total)


def mark_read(
    user: User, notification_ids: list[int] | None = None, *, now: dt.datetime | None = None
) -> int:
    """Mark the person's notifications read: the given ids, or all when ids is None.

    Ids that are not theirs are ignored (never revealed). Returns how many changed.
    """
    statement = (
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    if notification_ids is not None:
        if not notification_ids:
            return 0
        statement = statement.where(Notification.id.in_(notification_ids))
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.expire_all()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def open_notification(
    user: User, notification_id: int, *, now: dt.datetime | None = None
) -> NoticeView:
    """Mark one of the person's notifications read and return it as they may see it now (to
    go to its target; a withdrawn one leads back to the list).

    Raises NotFound when it does not exist or belongs to someone else.
    """
    mark_read(user, [notification_id], now=now)
    notification = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user.id
        )
    )
    if notification is None:
        raise NotFound("No such notification.")
    return redaction.shown(user, [notification])[0]


def mark_read_for_url(user: User, url: str, *, now: dt.datetime | None = None) -> int:
    """Mark read the person's notifications pointing at `url` (or an anchor in it): a page
    that shows the target can call this so the bell follows what was seen."""
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.read_at.is_(None),
            (Notification.url == url) | Notification.url.startswith(url + "#", autoescape=True),
        )
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- The outbox for admins --------------------------------------------------------------------


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
