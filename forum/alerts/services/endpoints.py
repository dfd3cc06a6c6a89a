"""Webhook endpoints: the admin-managed places alerts are POSTed to, each with its own secret."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import secrets

from sqlalchemy import func, select

from forum.accounts.models import Role, User
from forum.accounts.permissions import require_role
from forum.alerts import netguard
from forum.alerts.channels.webhook import SECRET_PREFIX
from forum.alerts.models import OutboxMessage, WebhookEndpoint, WebhookFormat
from forum.alerts.services.outbox import enqueue_webhook
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid, NotFound
from forum.extensions import db

logger = logging.getLogger(__name__)


def new_secret() -> str:
    """A Standard Webhooks secret: "whsec_" + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _check(
    name: str, url: str, fmt: str, *, allow_private: bool, endpoint: WebhookEndpoint | None = None
) -> tuple[str, str, WebhookFormat]:
    fields: dict[str, str] = {}
    name = " ".join(name.split())
    if not 1 <= len(name) <= 120:
        fields["name"] = "Give a name of 1 to 120 characters."
    url = url.strip()
    if len(url) > 2048:
        fields["url"] = "The URL is longer than 2048 characters."
    else:
        try:
            netguard.parse_url(url, allow_private=allow_private)
        except netguard.UnsafeTarget as exc:
            fields["url"] = f"Not allowed: {exc}."
    try:
        format_ = WebhookFormat(fmt)
    except ValueError:
        fields["format"] = "Choose Slack, Teams or generic."
        format_ = WebhookFormat.GENERIC
    if fields:
        raise Invalid(fields=fields)
    clash = db.session.scalar(
        select(WebhookEndpoint).where(func.lower(WebhookEndpoint.name) == name.lower())
    )
    if clash is not None and clash is not endpoint:
        raise Conflict("Another endpoint has that name.", fields={"name": "Already in use."})
    return name, url, format_


def create_endpoint(
    actor: User,
    *,
    name: str,
    url: str,
    format: str,
    allow_private: bool,
    now: dt.datetime | None = None,
) -> WebhookEndpoint:
    """Add an endpoint with a fresh secret. Admins only (NotPermitted).

    The URL must be https and, unless `allow_private`, not name a private address literally
    (names are checked again on the resolved address at every send). Raises Invalid, Conflict.
    """
    require_role(actor, Role.ADMIN)
    name, url, format_ = _check(name, url, format, allow_private=allow_private)
    now = now or utcnow()
    endpoint = WebhookEndpoint(
        name=name,
        url=url,
        format=format_,
        secret=new_secret(),
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    db.session.add(endpoint)
    db.session.flush()
    logger.info("webhook endpoint %s created by user %s", endpoint.id, actor.id)
    return endpoint


def update_endpoint(
    actor: User,
    endpoint: WebhookEndpoint,
    *,
    name: str,
    url: str,
    format: str,
    is_active: bool,
    allow_private: bool,
    now: dt.datetime | None = None,
) -> WebhookEndpoint:
    """Change an endpoint; queued messages use the new URL and format. Admins only.

    Raises NotPermitted, Invalid, Conflict.
    """
    require_role(actor, Role.ADMIN)
    name, url, format_ = _check(name, url, format, allow_private=allow_private, endpoint=endpoint)
    endpoint.name, endpoint.url, endpoint.format = name, url, format_
    endpoint.is_active = is_active
    endpoint.updated_at = now or utcnow()
    db.session.flush()
    logger.info("webhook endpoint %s updated by user %s", endpoint.id, actor.id)
    return endpoint


def rotate_secret(
    actor: User, endpoint: WebhookEndpoint, *, now: dt.datetime | None = None
) -> WebhookEndpoint:
    """Give the endpoint a new secret; messages sent from now on are signed with it."""
    require_role(actor, Role.ADMIN)
    endpoint.secret = new_secret()
    endpoint.updated_at = now or utcnow()
    db.session.flush()
    logger.info("webhook endpoint %s secret rotated by user %s", endpoint.id, actor.id)
    return endpoint


def send_test(
    actor: User, endpoint: WebhookEndpoint, *, now: dt.datetime | None = None
) -> OutboxMessage:
    """Queue a test alert to the endpoint. Admins only; Conflict when it is switched off."""
    require_role(actor, Role.ADMIN)
    now = now or utcnow()
    return enqueue_webhook(
        endpoint,
        {
            "event": "forum.test",
            "title": "Test alert from the staff forum",
            "text": f"{actor.display_name} sent this to check the {endpoint.name} webhook.",
            "url": "/notifications",
            "fields": {"Endpoint": endpoint.name},
        },
        f"webhook-test:{endpoint.id}:{now.isoformat()}",
        now=now,
    )


def list_endpoints(*, active_only: bool = False) -> list[WebhookEndpoint]:
    """Every endpoint by name (the escalation policies offer the active ones)."""
    statement = select(WebhookEndpoint).order_by(WebhookEndpoint.name)
    if active_only:
        statement = statement.where(WebhookEndpoint.is_active.is_(True))
    return list(db.session.scalars(statement))


def endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    return endpoint
