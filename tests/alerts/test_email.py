"""Email alerts through a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from forum.accounts.models import EmailPreference
from forum.alerts import services, worker
from forum.alerts.channels.email import message_id_for
from forum.alerts.models import OutboxStatus
from forum.extensions import db
from tests.alerts.factories import make_email
from tests.alerts.servers import SmtpServer
from tests.factories import make_user, reload

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_port: int) -> dict[str, Any]:
    return {
        **app_config,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_DEFAULT_SENDER": "Staff forum <forum@council.example>",
        "MAIL_TIMEOUT_SECONDS": 5,
        "FORUM_BASE_URL": "https://forum.council.example",
    }


def test_alert_email_arrives_with_text_and_html_parts(app: Flask, smtp: SmtpServer) -> None:
    user = make_user(email="priya@example.org")
    services.notify_user(
        user,
        kind="escalation",
        title="Crisis: bins not collected <again>",
        body="Residents are angry on the Parks page.",
        url="/escalations/7",
        dedupe_key="escalation:7:opened",
        email=True,
        now=T0,
        details={"Urgency": "crisis", "Reason": "Angry residents & press"},
    )
    db.session.commit()

    assert worker.run_once(now=T0).sent == 1
    [message] = smtp.messages
    assert smtp.sink.recipients == [["priya@example.org"]]
    assert message["Subject"] == "Crisis: bins not collected <again>"
    assert message["From"] == "Staff forum <forum@council.example>"
    # A long header may be folded (legal in RFC 5322); the id itself is what must match.
    assert message["Message-ID"].strip() == message_id_for(
        "email:escalation:7:opened", "https://forum.council.example"
    )
    assert message["Message-ID"].strip().endswith("@forum.council.example>")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = "https://forum.council.example/escalations/7"
    assert link in text
    assert "Urgency: crisis" in text
    assert "Residents are angry" in text
    assert f'href="{link}"' in html
    # Text from people is escaped in the HTML part.
    assert "&lt;again&gt;" in html and "<again>" not in html
    assert "Angry residents &amp; press" in html


def test_mail_waits_while_server_is_down_and_arrives_when_it_is_back(
    app: Flask, smtp_port: int
) -> None:
    server = SmtpServer(smtp_port)  # not started: connection refused
    message = make_email("tom@example.org", now=T0, subject="Urgent: reply needed")

    stats = worker.run_once(now=T0)
    assert (stats.claimed, stats.retrying, stats.sent) == (1, 1, 0)
    message = reload(message)
    assert message.status == OutboxStatus.PENDING
    assert T0 < message.next_attempt_at <= T0 + dt.timedelta(seconds=30)
    assert "SMTP unavailable" in (message.last_error or "")

    server.start()
    try:
        assert worker.run_once(now=T0 + dt.timedelta(seconds=1)).claimed == 0  # not due yet
        assert worker.run_once(now=message.next_attempt_at).sent == 1
        [received] = server.messages
        assert received["Subject"] == "Urgent: reply needed"
        assert reload(message).status == OutboxStatus.SENT
        assert reload(message).attempts == 2
    finally:
        server.stop()


def test_resend_after_crash_keeps_the_same_message_id(
    app: Flask, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = make_email(now=T0)
    original = worker._record
    calls = []

    def crash_once(*args: Any, **kwargs: Any) -> None:
        if not calls:
            calls.append(1)
            raise KeyboardInterrupt  # dies after sending, before recording
        original(*args, **kwargs)

    monkeypatch.setattr(worker, "_record", crash_once)
    with pytest.raises(KeyboardInterrupt):
        worker.run_once(now=T0)
    db.session.rollback()
    assert reload(message).status == OutboxStatus.PENDING
    later = T0 + dt.timedelta(seconds=app.config["ALERT_LEASE_SECONDS"])
    assert worker.run_once(now=later).sent == 1
    first, second = smtp.messages
    assert first["Message-ID"] == second["Message-ID"]


def test_immediate_preference_sends_email_daily_and_off_do_not(
    app: Flask, smtp: SmtpServer
) -> None:
    for preference in EmailPreference:
        user = make_user(email_preference=preference)
        services.notify_user(
            user,
            kind="reply",
            title=f"Reply for {preference}",
            body="Hi",
            url="/t/1",
            dedupe_key=f"reply:{preference}",
            now=T0,
        )
    db.session.commit()
    worker.run_once(now=T0)
    assert [m["Subject"] for m in smtp.messages] == ["Reply for immediately"]


def test_refused_recipient_is_dead_lettered(app: Flask, smtp: SmtpServer) -> None:
    message = make_email("not-an-address", now=T0)
    assert worker.run_once(now=T0).dead == 1
    assert reload(message).status == OutboxStatus.DEAD
    assert smtp.messages == []


def test_without_mail_server_mail_is_written_as_eml(app: Flask, tmp_path: Path) -> None:
    app.config["MAIL_SERVER"] = None
    message = make_email("ada@example.org", now=T0, subject="Written to disk")
    assert worker.run_once(now=T0).sent == 1
    files = list((Path(app.instance_path) / "mail").glob("*.eml"))
    assert len(files) == 1
    content = files[0].read_bytes()
    assert b"Subject: Written to disk" in content
    assert b"https://forum.council.example/escalations/" in content
    assert reload(message).status == OutboxStatus.SENT
