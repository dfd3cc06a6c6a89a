"""Alert rows added to the caller's transaction; nothing here sends (the worker does)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select

from forum.accounts.models import EmailPreference, User
from forum.alerts.models import Channel, Notification, OutboxMessage
from forum.core.db import utcnow
from forum.extensions import db

logger = logging.getLogger(__name__)


def enqueue(channel: Channel | str, recipient: str, payload: dict[str, Any], dedupe_key: str,
            *, now: dt.datetime | None = None) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction; the same key twice is one row."""
    existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    now = now or utcnow()
    message = OutboxMessage(channel=Channel(channel), recipient=recipient, payload=payload,
                            dedupe_key=dedupe_key, created_at=now, next_attempt_at=now)
    db.session.add(message)
    db.session.flush()
    return message


def notify_user(user: User, *, kind: str, title: str, body: str, url: str, dedupe_key: str,
                email: bool | None = None, now: dt.datetime | None = None) -> Notification | None:
    """Notify one person in-app and, per their email preference, by email.

    `url` is a site-relative path. `email=True` forces an immediate email (escalations),
    `email=False` suppresses it; None follows the person's preference (daily digests are
    sent later by the worker from the unread notifications). Inactive people get nothing.
    """
    if not user.is_active:
        return None
    now = now or utcnow()
    notification = db.session.scalar(select(Notification).where(Notification.dedupe_key == dedupe_key))
    if notification is None:
        notification = Notification(user=user, kind=kind, title=title[:300], body=body, url=url,
                                    dedupe_key=dedupe_key, created_at=now)
        db.session.add(notification)
    send_email = email if email is not None else (
        user.email_preference == EmailPreference.IMMEDIATELY)
    if send_email:
        enqueue(Channel.EMAIL, user.email, {
            "subject": title, "text": body, "url": url, "kind": kind,
        }, dedupe_key=f"email:{dedupe_key}", now=now)
    db.session.flush()
    return notification
