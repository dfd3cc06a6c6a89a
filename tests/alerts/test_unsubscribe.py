"""List-Unsubscribe (RFC 8058 one-click) on digests and watch emails, end to end: the worker
sends through a real SMTP server (aiosmtpd), the test reads the headers of the delivered
message and POSTs to the link as a mail provider would: no cookies, no CSRF token."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from forum.accounts import services as account_services
from forum.accounts.models import AuditAction, AuditEvent, EmailPreference, Role, User
from forum.alerts import services, worker
from forum.alerts.services import digest
from forum.boards import services as board_services
from forum.boards.models import BoardWatch, ThreadWatch
from forum.core.db import utcnow
from forum.extensions import db
from tests.alerts.servers import SmtpServer
from tests.boards.factories import make_board, make_post, make_thread
from tests.conftest import csrf_token_from
from tests.factories import make_user, reload, see_committed

BASE_URL = "https://forum.council.example"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_port: int) -> dict[str, Any]:
    return {
        **app_config,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_TIMEOUT_SECONDS": 5,
        "FORUM_BASE_URL": BASE_URL,
    }


def _unsubscribe_link(message: EmailMessage) -> str:
    """The site-relative link of the List-Unsubscribe header, checked against RFC 8058."""
    header = " ".join(str(message["List-Unsubscribe"]).split())
    match = re.fullmatch(r"<" + re.escape(BASE_URL) + r"(/unsubscribe/\S+)>", header)
    assert match, header
    assert str(message["List-Unsubscribe-Post"]).strip() == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert BASE_URL + match.group(1) in text  # also in the footer, for people
    return match.group(1)


def _mail_to(smtp: SmtpServer, user: User) -> EmailMessage:
    [message] = [m for m in smtp.messages if m["To"] == user.email]
    return message


def test_the_digest_unsubscribes_with_one_post_and_a_get_changes_nothing(
    app: Flask, smtp: SmtpServer
) -> None:
    daily = make_user(email_preference=EmailPreference.DAILY)
    services.notify_user(
        daily, kind="reply", title="Reply 1", body="Hi", url="/t/1", dedupe_key="unsub:1"
    )
    db.session.commit()
    digest.send_daily_digests(now=utcnow())
    db.session.commit()
    worker.run_once()
    link = _unsubscribe_link(_mail_to(smtp, daily))

    browser = app.test_client()
    page = browser.get(link)  # what a link scanner does
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "the daily digest" in page.get_data(as_text=True)
    assert reload(daily).email_preference == EmailPreference.DAILY

    # The mail provider's one-click POST: no cookies, no CSRF token.
    response = app.test_client().post(link, data=ONE_CLICK)
    assert response.status_code == 200
    assert "Unsubscribed" in response.get_data(as_text=True)
    assert reload(daily).email_preference == EmailPreference.OFF
    see_committed()
    entry = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == AuditAction.EMAIL_UNSUBSCRIBED)
    )
    assert entry is not None and entry.actor_id == daily.id
    assert entry.details["topic"] == "digest"
    # Again: nothing more to do, and no error.
    assert app.test_client().post(link, data=ONE_CLICK).status_code == 200


def test_a_thread_watch_email_unsubscribes_from_that_thread_only(
    app: Flask, smtp: SmtpServer
) -> None:
    board = make_board()
    watcher = make_user()
    thread = make_thread(board, title="Council tax page")
    other = make_thread(board)
    board_services.watch_thread(watcher, thread)
    board_services.watch_thread(watcher, other)
    db.session.commit()
    make_post(thread, body="A reply to watch.")
    worker.run_once()
    link = _unsubscribe_link(_mail_to(smtp, watcher))
    assert "Council tax page" in app.test_client().get(link).get_data(as_text=True)

    assert app.test_client().post(link, data=ONE_CLICK).status_code == 200
    see_committed()
    watched = set(
        db.session.scalars(select(ThreadWatch.thread_id).where(ThreadWatch.user_id == watcher.id))
    )
    assert watched == {other.id}


def test_a_board_watch_email_unsubscribes_from_the_board(app: Flask, smtp: SmtpServer) -> None:
    board = make_board(name="Press office")
    watcher = make_user()
    board_services.watch_board(watcher, board)
    db.session.commit()
    make_thread(board, title="New thread on a watched board")
    worker.run_once()
    link = _unsubscribe_link(_mail_to(smtp, watcher))
    assert "Press office" in app.test_client().get(link).get_data(as_text=True)
    assert app.test_client().post(link, data=ONE_CLICK).status_code == 200
    see_committed()
    assert db.session.scalar(select(BoardWatch).where(BoardWatch.user_id == watcher.id)) is None


def test_a_mention_names_no_subscription_to_leave(app: Flask, smtp: SmtpServer) -> None:
    someone = make_user()
    services.notify_user(
        someone, kind="mention", title="Mentioned", body="Hi", url="/t/1", dedupe_key="m:1"
    )
    db.session.commit()
    worker.run_once()
    message = _mail_to(smtp, someone)
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None


def test_a_bad_link_or_a_post_without_one_click_changes_nothing(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/unsubscribe/not-a-link")
    assert response.status_code == 404 and "not valid" in response.get_data(as_text=True)
    assert client.post("/unsubscribe/not-a-link", data=ONE_CLICK).status_code == 404
    assert client.post("/unsubscribe/not-a-link", data={"other": "1"}).status_code == 400


def test_a_deactivated_persons_link_does_nothing(app: Flask, smtp: SmtpServer) -> None:
    daily = make_user(email_preference=EmailPreference.DAILY)
    services.notify_user(daily, kind="reply", title="R", body="B", url="/", dedupe_key="d:1")
    db.session.commit()
    digest.send_daily_digests(now=utcnow())
    db.session.commit()
    worker.run_once()
    link = _unsubscribe_link(_mail_to(smtp, daily))
    account_services.admin_update_user(make_user(Role.ADMIN), daily, is_active=False)
    db.session.commit()
    assert app.test_client().post(link, data=ONE_CLICK).status_code == 404


def test_one_click_needs_no_csrf_token_even_with_csrf_on(
    app: Flask, app_config: dict[str, Any], smtp: SmtpServer, extra_app: Any
) -> None:
    watcher = make_user()
    board = make_board()
    board_services.watch_board(watcher, board)
    db.session.commit()
    make_thread(board)
    worker.run_once()
    link = _unsubscribe_link(_mail_to(smtp, watcher))
    guarded = extra_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = guarded.test_client()
    # Everything else still needs the token (tests/test_csrf.py); this one is the link.
    assert client.post("/login", data={"email": watcher.email}).status_code == 400
    assert csrf_token_from(client.get("/login").get_data(as_text=True))
    assert client.post(link, data=ONE_CLICK).status_code == 200
    see_committed()
    assert db.session.scalar(select(BoardWatch).where(BoardWatch.user_id == watcher.id)) is None


def test_the_link_belongs_to_one_person(app: Flask) -> None:
    with app.test_request_context():
        alice, bob = make_user(), make_user()
        path = services.unsubscribe.path_for(alice, {"topic": "digest", "user_id": alice.id})
        assert path is not None
        assert services.unsubscribe.read(path.rsplit("/", 1)[1]).user.id == alice.id
        # A spec written for someone else (the address changed hands) gives no link.
        assert services.unsubscribe.path_for(bob, {"topic": "digest", "user_id": alice.id}) is None
        assert services.unsubscribe.path_for(alice, {"topic": "nope", "user_id": alice.id}) is None
