"""Account mail (password resets, invitations) goes through the alerts outbox, never inline.

A request that sent mail itself would wait on SMTP (and answer at a different speed depending on
whether it sent anything); the outbox worker delivers, retries and dead-letters instead. Accounts
sits below alerts in the import order, so the outbox is imported where it is used.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from forum.core.web import base_url


def queue_email(
    to: str,
    *,
    subject: str,
    text: str,
    dedupe_key: str,
    url: str | None = None,
    link_label: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Add one email to the caller's transaction; `url` is site-relative. The same
    `dedupe_key` twice is one email. Raises Invalid for an empty or oversize key."""
    from forum.alerts import services as alerts_services

    payload: dict[str, Any] = {"subject": subject, "text": text, "kind": "account"}
    if url:
        # Made absolute now, while the request is at hand: without FORUM_BASE_URL (development)
        # the link then names the host the person is using, which the worker cannot know.
        payload["url"] = base_url() + url
        payload["link_label"] = link_label or "Open in the forum"
    alerts_services.enqueue("email", to, payload, dedupe_key, now=now)
