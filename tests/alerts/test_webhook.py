"""Webhooks to a real HTTP receiver: signatures, formats, recovery, and address refusals."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from forum.accounts.models import Role
from forum.alerts import netguard, services, worker
from forum.alerts.channels import webhook
from forum.alerts.models import OutboxStatus, WebhookFormat
from forum.alerts.services import endpoints
from forum.core.errors import Conflict, Invalid, NotPermitted
from forum.extensions import db
from tests.alerts.factories import make_endpoint
from tests.alerts.servers import WebhookReceiver
from tests.factories import make_user, reload

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

PAYLOAD = {
    "event": "escalation.opened",
    "title": "Crisis: bins <not> collected",
    "text": "Residents are angry & loud",
    "url": "/escalations/7",
    "fields": {"Urgency": "crisis", "Department": "Waste"},
}


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server


def expected_signature(secret: str, headers: dict[str, str], body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def lower(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def test_signed_webhook_reaches_the_receiver(app: Flask, receiver: WebhookReceiver) -> None:
    endpoint = make_endpoint(receiver.url)
    message = services.enqueue_webhook(endpoint, PAYLOAD, "escalation:7:opened", now=T0)
    db.session.commit()

    assert worker.run_once(now=T0).sent == 1
    [request] = receiver.requests
    headers = lower(request.headers)
    assert request.path == "/hooks/forum"
    assert headers["content-type"] == "application/json"
    assert headers["webhook-id"] == webhook.webhook_id_for("escalation:7:opened")
    assert headers["webhook-signature"] == expected_signature(
        endpoint.secret, headers, request.body
    )
    assert webhook.verify(endpoint.secret, request.headers, request.body)
    assert not webhook.verify(endpoints.new_secret(), request.headers, request.body)
    assert not webhook.verify(endpoint.secret, request.headers, request.body + b" ")
    document = json.loads(request.body)
    assert document["type"] == "escalation.opened"
    assert document["data"]["url"] == "http://forum.test/escalations/7"
    assert document["data"]["fields"] == {"Urgency": "crisis", "Department": "Waste"}
    assert reload(message).status == OutboxStatus.SENT


def test_receiver_failing_then_recovering_gets_the_alert(app: Flask) -> None:
    with WebhookReceiver([500, 200]) as receiver:
        endpoint = make_endpoint(receiver.url)
        message = services.enqueue_webhook(endpoint, PAYLOAD, "escalation:8:opened", now=T0)
        db.session.commit()

        assert worker.run_once(now=T0).retrying == 1
        message = reload(message)
        assert message.status == OutboxStatus.PENDING
        assert message.last_error == "HTTP 500"
        assert message.next_attempt_at <= T0 + dt.timedelta(seconds=30)

        assert worker.run_once(now=message.next_attempt_at).sent == 1
        first, second = receiver.requests
        # The same idempotency key on the retry, freshly signed.
        assert lower(first.headers)["webhook-id"] == lower(second.headers)["webhook-id"]
        assert webhook.verify(endpoint.secret, second.headers, second.body)
        assert reload(message).status == OutboxStatus.SENT


def test_client_error_and_redirect_are_permanent(app: Flask) -> None:
    with WebhookReceiver([404]) as receiver:
        endpoint = make_endpoint(receiver.url)
        message = services.enqueue_webhook(endpoint, PAYLOAD, "k404", now=T0)
        db.session.commit()
        assert worker.run_once(now=T0).dead == 1
        assert reload(message).last_error == "HTTP 404"
    with WebhookReceiver([302]) as receiver:
        endpoint = make_endpoint(receiver.url)
        message = services.enqueue_webhook(endpoint, PAYLOAD, "k302", now=T0)
        db.session.commit()
        assert worker.run_once(now=T0).dead == 1
        assert len(receiver.requests) == 1  # the redirect was not followed
        assert "redirect" in (reload(message).last_error or "")


@pytest.mark.parametrize("fmt", list(WebhookFormat))
def test_each_format_is_valid_json_with_title_and_link(
    app: Flask, receiver: WebhookReceiver, fmt: WebhookFormat
) -> None:
    endpoint = make_endpoint(receiver.url, format=fmt)
    services.enqueue_webhook(endpoint, PAYLOAD, f"fmt:{fmt}", now=T0)
    db.session.commit()
    worker.run_once(now=T0)
    document = json.loads(receiver.requests[0].body)
    if fmt == WebhookFormat.SLACK:
        assert "Crisis: bins &lt;not&gt; collected" in document["text"]
        assert document["blocks"][0]["type"] == "section"
        assert document["blocks"][-1]["elements"][0]["url"] == "http://forum.test/escalations/7"
    elif fmt == WebhookFormat.TEAMS:
        card = document["attachments"][0]
        assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert card["content"]["type"] == "AdaptiveCard"
        assert card["content"]["body"][0]["text"] == "Crisis: bins <not> collected"
        assert card["content"]["actions"][0]["url"] == "http://forum.test/escalations/7"
        assert {"title": "Urgency", "value": "crisis"} in card["content"]["body"][2]["facts"]
    else:
        assert document["data"]["title"] == "Crisis: bins <not> collected"


def test_endpoint_switched_off_after_queueing_is_dead_lettered(
    app: Flask, receiver: WebhookReceiver
) -> None:
    endpoint = make_endpoint(receiver.url)
    message = services.enqueue_webhook(endpoint, PAYLOAD, "off-later", now=T0)
    endpoint.is_active = False
    db.session.commit()
    assert worker.run_once(now=T0).dead == 1
    assert "switched off" in (reload(message).last_error or "")
    assert receiver.requests == []
    with pytest.raises(Conflict):
        services.enqueue_webhook(endpoint, PAYLOAD, "off-now")


def test_endpoint_url_changes_apply_to_queued_messages(app: Flask) -> None:
    with WebhookReceiver() as old, WebhookReceiver() as new:
        endpoint = make_endpoint(old.url)
        services.enqueue_webhook(endpoint, PAYLOAD, "moved", now=T0)
        endpoint.url = new.url
        db.session.commit()
        worker.run_once(now=T0)
        assert (len(old.requests), len(new.requests)) == (0, 1)


def test_connects_to_the_resolved_address_and_keeps_the_host_name(
    app: Flask, receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(netguard, "system_resolve", lambda host, port: ["127.0.0.1"])
    endpoint = make_endpoint(f"http://hooks.receiver.test:{receiver.port}/in")
    services.enqueue_webhook(endpoint, PAYLOAD, "pinned", now=T0)
    db.session.commit()
    assert worker.run_once(now=T0).sent == 1
    assert lower(receiver.requests[0].headers)["host"] == f"hooks.receiver.test:{receiver.port}"


# --- Refusals when private targets are not allowed (production) -----------------------------

REFUSED_URLS = [
    "http://hooks.example.com/x",  # not https
    "https://127.0.0.1/x",
    "https://10.1.2.3/x",
    "https://192.168.0.10/x",
    "https://172.16.5.4/x",
    "https://169.254.169.254/latest/meta-data",
    "https://[::1]/x",
    "https://[fe80::1]/x",
    "https://[::ffff:10.0.0.1]/x",
    "https://0.0.0.0/x",
    "https://100.64.0.1/x",
    "https://240.0.0.1/x",
    "https://user:pass@hooks.example.com/x",
    "ftp://hooks.example.com/x",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_unsafe_urls_are_refused_by_shape(url: str) -> None:
    def check() -> None:
        target = netguard.parse_url(url, allow_private=False)
        netguard.resolve_allowed(target, allow_private=False, resolve=lambda h, p: ["8.8.8.8"])

    with pytest.raises(netguard.UnsafeTarget):
        check()


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.0.0.7", "169.254.169.254", "::1", "fd00::1", "192.168.1.1"]
)
def test_names_resolving_to_internal_addresses_are_refused(address: str) -> None:
    target = netguard.parse_url("https://hooks.example.com/x", allow_private=False)
    with pytest.raises(netguard.UnsafeTarget, match="not a public address"):
        netguard.resolve_allowed(target, allow_private=False, resolve=lambda h, p: [address])
    # A name with one public and one internal address is refused too.
    with pytest.raises(netguard.UnsafeTarget):
        netguard.resolve_allowed(
            target, allow_private=False, resolve=lambda h, p: ["93.184.216.34", address]
        )


def test_public_addresses_are_allowed() -> None:
    target = netguard.parse_url("https://hooks.example.com:8443/in?x=1", allow_private=False)
    assert (target.host, target.port, target.path) == ("hooks.example.com", 8443, "/in?x=1")
    assert (
        netguard.resolve_allowed(
            target, allow_private=False, resolve=lambda h, p: ["93.184.216.34"]
        )
        == "93.184.216.34"
    )
    assert netguard.is_public_address(ipaddress.ip_address("2606:4700::1111"))


class TestSendTimeRefusals:
    """With WEBHOOK_ALLOW_PRIVATE false the worker refuses at send time, never connecting."""

    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "WEBHOOK_ALLOW_PRIVATE": False}

    @pytest.mark.parametrize(
        "url",
        [
            "http://{host}/hook",
            "https://127.0.0.1:{port}/hook",
            "https://10.0.0.8/hook",
            "https://169.254.169.254/hook",
            "https://[::1]:{port}/hook",
            "https://localhost:{port}/hook",
        ],
    )
    def test_refused_target_is_dead_lettered_without_a_request(
        self, app: Flask, receiver: WebhookReceiver, url: str
    ) -> None:
        endpoint = make_endpoint(url.format(host=f"127.0.0.1:{receiver.port}", port=receiver.port))
        message = services.enqueue_webhook(endpoint, PAYLOAD, f"refuse:{url}", now=T0)
        db.session.commit()
        assert worker.run_once(now=T0).dead == 1
        assert (reload(message).last_error or "").startswith("refused")
        assert receiver.requests == []

    def test_name_resolving_to_private_address_is_refused(
        self, app: Flask, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(netguard, "system_resolve", lambda host, port: ["10.20.30.40"])
        endpoint = make_endpoint("https://hooks.partner.example/x")
        message = services.enqueue_webhook(endpoint, PAYLOAD, "dns-private", now=T0)
        db.session.commit()
        assert worker.run_once(now=T0).dead == 1
        assert "10.20.30.40" in (reload(message).last_error or "")

    def test_admin_cannot_save_a_literal_private_or_http_url(self, app: Flask) -> None:
        admin = make_user(Role.ADMIN)
        for url in ("http://hooks.example.com/x", "https://10.0.0.1/x", "https://[::1]/x"):
            with pytest.raises(Invalid) as excinfo:
                endpoints.create_endpoint(
                    admin, name="Bad", url=url, format="generic", allow_private=False
                )
            assert "url" in excinfo.value.fields
        endpoint = endpoints.create_endpoint(
            admin,
            name="Slack #press",
            url="https://hooks.slack.com/services/T/B/X",
            format="slack",
            allow_private=False,
        )
        assert endpoint.secret.startswith("whsec_")
        assert len(base64.b64decode(endpoint.secret.removeprefix("whsec_"))) == 32


def test_only_admins_manage_endpoints(app: Flask) -> None:
    with pytest.raises(NotPermitted):
        endpoints.create_endpoint(
            make_user(Role.SENIOR),
            name="X",
            url="https://a.example/x",
            format="generic",
            allow_private=False,
        )


def test_rotating_the_secret_changes_the_signature(app: Flask, receiver: WebhookReceiver) -> None:
    admin = make_user(Role.ADMIN)
    endpoint = make_endpoint(receiver.url)
    old_secret = endpoint.secret
    endpoints.rotate_secret(admin, endpoint)
    endpoints.send_test(admin, endpoint, now=T0)
    db.session.commit()
    worker.run_once(now=T0)
    [request] = receiver.requests
    assert endpoint.secret != old_secret
    assert webhook.verify(endpoint.secret, request.headers, request.body)
    assert not webhook.verify(old_secret, request.headers, request.body)
    assert json.loads(request.body)["type"] == "forum.test"


def test_unreachable_receiver_is_transient(app: Flask) -> None:
    from tests.alerts.servers import free_port

    endpoint = make_endpoint(f"http://127.0.0.1:{free_port()}/nobody-home")
    message = services.enqueue_webhook(endpoint, PAYLOAD, "nobody", now=T0)
    db.session.commit()
    assert worker.run_once(now=T0).retrying == 1
    assert "unreachable" in (reload(message).last_error or "")


def test_stale_signature_timestamp_is_rejected_by_verify() -> None:
    secret = endpoints.new_secret()
    body = b"{}"
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": "1000",
        "webhook-signature": webhook.sign(secret, "msg_1", 1000, body),
    }
    assert webhook.verify(secret, headers, body, now=1100)
    assert not webhook.verify(secret, headers, body, now=1000 + 3600)
