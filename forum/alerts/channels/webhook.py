"""The webhook channel: Slack-, Teams- or generic JSON, signed Standard Webhooks style,
POSTed to the resolved, checked address with short timeouts and no redirects."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import time
from typing import Any

from flask import Flask

from forum.alerts import netguard
from forum.alerts.channels import BaseChannel, Delivery, PermanentError, TransientError
from forum.alerts.channels.email import absolute_url
from forum.alerts.models import WebhookEndpoint, WebhookFormat
from forum.core.web import base_url
from forum.extensions import db

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"  # noqa: S105  (the Standard Webhooks prefix, not a secret)
USER_AGENT = "forum-alerts/1"
MAX_RESPONSE_BYTES = 64 * 1024


def webhook_id_for(dedupe_key: str) -> str:
    """The webhook-id header: the same on every retry, so receivers can drop duplicates."""
    return "msg_" + hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()[:32]


def signing_key(secret: str) -> bytes:
    """The HMAC key of a "whsec_<base64>" secret (Standard Webhooks)."""
    raw = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError:
        return raw.encode("utf-8")


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header value: "v1,<base64 HMAC-SHA256 of id.timestamp.body>"."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def verify(
    secret: str,
    headers: dict[str, str],
    body: bytes,
    *,
    now: int | None = None,
    tolerance: int = 300,
) -> bool:
    """What a receiver does: recompute the signature and check the timestamp is fresh."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        timestamp = int(lowered["webhook-timestamp"])
        expected = sign(secret, lowered["webhook-id"], timestamp, body)
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else int(time.time())) - timestamp) > tolerance:
        return False
    return any(
        hmac.compare_digest(expected, candidate)
        for candidate in lowered.get("webhook-signature", "").split()
    )


def _mrkdwn(text: str) -> str:
    """Slack needs &, < and > escaped in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_body(
    fmt: WebhookFormat | str,
    payload: dict[str, Any],
    *,
    base_url: str,
    webhook_id: str,
    created_at: str,
) -> dict[str, Any]:
    """The JSON document for one alert in the endpoint's format (keys in docs/alerts.md)."""
    title = str(payload.get("title") or "Forum alert")
    text = str(payload.get("text") or "")
    url = absolute_url(base_url, payload.get("url"))
    fields = {str(k): str(v) for k, v in (payload.get("fields") or {}).items()}
    event = str(payload.get("event") or "forum.alert")
    if fmt == WebhookFormat.SLACK:
        lines = [f"*{_mrkdwn(title)}*"] + ([_mrkdwn(text)] if text else [])
        blocks: list[dict[str, Any]] = [
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}
        ]
        if fields:
            blocks.append(
                {
                    "type": "section",
                    "fields": [
                        {"type": "mrkdwn", "text": f"*{_mrkdwn(k)}*\n{_mrkdwn(v)}"}
                        for k, v in list(fields.items())[:10]
                    ],
                }
            )
        if url:
            blocks.append(
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": "Open"},
                            "url": url,
                        }
                    ],
                }
            )
        fallback = f"{title}: {text}" if text else title
        return {"text": _mrkdwn(fallback + (f" {url}" if url else "")), "blocks": blocks}
    if fmt == WebhookFormat.TEAMS:
        body: list[dict[str, Any]] = [
            {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True}
        ]
        if text:
            body.append({"type": "TextBlock", "text": text, "wrap": True})
        if fields:
            body.append(
                {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in fields.items()]}
            )
        card: dict[str, Any] = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": body,
        }
        if url:
            card["actions"] = [{"type": "Action.OpenUrl", "title": "Open", "url": url}]
        return {
            "type": "message",
            "summary": title,
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": card,
                }
            ],
        }
    data = {key: value for key, value in payload.items() if key not in {"event"}}
    data.update({"title": title, "text": text, "url": url, "fields": fields})
    return {"id": webhook_id, "type": event, "timestamp": created_at, "data": data}


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an already checked address; the Host header keeps the name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to an already checked address, verifying the certificate against the name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def post_json(
    url: str, body: bytes, headers: dict[str, str], *, allow_private: bool, timeout: float
) -> int:
    """POST body to url after the address check; returns the status. Never follows redirects.

    Raises PermanentError for a refused target, TransientError for network trouble.
    """
    try:
        target = netguard.parse_url(url, allow_private=allow_private)
        address = netguard.resolve_allowed(
            target, allow_private=allow_private, resolve=netguard.system_resolve
        )
    except netguard.UnsafeTarget as exc:
        raise PermanentError(f"refused: {exc}") from exc
    except OSError as exc:
        raise TransientError(f"cannot resolve host: {type(exc).__name__}") from exc
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target.host, target.port, address=address, timeout=timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        status = response.status
        retry_after = response.getheader("Retry-After")
    except ssl.SSLCertVerificationError as exc:
        raise TransientError("TLS certificate not valid for the host") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise TransientError(f"webhook unreachable: {type(exc).__name__}") from exc
    finally:
        connection.close()
    if 200 <= status < 300:
        return status
    if status in {408, 425, 429} or status >= 500:
        raise TransientError(f"HTTP {status}", retry_after=_seconds(retry_after))
    if 300 <= status < 400:
        raise PermanentError(f"HTTP {status}: redirects are not followed")
    raise PermanentError(f"HTTP {status}")


def _seconds(raw: str | None) -> float | None:
    try:
        return max(0.0, float(raw)) if raw else None
    except ValueError:
        return None


class WebhookChannel(BaseChannel):
    """Reads the endpoint while the row is claimed, then signs and POSTs with no transaction."""

    name = "webhook"

    def prepare(self, delivery: Delivery) -> None:
        endpoint = (
            db.session.get(WebhookEndpoint, delivery.webhook_endpoint_id)
            if delivery.webhook_endpoint_id is not None
            else None
        )
        if endpoint is None:
            delivery.context = {"error": "the webhook endpoint no longer exists"}
        elif not endpoint.is_active:
            delivery.context = {"error": f"webhook endpoint {endpoint.id} is switched off"}
        else:
            delivery.context = {
                "url": endpoint.url,
                "secret": endpoint.secret,
                "format": endpoint.format,
                "endpoint_id": endpoint.id,
            }

    def deliver(self, app: Flask, delivery: Delivery) -> None:
        context = delivery.context
        if "error" in context:
            raise PermanentError(context["error"])
        webhook_id = webhook_id_for(delivery.dedupe_key)
        document = render_body(
            context["format"],
            delivery.payload,
            base_url=base_url(),
            webhook_id=webhook_id,
            created_at=delivery.created_at.isoformat(),
        )
        body = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(context["secret"], webhook_id, timestamp, body),
        }
        post_json(
            context["url"],
            body,
            headers,
            allow_private=bool(app.config["WEBHOOK_ALLOW_PRIVATE"]),
            timeout=float(app.config["WEBHOOK_TIMEOUT_SECONDS"]),
        )


CHANNEL = WebhookChannel()
