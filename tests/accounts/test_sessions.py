"""Sign-in sessions without HTTP: one record per device, ended on the server."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select

from forum.accounts import services
from forum.accounts.models import AuditAction, AuditEvent, Role, User
from forum.accounts.services import sessions
from forum.core.errors import Invalid, NotFound
from forum.extensions import db
from tests.factories import PASSWORD, make_user

LIFETIME = dt.timedelta(days=30)


def _start(user: User, **kwargs: object) -> str:
    sessions.start(user, remember=False, lifetime=LIFETIME, **kwargs)  # type: ignore[arg-type]
    db.session.commit()
    return user.get_id()


def test_a_sign_in_loads_its_person_until_it_ends(app: Flask) -> None:
    user = make_user()
    assert user.get_id() == f"{user.id}:"  # no sign-in: an identity that loads nobody
    assert sessions.load_user(user.get_id()) is None
    identity = _start(user)
    assert sessions.load_user(identity) == user
    assert sessions.end_current(user)
    db.session.commit()
    assert sessions.load_user(identity) is None


def test_signing_out_one_device_leaves_the_others(app: Flask) -> None:
    user = make_user()
    laptop, phone = _start(user), _start(user)
    sessions.load_user(laptop)
    sessions.end_current(user)
    db.session.commit()
    assert sessions.load_user(laptop) is None
    assert sessions.load_user(phone) == user


@pytest.mark.parametrize(
    "identity",
    ["", "abc", "1:", ":secret", "1:wrong", "99999999999999999999999:x", "-1:x", "1:x:y"],
)
def test_malformed_or_unknown_identities_load_nobody(app: Flask, identity: str) -> None:
    make_user()
    assert sessions.load_user(identity) is None


def test_an_identity_names_its_own_person_only(app: Flask) -> None:
    user, other = make_user(), make_user()
    secret = _start(user).partition(":")[2]
    assert sessions.load_user(f"{other.id}:{secret}") is None


def test_a_sign_in_expires(app: Flask) -> None:
    user = make_user()
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    identity = _start(user, now=now)
    assert sessions.load_user(identity, now=now + LIFETIME - dt.timedelta(seconds=1)) == user
    assert sessions.load_user(identity, now=now + LIFETIME) is None


def test_password_change_ends_every_sign_in_and_revokes_api_tokens(app: Flask) -> None:
    user = make_user()
    identities = [_start(user), _start(user)]
    _token, secret = services.create_api_token(user, "script")
    feed_key = user.session_token
    with pytest.raises(Invalid):
        services.change_password(user, "wrong", "a brand new password")
    revoked = services.change_password(user, PASSWORD, "a brand new password", ip="192.0.2.9")
    db.session.commit()
    assert revoked == {"sessions_ended": 2, "api_tokens_revoked": 1}
    assert [sessions.load_user(i) for i in identities] == [None, None]
    assert services.user_for_api_token(secret) is None
    assert user.session_token != feed_key
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.PASSWORD_CHANGED)
    ).one()
    assert event.action == AuditAction.PASSWORD_CHANGED and event.actor_id == user.id
    assert event.details == revoked and event.ip == "192.0.2.9"


def test_signing_out_everywhere_ends_every_sign_in_and_keeps_tokens(app: Flask) -> None:
    user, other = make_user(), make_user()
    mine = [_start(user), _start(user)]
    theirs = _start(other)
    _token, secret = services.create_api_token(user, "script")
    sessions.load_user(mine[0])
    assert sessions.sign_out_everywhere(user, ip="192.0.2.1") == 2
    db.session.commit()
    assert [sessions.load_user(i) for i in mine] == [None, None]
    assert sessions.load_user(theirs) == other
    assert services.user_for_api_token(secret) == user
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.SESSIONS_ENDED)
    ).one()
    assert event.action == AuditAction.SESSIONS_ENDED and event.details == {"sessions_ended": 2}


def test_deactivation_ends_sign_ins_and_reactivation_does_not_revive_them(app: Flask) -> None:
    admin, user = make_user(Role.ADMIN), make_user()
    identity = _start(user)
    services.admin_update_user(admin, user, is_active=False)
    db.session.commit()
    assert db.session.get(User, user.id) is not None
    assert sessions.load_user(identity) is None
    services.admin_update_user(admin, user, is_active=True)
    db.session.commit()
    assert sessions.load_user(identity) is None


def test_a_person_ends_only_their_own_sign_ins(app: Flask) -> None:
    user, other = make_user(), make_user()
    _start(user)
    theirs = sessions.start(other, remember=True, lifetime=LIFETIME)
    with pytest.raises(NotFound):
        sessions.end_one(user, theirs.id)
    mine = sessions.list_live(user)
    assert len(mine) == 1
    sessions.end_one(user, mine[0].id)
    with pytest.raises(NotFound):
        sessions.end_one(user, mine[0].id)
    assert sessions.list_live(user) == []


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Firefox on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0 Safari/537.36 Edg/126.0",
            "Edge on Linux",
        ),
        ("Werkzeug/3.1", "Werkzeug"),
        (None, "Unknown device"),
    ],
)
def test_devices_get_short_names(agent: str | None, expected: str) -> None:
    assert sessions.describe_device(agent) == expected
