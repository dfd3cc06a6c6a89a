"""The email channel: a text and an HTML part, absolute links, a Message-ID from the dedupe key,
and the recipient's own one-click links (acknowledge, open signed in, List-Unsubscribe), made
while sending."""

from __future__ import annotations

import hashlib
import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import select

from forum.accounts.models import User
from forum.accounts.services import email_links
from forum.alerts import redaction
from forum.alerts.channels import BaseChannel, Delivery, PermanentError, TransientError
from forum.alerts.services import unsubscribe
from forum.core.mail import MailError, build_message, send_message
from forum.core.web import base_url
from forum.extensions import db

logger = logging.getLogger(__name__)

# Payload "template" values the channel knows; anything else falls back to "notification".
TEMPLATES = frozenset({"notification", "digest"})


def absolute_url(base: str, url: str | None) -> str | None:
    """A site-relative path made absolute with FORUM_BASE_URL; absolute http(s) URLs kept."""
    if not url:
        return None
    if urlsplit(url).scheme in {"http", "https"}:
        return url
    return base.rstrip("/") + "/" + url.lstrip("/")


def message_id_for(dedupe_key: str, base: str) -> str:
    """The same Message-ID for every attempt, so a resend is recognisably the same mail."""
    digest = hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()[:32]
    domain = urlsplit(base).hostname or "forum.local"
    return f"<alert.{digest}@{domain}>"


def render_parts(
    app: Flask,
    payload: dict[str, Any],
    *,
    actions: list[dict[str, str]] | None = None,
    unsubscribe_url: str | None = None,
) -> tuple[str, str, str]:
    """Subject, text and HTML of a payload (see docs/alerts.md for its keys), with the
    recipient's one-click links (`actions`: label and absolute url) and unsubscribe link."""
    base = base_url()
    template = payload.get("template") if payload.get("template") in TEMPLATES else "notification"
    subject = " ".join(str(payload.get("subject") or "Forum notification").split())[:200]
    items = [
        {**item, "url": absolute_url(base, item.get("url"))}
        for item in payload.get("items") or []
        if isinstance(item, dict)
    ]
    details = payload.get("details") or {}
    context = {
        "subject": subject,
        "text": str(payload.get("text") or ""),
        "details": {str(k): str(v) for k, v in details.items()}
        if isinstance(details, dict)
        else {},
        "url": absolute_url(base, payload.get("url")),
        "link_label": str(payload.get("link_label") or "Open in the forum"),
        "items": items,
        "settings_url": absolute_url(base, "/settings"),
        "actions": actions or [],
        "unsubscribe_url": unsubscribe_url,
    }
    # Straight from the Jinja environment: the worker has no request, and the site's
    # context processors (the signed-in person, the bell) have nothing to say in an email.
    text = app.jinja_env.get_template(f"alerts/email/{template}.txt").render(**context)
    html = app.jinja_env.get_template(f"alerts/email/{template}.html").render(**context)
    return subject, text, html


def _recipient(delivery: Delivery) -> User | None:
    return db.session.scalar(select(User).where(User.email == delivery.recipient.lower()))


def _redact(delivery: Delivery, user: User | None) -> None:
    """Check what a notice or digest names against its recipient again, just before it is
    sent (forum.alerts.redaction): a notice they may no longer see is withheld, a digest item
    is withdrawn."""
    payload = delivery.payload
    items = [i for i in payload.get("items") or [] if isinstance(i, dict)]
    refs = set(payload.get("refs") or []) | {r for i in items for r in i.get("refs") or []}
    if not refs:
        return
    hidden = refs if user is None else redaction.hidden_refs(user, refs)
    if hidden.intersection(payload.get("refs") or []):
        delivery.context["withheld"] = True
    payload["items"] = [
        {
            **item,
            "title": redaction.WITHDRAWN_TITLE,
            "body": "",
            "url": redaction.WITHDRAWN_URL,
            "refs": [],
        }
        if hidden.intersection(item.get("refs") or [])
        else item
        for item in items
    ]


def _personal_links(delivery: Delivery, user: User) -> None:
    """Make the recipient's one-click links now, while sending, so the outbox holds only
    what they are for, never a usable link: the payload's `links` (accounts.services.
    email_links: single-use, EMAIL_LINK_HOURS from the claim) and its `unsubscribe`
    (services.unsubscribe). A spec made for another person id (the address changed hands
    since) gives nothing."""
    base = base_url()
    actions = []
    for spec in delivery.payload.get("links") or []:
        if not isinstance(spec, dict) or spec.get("user_id") != user.id:
            continue
        try:
            purpose, ref, path = str(spec["purpose"]), int(spec["ref"]), str(spec["path"])
        except (KeyError, TypeError, ValueError):
            continue  # a malformed spec must not stop the claim of the whole batch
        token = email_links.mint(user, purpose, ref, now=delivery.claimed_at)
        actions.append(
            {
                "label": str(spec.get("label") or "Open"),
                "url": str(absolute_url(base, f"{path}{token}")),
            }
        )
    delivery.context["actions"] = actions
    wanted = delivery.payload.get("unsubscribe")
    leave = unsubscribe.path_for(user, wanted) if isinstance(wanted, dict) else None
    if leave is not None:
        delivery.context["unsubscribe_url"] = absolute_url(base, leave)


class EmailChannel(BaseChannel):
    """SMTP through forum.core.mail; without MAIL_SERVER an .eml file under instance/mail."""

    name = "email"

    def prepare(self, delivery: Delivery) -> None:
        payload = delivery.payload
        if not (
            payload.get("refs")
            or payload.get("items")
            or payload.get("links")
            or payload.get("unsubscribe")
        ):
            return
        user = _recipient(delivery)
        _redact(delivery, user)
        if user is not None and user.is_active and not delivery.context.get("withheld"):
            _personal_links(delivery, user)

    def deliver(self, app: Flask, delivery: Delivery) -> None:
        if "@" not in delivery.recipient:
            raise PermanentError("recipient is not an email address")
        if delivery.context.get("withheld"):
            # Nothing to send: counted as done, so it is neither retried nor dead-lettered.
            logger.info(
                "outbox message %s withheld: its recipient can no longer see what it names",
                delivery.message_id,
            )
            return
        unsubscribe_url = delivery.context.get("unsubscribe_url")
        subject, text, html = render_parts(
            app,
            delivery.payload,
            actions=delivery.context.get("actions"),
            unsubscribe_url=unsubscribe_url,
        )
        headers = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
        if unsubscribe_url:
            # RFC 2369 and RFC 8058: mail providers show an unsubscribe button that POSTs
            # "List-Unsubscribe=One-Click" to the link (forum.alerts.views.unsubscribe).
            headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message = build_message(
            app.config,
            to=delivery.recipient,
            subject=subject,
            text=text,
            html=html,
            message_id=message_id_for(delivery.dedupe_key, base_url()),
            headers=headers,
        )
        try:
            send_message(app.config, message, app.instance_path)
        except MailError as exc:
            if exc.transient:
                raise TransientError(str(exc)) from exc
            raise PermanentError(str(exc)) from exc


CHANNEL = EmailChannel()
