"""Stored notices are checked again when shown, digested or emailed: a thread that moved out of
someone's sight is no longer named to them, through a real SMTP server too."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from forum.accounts.models import EmailPreference, Role
from forum.alerts import redaction, services, worker
from forum.alerts.models import OutboxMessage, OutboxStatus
from forum.alerts.services import digest
from forum.boards import services as board_services
from forum.core.db import utcnow
from forum.extensions import db
from tests.alerts.servers import SmtpServer
from tests.boards.factories import make_board, make_thread
from tests.factories import make_department, make_user

TITLE = "Tenant arrears spreadsheet"


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_port: int) -> dict[str, Any]:
    return {**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port}


def _watched_reply(watcher: Any) -> Any:
    thread = make_thread(make_board(), title=TITLE)
    board_services.watch_thread(watcher, thread)
    board_services.add_post(thread, author=thread.author, body="Numbers attached.")
    db.session.commit()
    return thread


def _hide(thread: Any) -> None:
    board_services.move_thread(
        thread, actor=make_user(Role.ADMIN), to_board=make_board(department=make_department())
    )
    db.session.commit()


def test_an_email_queued_before_the_thread_moved_away_is_withheld(
    app: Flask, smtp: SmtpServer
) -> None:
    watcher = make_user(department=make_department())
    thread = _watched_reply(watcher)
    [queued] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == watcher.email)
    )
    assert queued.payload["refs"] == [f"thread:{thread.id}"]
    _hide(thread)

    stats = worker.run_once(now=utcnow() + dt.timedelta(minutes=1))

    assert stats.sent == 1 and smtp.messages == []
    db.session.refresh(queued)
    assert queued.status == OutboxStatus.SENT  # settled: neither retried nor dead-lettered


def test_the_email_goes_out_while_the_reader_can_still_see_the_thread(
    app: Flask, smtp: SmtpServer
) -> None:
    watcher = make_user()
    _watched_reply(watcher)
    worker.run_once(now=utcnow() + dt.timedelta(minutes=1))
    [message] = smtp.messages
    assert TITLE in message["Subject"]


def test_a_digest_withdraws_what_its_reader_can_no_longer_see(app: Flask, smtp: SmtpServer) -> None:
    watcher = make_user(department=make_department(), email_preference=EmailPreference.DAILY)
    thread = _watched_reply(watcher)
    _hide(thread)

    assert digest.send_daily_digests(now=utcnow() + dt.timedelta(hours=1)) == 1
    db.session.commit()
    worker.run_once(now=utcnow() + dt.timedelta(hours=1))

    [message] = smtp.messages
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert TITLE not in text and "Numbers attached" not in text
    assert redaction.WITHDRAWN_TITLE in text


def test_a_digest_queued_before_the_move_is_withdrawn_when_sent(
    app: Flask, smtp: SmtpServer
) -> None:
    watcher = make_user(department=make_department(), email_preference=EmailPreference.DAILY)
    thread = _watched_reply(watcher)
    digest.send_daily_digests(now=utcnow() + dt.timedelta(hours=1))
    db.session.commit()
    _hide(thread)

    worker.run_once(now=utcnow() + dt.timedelta(hours=1))

    [message] = smtp.messages
    assert TITLE not in message.get_body(preferencelist=("plain",)).get_content()


def test_a_kind_of_reference_nobody_checks_counts_as_hidden(app: Flask) -> None:
    user = make_user()
    services.notify_user(
        user,
        kind="other",
        title="About the secret thing",
        body="Details.",
        url="/x/1",
        dedupe_key="redaction-test",
        refs=["unknown:1"],
        email=False,
    )
    db.session.commit()
    [shown] = services.list_notifications(user).items
    assert shown.withdrawn and shown.title == redaction.WITHDRAWN_TITLE
    assert shown.url == redaction.WITHDRAWN_URL and shown.body == ""
