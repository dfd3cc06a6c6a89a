"""Demo data for alerts: a switched-off Slack endpoint and a welcome notification for everyone."""

from __future__ import annotations

from sqlalchemy import select

from forum.accounts.models import User
from forum.alerts import services
from forum.alerts.models import Notification, WebhookEndpoint, WebhookFormat
from forum.alerts.services import endpoints
from forum.core.db import utcnow
from forum.extensions import db

DEMO_ENDPOINT = "Comms team Slack (demo)"


def seed() -> str:
    """Idempotent: the endpoint is found by name, notifications by their dedupe key."""
    now = utcnow()
    created_endpoints = 0
    if (
        db.session.scalar(select(WebhookEndpoint).where(WebhookEndpoint.name == DEMO_ENDPOINT))
        is None
    ):
        # Off, since its URL goes nowhere: an admin switches it on after pasting a real one.
        db.session.add(
            WebhookEndpoint(
                name=DEMO_ENDPOINT,
                url="https://hooks.slack.com/services/T000/B000/demo",
                format=WebhookFormat.SLACK,
                secret=endpoints.new_secret(),
                is_active=False,
                created_at=now,
                updated_at=now,
            )
        )
        created_endpoints = 1
    welcomed = 0
    for user in db.session.scalars(select(User).where(User.is_active.is_(True))):
        key = f"demo:welcome:{user.id}"
        if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
            continue
        services.add_notification(
            user,
            kind="welcome",
            title="Welcome to the staff forum",
            body="Share what worked, what went wrong and how you fixed it. Notifications about "
            "replies, mentions and escalations appear here.",
            url="/",
            dedupe_key=key,
            now=now,
            digested_at=now,
        )
        welcomed += 1
    db.session.flush()
    return f"{created_endpoints} webhook endpoints, {welcomed} welcome notifications"
