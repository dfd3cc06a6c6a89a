"""Password reset: same work for every address, mail through the outbox, throttled."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from forum.accounts.models import AuditAction, AuditEvent, PasswordResetToken
from forum.accounts.services import resets, sessions, signin
from forum.alerts.models import OutboxMessage
from forum.core.errors import Invalid, NotFound, Throttled
from forum.extensions import db
from tests.accounts.mailbox import deliver_and_read, link_in
from tests.factories import PASSWORD, make_user

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _mails(app: Flask) -> list[str]:
    folder = Path(app.instance_path) / "mail"
    return [p.read_text() for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def _outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _request(app: Flask, email: str, at: dt.datetime, ip: str = "10.0.0.1") -> None:
    resets.request_reset(email, ip=ip, settings=app.config, now=at)
    db.session.commit()


def test_the_reset_path_is_the_reset_route(app: Flask) -> None:
    with app.test_request_context():
        assert resets.reset_path("abc") == url_for("accounts.reset_password", token="abc")


def test_a_reset_link_works_once_and_expires(app: Flask) -> None:
    user = make_user()
    _request(app, user.email, T0)
    link = _outbox()[0].payload["url"]
    token = link.rsplit("/", 1)[1]
    identity = sessions.start(user, remember=True, lifetime=dt.timedelta(days=1)) and user.get_id()
    resets.complete_reset(token, "another long password", now=T0, ip="10.0.0.2")
    db.session.commit()
    with pytest.raises(NotFound):
        resets.complete_reset(token, "yet another password", now=T0)
    assert sessions.load_user(identity) is None  # a reset signs the person out everywhere
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.PASSWORD_RESET)
    ).one()
    assert audit.action == AuditAction.PASSWORD_RESET and audit.actor_id is None
    _request(app, user.email, T0 + dt.timedelta(minutes=10))
    expired = _outbox()[-1].payload["url"].rsplit("/", 1)[1]
    ttl = app.config["PASSWORD_RESET_TTL_MINUTES"]
    with pytest.raises(NotFound):
        resets.reset_token_record(expired, T0 + dt.timedelta(minutes=10 + ttl))


def test_an_unknown_address_gets_a_notice_and_no_usable_link(app: Flask) -> None:
    _request(app, "Nobody@Example.org", T0)
    record = db.session.scalars(select(PasswordResetToken)).one()
    assert record.user_id is None and record.email == "nobody@example.org"
    (message,) = _outbox()
    assert message.recipient == "nobody@example.org"
    assert "no active account uses it" in message.payload["text"]
    assert "url" not in message.payload


def test_a_deactivated_account_is_treated_like_an_unknown_address(app: Flask) -> None:
    user = make_user(is_active=False)
    _request(app, user.email, T0)
    assert db.session.scalars(select(PasswordResetToken.user_id)).one() is None
    assert "no active account" in _outbox()[0].payload["text"]


def test_a_malformed_address_is_a_field_error(app: Flask) -> None:
    with pytest.raises(Invalid) as excinfo:
        resets.request_reset("not an address", ip="10.0.0.1", settings=app.config)
    assert "email" in excinfo.value.fields


def test_requests_for_one_address_send_few_emails_and_always_leave_a_live_link(
    app: Flask,
) -> None:
    """Issue 10 item 7: 15 requests for one address sent 15 emails."""
    user = make_user()
    gap = app.config["PASSWORD_RESET_MIN_MINUTES_BETWEEN_EMAILS"]
    ttl = app.config["PASSWORD_RESET_TTL_MINUTES"]
    most = app.config["PASSWORD_RESET_MAX_EMAILS_PER_ADDRESS"]
    for n in range(15):  # from many addresses, so the per-client limit stays out of the way
        _request(app, user.email, T0 + dt.timedelta(seconds=n), ip=f"10.0.1.{n}")
    assert len(_outbox()) == 1
    # One request a minute for two link lifetimes: never more than `most` emails per lifetime,
    # never two within `gap`, and whenever a request is held a live link is already out.
    for minute in range(1, 2 * ttl):
        now = T0 + dt.timedelta(minutes=minute)
        _request(app, user.email, now, ip=f"10.0.2.{minute}")
        sent = [m.created_at for m in _outbox()]
        recent = [at for at in sent if at > now - dt.timedelta(minutes=ttl)]
        assert 1 <= len(recent) <= most
        assert all(b - a >= dt.timedelta(minutes=gap) for a, b in itertools.pairwise(sent))
    requests = db.session.scalar(select(func.count()).select_from(PasswordResetToken))
    assert requests == 15 + 2 * ttl - 1  # every request is recorded, emailed or not


def test_a_client_asking_too_often_gets_a_429(app: Flask) -> None:
    limit = app.config["PASSWORD_RESET_MAX_PER_IP_PER_HOUR"]
    for n in range(limit):
        _request(app, f"person{n}@example.org", T0 + dt.timedelta(minutes=n))
    with pytest.raises(Throttled) as excinfo:
        resets.request_reset(
            "someone@example.org",
            ip="10.0.0.1",
            settings=app.config,
            now=T0 + dt.timedelta(minutes=limit),
        )
    assert excinfo.value.retry_after == (60 - limit) * 60  # until the oldest leaves the hour
    _request(app, "someone@example.org", T0, ip="10.0.0.2")  # another client is not affected
    _request(app, "someone@example.org", T0 + dt.timedelta(minutes=60, seconds=1))


def test_throttles_can_be_switched_off(app: Flask) -> None:
    settings = {**app.config, "RATELIMIT_ENABLED": False}
    user = make_user()
    for _ in range(app.config["PASSWORD_RESET_MAX_PER_IP_PER_HOUR"] + 2):
        resets.request_reset(user.email, ip="10.0.0.1", settings=settings, now=T0)
    assert len(_outbox()) == app.config["PASSWORD_RESET_MAX_PER_IP_PER_HOUR"] + 2


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_known_and_unknown_addresses_take_the_same_work(app: Flask, client: FlaskClient) -> None:
    """Issue 10 item 7: unknown addresses answered 7 ms sooner (no token, no mail)."""
    email = make_user().email  # read before counting: reading it may refresh the object
    db.session.commit()  # and end that read, so both requests begin their own transaction
    with _statements() as known:
        known_response = client.post("/forgot-password", data={"email": email})
    with _statements() as unknown:
        unknown_response = client.post("/forgot-password", data={"email": "nobody@example.org"})
    assert known == unknown
    assert any(s.startswith("INSERT INTO outbox_messages") for s in known)
    assert known_response.status_code == unknown_response.status_code == 302
    assert known_response.headers["Location"] == unknown_response.headers["Location"]
    # Nothing was sent inside the requests: the worker sends.
    assert _mails(app) == []
    mails = dict(deliver_and_read(app))
    assert set(mails) == {email, "nobody@example.org"}
    assert link_in(mails[email], "/reset-password/")
    assert "reset-password" not in mails["nobody@example.org"]
    assert "no active account" in mails["nobody@example.org"]


def test_fifteen_requests_over_http_send_one_email(app: Flask, client: FlaskClient) -> None:
    user = make_user()
    statuses = [
        client.post(
            "/forgot-password",
            data={"email": user.email},
            environ_base={"REMOTE_ADDR": f"10.0.3.{n}"},
        ).status_code
        for n in range(15)
    ]
    assert statuses == [302] * 15
    assert [to for to, _text in deliver_and_read(app)] == [user.email]


def test_reset_requests_from_one_client_get_a_429(app: Flask, client: FlaskClient) -> None:
    limit = app.config["PASSWORD_RESET_MAX_PER_IP_PER_HOUR"]
    statuses = [
        client.post("/forgot-password", data={"email": f"p{n}@example.org"}).status_code
        for n in range(limit + 1)
    ]
    assert statuses == [302] * limit + [429]
    response = client.post("/forgot-password", data={"email": "x@example.org"})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "Too many password reset requests" in response.get_data(as_text=True)


def test_a_malformed_address_is_a_400_with_a_message(client: FlaskClient) -> None:
    response = client.post("/forgot-password", data={"email": "no-at-sign"})
    assert response.status_code == 400
    assert "@-sign" in response.get_data(as_text=True)


def test_a_reset_over_http_ends_every_sign_in(app: Flask, client: FlaskClient) -> None:
    user = make_user()
    other_device = app.test_client()
    other_device.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other_device.get("/settings").status_code == 200
    client.post("/forgot-password", data={"email": user.email})
    ((_to, text),) = deliver_and_read(app)
    link = link_in(text, "/reset-password/")
    assert client.post(link, data={"password": "my new password 1"}).status_code == 302
    assert other_device.get("/settings").status_code == 302
    assert signin.authenticate(
        user.email, "my new password 1", ip="10.9.9.9", settings=app.config
    ) == db.session.get(type(user), user.id)
