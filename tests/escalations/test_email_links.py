"""One-click links in escalation alert emails, end to end: the worker sends through a real SMTP
server (aiosmtpd), the test reads the delivered message and follows its links with test clients.

Links are made while sending, with the worker's clock; the pages check them with the real one,
so these tests send at the real time (or a day and more before it, for expiry)."""

from __future__ import annotations

import datetime as dt
import json
import re
from email.message import EmailMessage
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.accounts import services as account_services
from forum.accounts.models import AuditAction, AuditEvent, EmailLinkUse, Role, TwoFactor, User
from forum.accounts.services import email_links, twofactor
from forum.alerts import worker
from forum.alerts.models import OutboxMessage
from forum.boards.models import BoardVisibility
from forum.core.db import utcnow
from forum.escalations import services
from forum.escalations.models import Escalation, EscalationState
from forum.escalations.services import alerting, links
from forum.extensions import db
from tests.alerts.servers import SmtpServer
from tests.escalations.factories import make_board, make_escalation, make_thread
from tests.factories import PASSWORD, make_department, make_user, reload, see_committed

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


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def _link(message: EmailMessage, prefix: str) -> str:
    """The site-relative one-click link starting with `prefix` in the delivered mail."""
    match = re.search(re.escape(BASE_URL) + r"(" + re.escape(prefix) + r"\S+)", _text(message))
    assert match, f"no {prefix} link in the mail"
    return match.group(1)


def _alerted(
    smtp: SmtpServer, *, title: str = "Bins not collected", sent_at: dt.datetime | None = None
) -> tuple[Escalation, User, EmailMessage]:
    """An escalation on a department's board alerting its one senior, delivered by the worker."""
    dept = make_department()
    admin = make_user(Role.ADMIN)
    senior = make_user(Role.SENIOR, department=dept, display_name="Priya Senior")
    board = make_board(admin, department=dept, visibility=BoardVisibility.DEPARTMENT)
    now = sent_at or utcnow()
    thread = make_thread(board, title=title, now=now)
    escalation = make_escalation(thread, now=now)
    worker.run_once(now=now)
    [message] = [m for m in smtp.messages if m["To"] == senior.email]
    return escalation, senior, message


def _signed_in_client(app: Flask, user: User) -> FlaskClient:
    other = app.test_client()
    response = other.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return other


def _audit(action: AuditAction) -> list[AuditEvent]:
    see_committed()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_alert_email_carries_personal_links_made_at_send_time_and_no_unsubscribe(
    app: Flask, smtp: SmtpServer
) -> None:
    escalation, senior, message = _alerted(smtp)
    ack = _link(message, alerting.ACKNOWLEDGE_PATH)
    opener = _link(message, alerting.OPEN_PATH)
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert f'href="{BASE_URL}{ack}"' in html and f'href="{BASE_URL}{opener}"' in html
    # Operational alerts are not a subscription: no List-Unsubscribe.
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    # The outbox keeps what the links are for, never a usable link.
    payload = db.session.scalar(
        select(OutboxMessage.payload).where(OutboxMessage.recipient == senior.email)
    )
    stored = json.dumps(payload)
    assert "escalation.acknowledge" in stored
    assert ack.rsplit("/", 1)[1] not in stored and opener.rsplit("/", 1)[1] not in stored
    assert escalation.state == EscalationState.OPEN


def test_a_prefetched_link_acknowledges_nothing_and_the_button_acknowledges_once(
    app: Flask, smtp: SmtpServer, client: FlaskClient
) -> None:
    escalation, senior, message = _alerted(smtp)
    ack = _link(message, alerting.ACKNOWLEDGE_PATH)

    page = client.get(ack)  # what a mail client or link scanner does
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "Acknowledge as Priya Senior" in page.get_data(as_text=True)
    assert reload(escalation).state == EscalationState.OPEN

    done = client.post(ack)  # nobody signed in: it acts as the person it was sent to
    assert done.status_code == 200, done.get_data(as_text=True)
    assert "Acknowledged" in done.get_data(as_text=True)
    escalation = reload(escalation)
    assert escalation.state == EscalationState.ACKNOWLEDGED
    assert escalation.acknowledged_by_id == senior.id
    [entry] = _audit(AuditAction.ESCALATION_ACKNOWLEDGED_BY_LINK)
    assert (entry.actor_id, entry.subject_type, entry.subject_id) == (
        senior.id,
        "escalation",
        escalation.id,
    )
    # The ladder stopped, as with any acknowledgement: nobody is alerted any more.
    assert escalation.next_escalation_at is None
    assert services.advance_ladder(now=utcnow() + dt.timedelta(days=2)) == 0

    again = client.post(ack)
    assert again.status_code == 410
    assert "already used" in again.get_data(as_text=True)
    assert client.get(ack).status_code == 410


def test_a_link_expires_a_day_after_it_was_sent(app: Flask, smtp: SmtpServer) -> None:
    sent = utcnow() - dt.timedelta(hours=24, minutes=1)
    escalation, _senior, message = _alerted(smtp, sent_at=sent)
    ack = _link(message, alerting.ACKNOWLEDGE_PATH)
    client = app.test_client()
    for response in (client.get(ack), client.post(ack)):
        assert response.status_code == 410
        assert "expired" in response.get_data(as_text=True)
    assert reload(escalation).state == EscalationState.OPEN


def test_links_last_24_hours_to_the_second(app: Flask) -> None:
    user = make_user(Role.SENIOR)
    t0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    token = email_links.mint(user, links.ACKNOWLEDGE, 7, now=t0)
    claim = email_links.read(token, links.ACKNOWLEDGE, now=t0 + dt.timedelta(hours=23, minutes=59))
    assert (claim.user.id, claim.subject_id) == (user.id, 7)
    with pytest.raises(email_links.LinkRefused) as refused:
        email_links.read(token, links.ACKNOWLEDGE, now=t0 + dt.timedelta(hours=24))
    assert refused.value.reason == "expired"
    # A link for one purpose is not a link for another.
    with pytest.raises(email_links.LinkRefused) as wrong:
        email_links.read(token, links.OPEN, now=t0)
    assert wrong.value.reason == "invalid"


def test_someone_else_signed_in_gets_nothing_from_a_forwarded_link(
    app: Flask, smtp: SmtpServer
) -> None:
    escalation, senior, message = _alerted(smtp)
    ack = _link(message, alerting.ACKNOWLEDGE_PATH)
    opener = _link(message, alerting.OPEN_PATH)
    colleague = make_user(Role.SENIOR, display_name="Sam Colleague")
    other = _signed_in_client(app, colleague)

    for response in (other.get(ack), other.post(ack), other.get(opener), other.post(opener)):
        assert response.status_code == 403
        text = response.get_data(as_text=True)
        assert "signed in as Sam Colleague" in text and "Nothing was done" in text
    assert reload(escalation).state == EscalationState.OPEN
    # Still signed in as the colleague, not as the senior.
    assert other.get("/settings").get_data(as_text=True).count("Sam Colleague") >= 1
    assert db.session.scalar(select(EmailLinkUse.id)) is None  # neither link was spent

    # The person it was sent to can still use it.
    assert app.test_client().post(ack).status_code == 200
    assert reload(escalation).acknowledged_by_id == senior.id


def test_deactivation_or_a_password_change_voids_the_links(app: Flask, smtp: SmtpServer) -> None:
    escalation, senior, message = _alerted(smtp)
    ack = _link(message, alerting.ACKNOWLEDGE_PATH)
    account_services.set_password(senior, "a brand new password")
    db.session.commit()
    client = app.test_client()
    response = client.post(ack)
    assert response.status_code == 410
    assert "password was changed" in response.get_data(as_text=True)

    escalation2, senior2, message2 = _alerted(smtp, title="Pool closed")
    opener = _link(message2, alerting.OPEN_PATH)
    admin = make_user(Role.ADMIN)
    account_services.admin_update_user(admin, senior2, is_active=False)
    db.session.commit()
    for response in (client.get(opener), client.post(opener)):
        assert response.status_code == 410
    assert client.get("/settings").status_code == 302  # nobody was signed in
    assert reload(escalation).state == reload(escalation2).state == EscalationState.OPEN


def test_a_recipient_who_may_no_longer_acknowledge_gets_nothing(
    app: Flask, smtp: SmtpServer
) -> None:
    escalation, senior, message = _alerted(smtp)
    ack = _link(message, alerting.ACKNOWLEDGE_PATH)
    account_services.admin_update_user(make_user(Role.ADMIN), senior, role=Role.MEMBER)
    db.session.commit()
    response = app.test_client().post(ack)
    assert response.status_code == 403
    assert reload(escalation).state == EscalationState.OPEN


def test_an_escalation_acknowledged_by_someone_else_says_who(app: Flask, smtp: SmtpServer) -> None:
    escalation, _senior, message = _alerted(smtp)
    ack = _link(message, alerting.ACKNOWLEDGE_PATH)
    services.acknowledge(escalation, actor=make_user(Role.ADMIN, display_name="Alex Admin"))
    db.session.commit()
    client = app.test_client()
    page = client.get(ack)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Already acknowledged by Alex Admin" in text
    assert "<form" not in text.split("<main", 1)[-1]
    response = client.post(ack)
    assert response.status_code == 409
    assert "already acknowledged by Alex Admin" in response.get_data(as_text=True)


def test_an_invalid_link_is_a_clear_page(app: Flask, client: FlaskClient) -> None:
    for path in (alerting.ACKNOWLEDGE_PATH, alerting.OPEN_PATH):
        response = client.get(path + "not-a-link")
        assert response.status_code == 404
        assert "not valid" in response.get_data(as_text=True)
        assert client.post(path + "x" * 1000).status_code == 404


def test_the_open_link_signs_its_person_in_once_after_the_button(
    app: Flask, smtp: SmtpServer
) -> None:
    escalation, senior, message = _alerted(smtp)
    opener = _link(message, alerting.OPEN_PATH)
    browser = app.test_client()

    page = browser.get(opener)
    assert page.status_code == 200 and "Sign in and open the thread" in page.get_data(as_text=True)
    assert browser.get("/settings").status_code == 302  # the GET signed nobody in

    response = browser.post(opener)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/t/{escalation.thread_id}")
    assert browser.get(response.headers["Location"], follow_redirects=True).status_code == 200
    settings = browser.get("/settings")
    assert settings.status_code == 200 and senior.email in settings.get_data(as_text=True)
    [entry] = _audit(AuditAction.EMAIL_LINK_SIGN_IN)
    assert entry.actor_id == senior.id and entry.details["escalation_id"] == escalation.id

    assert app.test_client().post(opener).status_code == 410  # it works once


def test_the_open_link_asks_for_the_two_factor_code_of_a_person_who_has_one(
    app: Flask, smtp: SmtpServer
) -> None:
    _escalation, senior, message = _alerted(smtp)
    twofactor.begin_enrolment(senior)
    secret = db.session.scalar(select(TwoFactor.secret).where(TwoFactor.user_id == senior.id))
    twofactor.confirm_enrolment(senior, pyotp.TOTP(str(secret)).now())
    db.session.commit()
    opener = _link(message, alerting.OPEN_PATH)
    browser = app.test_client()
    response = browser.post(opener)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/two-factor"
    assert browser.get("/settings").status_code == 302  # not signed in before the code


def test_only_those_who_may_are_offered_each_link(app: Flask) -> None:
    escalation = make_escalation(make_thread(make_board(make_user(Role.ADMIN)), now=utcnow()))
    senior, member = make_user(Role.SENIOR), make_user()

    def offered(user: User, *, readable: bool) -> list[str]:
        return [
            spec["purpose"] for spec in alerting.alert_links(escalation, user, readable=readable)
        ]

    assert offered(senior, readable=True) == [links.ACKNOWLEDGE, links.OPEN]
    # Someone told only that an escalation needs them (they may not read the thread) is not
    # offered to open it; someone who may not acknowledge is not offered that.
    assert offered(senior, readable=False) == [links.ACKNOWLEDGE]
    assert offered(member, readable=True) == [links.OPEN]
