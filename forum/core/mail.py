"""Email: the port through which any capability queues one, and the SMTP (or .eml) sending.

Queueing is a port because the outbox belongs to a capability (alerts) that sits above those
that need to send mail (accounts): alerts registers how mail is queued, and a lower capability
calls `queue_email` without importing it.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from flask import Flask, current_app

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Email:
    """One email to queue. `url` is site-relative (delivery makes it absolute); the same
    `dedupe_key` twice is one email; `kind` says which part of the forum sends it."""

    to: str
    subject: str
    text: str
    dedupe_key: str
    kind: str
    url: str | None = None
    link_label: str | None = None


EmailQueue = Callable[[Email, dt.datetime | None], None]


def register_email_queue(app: Flask, queue: EmailQueue) -> None:
    """Name the one function that adds an email to the caller's transaction (alerts' outbox)."""
    app.extensions["forum.email_queue"] = queue


def queue_email(email: Email, *, now: dt.datetime | None = None) -> None:
    """Add one email to the caller's transaction, delivered after it commits, never inline: a
    request that sent mail itself would wait on SMTP. Raises Invalid for an empty or oversize
    dedupe key."""
    queue: EmailQueue | None = current_app.extensions.get("forum.email_queue")
    if queue is None:
        raise RuntimeError("No capability queues email: alerts registers the outbox.")
    queue(email, now)


class MailError(Exception):
    """Delivery failed; `transient` says whether trying again later may succeed."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


def build_message(
    config: dict[str, Any],
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A multipart message with text and optional HTML parts and a stable Message-ID."""
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or make_msgid(domain="forum.local")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def send_message(config: dict[str, Any], message: EmailMessage, instance_path: str) -> None:
    """Deliver through MAIL_SERVER, or save under instance/mail when none is configured."""
    server = config.get("MAIL_SERVER")
    if not server:
        _write_eml(message, instance_path)
        return
    port = int(config.get("MAIL_PORT") or (465 if config.get("MAIL_USE_SSL") else 25))
    timeout = float(config.get("MAIL_TIMEOUT_SECONDS", 10))
    try:
        smtp: smtplib.SMTP
        if config.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(
                server, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(server, port, timeout=timeout)
        with smtp:
            if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(f"recipient refused: {exc.recipients}", transient=False) from exc
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"SMTP {exc.smtp_code}", transient=exc.smtp_code < 500) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"SMTP unavailable: {type(exc).__name__}", transient=True) from exc


def mail_dir(instance_path: str) -> Path:
    return Path(instance_path) / "mail"


def _write_eml(message: EmailMessage, instance_path: str) -> None:
    folder = mail_dir(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    stem = str(message["Message-ID"]).strip("<>").replace("/", "_").replace("@", "_at_")
    path = folder / f"{stem}.eml"
    path.write_bytes(bytes(message))
    logger.info("mail written to %s (no MAIL_SERVER configured)", path.name)
