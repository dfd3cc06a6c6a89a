"""Plain factory functions for alert tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forum.accounts.models import User
from forum.alerts import services
from forum.alerts.models import Channel, Notification, OutboxMessage, WebhookEndpoint, WebhookFormat
from forum.alerts.services import endpoints
from forum.core.db import utcnow
from forum.extensions import db
from tests.factories import next_id


def make_notification(user: User, **overrides: Any) -> Notification:
    n = next_id()
    notification = services.add_notification(
        user,
        kind=overrides.pop("kind", "reply"),
        title=overrides.pop("title", f"Reply {n}"),
        body=overrides.pop("body", f"Someone replied ({n})."),
        url=overrides.pop("url", f"/t/{n}#post-{n}"),
        dedupe_key=overrides.pop("dedupe_key", f"test-notification:{n}"),
        now=overrides.pop("now", None),
    )
    for key, value in overrides.items():
        setattr(notification, key, value)
    db.session.commit()
    return notification


def make_endpoint(
    url: str, *, format: WebhookFormat = WebhookFormat.GENERIC, **overrides: Any
) -> WebhookEndpoint:
    """An endpoint saved directly (no URL policy), so tests can point it anywhere."""
    n = next_id()
    endpoint = WebhookEndpoint(
        name=overrides.pop("name", f"Endpoint {n}"),
        url=url,
        format=format,
        secret=endpoints.new_secret(),
        is_active=overrides.pop("is_active", True),
        **overrides,
    )
    db.session.add(endpoint)
    db.session.commit()
    return endpoint


def make_email(
    to: str = "someone@example.org", *, now: dt.datetime | None = None, **payload: Any
) -> OutboxMessage:
    n = next_id()
    message = services.enqueue(
        Channel.EMAIL,
        to,
        {
            "subject": payload.pop("subject", f"Alert {n}"),
            "text": payload.pop("text", "Body."),
            "url": payload.pop("url", f"/escalations/{n}"),
            **payload,
        },
        f"test-email:{n}",
        now=now or utcnow(),
    )
    db.session.commit()
    return message
