"""End to end with real parts: the alerts worker delivers an escalation to a real SMTP server
(aiosmtpd on 127.0.0.1) and a real HTTP receiver that checks the webhook signature."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from forum.accounts.models import Role
from forum.alerts import worker
from forum.alerts.channels import webhook
from forum.alerts.models import Channel, OutboxMessage, OutboxStatus
from forum.alerts.services import endpoints as webhook_endpoints
from forum.escalations import services
from forum.escalations.models import Urgency
from forum.extensions import db
from tests.alerts.servers import SmtpServer, WebhookReceiver
from tests.escalations.factories import T0, make_board, make_escalation, make_policy, make_thread
from tests.factories import make_department, make_user

BASE_URL = "https://forum.council.example"


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_port: int) -> dict[str, Any]:
    return {
        **app_config,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_TIMEOUT_SECONDS": 5,
        "FORUM_BASE_URL": BASE_URL,
    }


def test_escalation_email_arrives_after_the_smtp_server_comes_back(
    app: Flask, smtp_port: int
) -> None:
    dept = make_department()
    admin = make_user(Role.ADMIN)
    senior = make_user(Role.SENIOR, department=dept, email="senior.person@example.org")
    thread = make_thread(make_board(admin, department=dept), title="Pool closed, residents angry")
    server = SmtpServer(smtp_port)  # not started yet: connection refused

    escalation = make_escalation(thread, urgency=Urgency.CRISIS, reason="Trending locally.")
    first = worker.run_once(now=T0)
    assert (first.sent, first.retrying) == (0, 1)  # the email waits for the server
    email = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.channel == Channel.EMAIL, OutboxMessage.recipient == senior.email
        )
    )
    assert email is not None and email.status == OutboxStatus.PENDING

    server.start()
    try:
        assert worker.run_once(now=T0 + dt.timedelta(minutes=1)).sent == 1
        [message] = server.messages
    finally:
        server.stop()
    assert "Pool closed, residents angry" in message["Subject"]
    assert "Crisis" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f"{BASE_URL}/escalations/{escalation.id}" in text
    assert "Trending locally." in text


def test_policy_webhook_is_signed_and_retried_until_the_receiver_recovers(app: Flask) -> None:
    dept = make_department()
    admin = make_user(Role.ADMIN)
    with WebhookReceiver(statuses=[500, 200]) as receiver:
        endpoint = webhook_endpoints.create_endpoint(
            admin, name="On-call", url=receiver.url, format="generic", allow_private=True
        )
        make_policy(
            admin, webhook_endpoints=[endpoint], levels=[{"users": [make_user(Role.SENIOR)]}]
        )
        thread = make_thread(make_board(admin, department=dept), title="Data leak rumour")
        escalation = make_escalation(thread, urgency=Urgency.URGENT)

        worker.run_once(now=T0)
        hook = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.channel == Channel.WEBHOOK)
        )
        assert hook is not None and hook.status == OutboxStatus.PENDING
        worker.run_once(now=T0 + dt.timedelta(minutes=1))
        db.session.refresh(hook)
        assert hook.status == OutboxStatus.SENT

        first, second = receiver.requests
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        assert webhook.verify(endpoint.secret, second.headers, second.body)
        body = json.loads(second.body)
        assert body["type"] == "escalation.alerted"
        assert body["data"]["url"] == f"{BASE_URL}/escalations/{escalation.id}"
        assert "Data leak rumour" in body["data"]["title"]

        services.acknowledge(escalation, actor=admin, now=T0 + dt.timedelta(minutes=2))
        db.session.commit()
        worker.run_once(now=T0 + dt.timedelta(minutes=3))
        assert json.loads(receiver.requests[-1].body)["type"] == "escalation.acknowledged"
