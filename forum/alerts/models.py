"""The transactional outbox, its delivery attempts, webhook endpoints and in-app notifications."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.core.db import UTCDateTime, utcnow
from forum.extensions import Model


class Channel(enum.StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"
    INAPP = "inapp"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class AttemptOutcome(enum.StrEnum):
    """What one delivery attempt ended with."""

    SENT = "sent"
    TRANSIENT = "transient"  # failed, will be retried (or dead-lettered past the max age)
    PERMANENT = "permanent"  # failed for good: dead-lettered at once


class WebhookFormat(enum.StrEnum):
    """The JSON shape posted: Slack incoming webhook, Teams (Adaptive Card) or generic."""

    SLACK = "slack"
    TEAMS = "teams"
    GENERIC = "generic"

    @property
    def label(self) -> str:
        return {"slack": "Slack", "teams": "Microsoft Teams", "generic": "Generic JSON"}[self.value]


class OutboxMessage(Model):
    """One message to deliver, written in the same transaction as the event that causes it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(String(20))
    # An email address for email, a URL for webhooks, a user id for in-app.
    recipient: Mapped[str] = mapped_column(String(2048))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Stable per message: the email Message-ID and the webhook idempotency key derive from it,
    # and enqueueing the same key twice is a no-op.
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(String(20), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    # A worker's lease: while claimed_until is in the future no other worker takes the row.
    # A worker killed mid-batch never clears it, so the row simply becomes due again later.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    dead_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Set when an admin re-queues a dead letter: the max age then counts from here.
    requeued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # For webhook messages: the endpoint whose URL, secret and format apply at send time.
    webhook_endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="SET NULL"), index=True
    )

    webhook_endpoint: Mapped[WebhookEndpoint | None] = relationship()
    attempt_log: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="message",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="DeliveryAttempt.id",
    )

    @property
    def age_origin(self) -> dt.datetime:
        """The moment the max age counts from."""
        return self.requeued_at or self.created_at

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.channel} {self.status}>"


class DeliveryAttempt(Model):
    """One try at delivering an outbox message, kept for the admin pages and for debugging."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[AttemptOutcome] = mapped_column(String(20))
    # A short reason (status code, exception class); never a message body or a secret.
    error: Mapped[str | None] = mapped_column(String(1000))
    worker: Mapped[str] = mapped_column(String(100))

    message: Mapped[OutboxMessage] = relationship(back_populates="attempt_log")

    def __repr__(self) -> str:
        return f"<DeliveryAttempt {self.message_id}#{self.number} {self.outcome}>"


class WebhookEndpoint(Model):
    """A place alerts are POSTed to (a Slack or Teams channel, an on-call tool), signed."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    url: Mapped[str] = mapped_column(String(2048))
    # Standard Webhooks secret, "whsec_" + base64 of the HMAC key. Stored as is: signing needs it.
    secret: Mapped[str] = mapped_column(String(100))
    format: Mapped[WebhookFormat] = mapped_column(String(20), default=WebhookFormat.GENERIC)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)  # type: ignore[assignment]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {self.name}>"


class Notification(Model):
    """An in-app notification: the bell's unread count and the notifications page."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500))
    # What the notice names ("thread:12"): checked again whenever it is shown or sent later,
    # so a thread that became hidden from this person stops showing (forum.alerts.redaction).
    refs: Mapped[list[str]] = mapped_column(JSON, default=list)
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Set once email about it is settled: sent at once, included in a daily digest, or not
    # wanted. Only notifications of people on the daily digest stay unset until the digest.
    digested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def __repr__(self) -> str:
        return f"<Notification {self.id} user={self.user_id} {self.kind}>"
