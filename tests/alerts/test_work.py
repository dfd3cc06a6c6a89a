"""`flask --app wsgi work --once` end to end: the escalation ladder climbs and its alerts reach a
real SMTP server (aiosmtpd on 127.0.0.1) in the same run. Before, `alerts run-once` only
delivered, and a ladder never climbed unless `escalations tick` ran too."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from forum.alerts.models import Channel, OutboxMessage, OutboxStatus
from forum.core.db import utcnow
from forum.escalations.models import Escalation, Urgency
from forum.extensions import db
from tests.alerts.servers import SmtpServer
from tests.escalations.factories import make_board, make_escalation, make_staff, make_thread
from tests.factories import make_department


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp: SmtpServer) -> dict[str, Any]:
    return {
        **app_config,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_TIMEOUT_SECONDS": 5,
    }


def overdue_crisis() -> tuple[int, dict[str, str]]:
    """A crisis escalated 11 minutes ago: level 1 has timed out (10 minutes), unacknowledged.
    Returns its id and the staff's email addresses."""
    dept = make_department()
    staff = make_staff(dept)
    escalation = make_escalation(
        make_thread(make_board(staff["admin"], department=dept)),
        actor=staff["member"],
        urgency=Urgency.CRISIS,
        now=utcnow() - dt.timedelta(minutes=11),
    )
    return escalation.id, {role: user.email for role, user in staff.items()}


@pytest.mark.parametrize("command", [["work", "--once"], ["alerts", "run-once"]])
def test_one_run_climbs_the_ladder_and_delivers_its_alerts(
    app: Flask, runner: FlaskCliRunner, smtp: SmtpServer, command: list[str]
) -> None:
    escalation_id, emails_of = overdue_crisis()

    result = runner.invoke(args=command)

    assert result.exit_code == 0, result.output
    assert "escalations.ladder 1" in result.output
    db.session.expire_all()
    escalation = db.session.get(Escalation, escalation_id)
    assert escalation is not None and escalation.level == 2
    # Level 1 (the department's senior) and level 2 (every senior) were emailed in this run.
    emails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.channel == Channel.EMAIL)
    ).all()
    assert emails and all(m.status == OutboxStatus.SENT for m in emails)
    received = [address for rcpt in smtp.sink.recipients for address in rcpt]
    assert emails_of["other_senior"] in received
    assert emails_of["senior"] in received
    assert len(smtp.messages) == len(emails)

    again = runner.invoke(args=command)
    assert "escalations.ladder 0" in again.output
    assert len(smtp.messages) == len(emails)  # nothing is sent twice
