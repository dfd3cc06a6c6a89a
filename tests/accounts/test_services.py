"""Account rules without HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from forum.accounts import services
from forum.accounts.models import Role
from forum.core.errors import Conflict, Invalid, NotFound, NotPermitted, Throttled
from forum.extensions import db
from tests.factories import PASSWORD, make_department, make_user


def test_email_is_unique_whatever_its_case(app: Flask) -> None:
    make_user(email="Sam@Example.org")
    with pytest.raises(Conflict):
        services.create_user("sam@EXAMPLE.org", display_name="Other Sam")


def test_email_is_stored_lower_case(app: Flask) -> None:
    assert make_user(email="Mixed.Case@Example.ORG").email == "mixed.case@example.org"


def test_bad_email_and_role_are_field_errors(app: Flask) -> None:
    with pytest.raises(Invalid) as excinfo:
        services.create_user("not-an-email", display_name="X")
    assert "email" in excinfo.value.fields
    with pytest.raises(Invalid) as excinfo:
        services.create_user("ok@example.org", display_name="X", role="emperor")
    assert "role" in excinfo.value.fields


def test_roles_are_ordered(app: Flask) -> None:
    senior = make_user(Role.SENIOR)
    assert senior.has_role(Role.ENTHUSIAST)
    assert senior.has_role(Role.SENIOR)
    assert not senior.has_role(Role.ADMIN)


def test_authenticate_accepts_right_password_only(app: Flask) -> None:
    user = make_user()
    assert (
        services.authenticate(user.email.upper(), PASSWORD, ip="1.1.1.1", settings=app.config)
        == user
    )
    with pytest.raises(Invalid):
        services.authenticate(user.email, "wrong password", ip="1.1.1.1", settings=app.config)


def test_deactivated_user_cannot_sign_in(app: Flask) -> None:
    user = make_user(is_active=False)
    with pytest.raises(Invalid):
        services.authenticate(user.email, PASSWORD, ip="1.1.1.1", settings=app.config)


def test_failures_per_account_are_throttled_even_with_right_password(app: Flask) -> None:
    user = make_user()
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for n in range(limit):
        with pytest.raises(Invalid):
            services.authenticate(user.email, "nope", ip=f"10.0.0.{n}", settings=app.config)
        db.session.commit()
    with pytest.raises(Throttled):
        services.authenticate(user.email, PASSWORD, ip="10.0.9.9", settings=app.config)


def test_throttle_window_expires(app: Flask) -> None:
    user = make_user()
    start = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        with pytest.raises(Invalid):
            services.authenticate(user.email, "nope", ip="1.2.3.4", settings=app.config, now=start)
        db.session.commit()
    later = start + dt.timedelta(seconds=app.config["LOGIN_FAILURE_WINDOW_SECONDS"] + 1)
    assert (
        services.authenticate(user.email, PASSWORD, ip="1.2.3.4", settings=app.config, now=later)
        == user
    )


def test_failures_per_ip_are_throttled_across_accounts(app: Flask) -> None:
    limit = app.config["LOGIN_MAX_FAILURES_PER_IP"]
    for n in range(limit):
        with pytest.raises(Invalid):
            services.authenticate(f"nobody{n}@example.org", "x", ip="6.6.6.6", settings=app.config)
        db.session.commit()
    user = make_user()
    with pytest.raises(Throttled):
        services.authenticate(user.email, PASSWORD, ip="6.6.6.6", settings=app.config)
    assert services.authenticate(user.email, PASSWORD, ip="7.7.7.7", settings=app.config) == user


def test_throttle_is_off_when_rate_limits_are_disabled(app: Flask) -> None:
    user = make_user()
    settings = {**app.config, "RATELIMIT_ENABLED": False}
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] + 3):
        with pytest.raises(Invalid):
            services.authenticate(user.email, "nope", ip="1.1.1.1", settings=settings)
        db.session.commit()
    assert services.authenticate(user.email, PASSWORD, ip="1.1.1.1", settings=settings) == user


def test_password_change_rotates_session_token(app: Flask) -> None:
    user = make_user()
    before = user.get_id()
    with pytest.raises(Invalid):
        services.change_password(user, "wrong", "a brand new password")
    services.change_password(user, PASSWORD, "a brand new password")
    assert user.get_id() != before
    assert services.load_session_user(before) is None
    assert services.load_session_user(user.get_id()) == user


def test_short_password_is_refused(app: Flask) -> None:
    user = make_user()
    with pytest.raises(Invalid) as excinfo:
        services.change_password(user, PASSWORD, "short", min_length=10)
    assert "password" in excinfo.value.fields


def test_invitation_works_once_and_expires(app: Flask) -> None:
    admin = make_user(Role.ADMIN)
    department = make_department()
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    _invitation, token = services.invite(
        "new.person@example.org",
        role=Role.ENTHUSIAST,
        department=department,
        invited_by=admin,
        now=now,
    )
    user = services.accept_invitation(
        token, display_name="New Person", password=PASSWORD, now=now + dt.timedelta(hours=1)
    )
    assert user.role == Role.ENTHUSIAST and user.department == department
    with pytest.raises(NotFound):
        services.accept_invitation(token, display_name="Again", password=PASSWORD)
    _invitation, late = services.invite(
        "late@example.org",
        role=Role.MEMBER,
        department=None,
        invited_by=admin,
        now=now,
        ttl_hours=1,
    )
    with pytest.raises(NotFound):
        services.invitation_for_token(late, now + dt.timedelta(hours=2))


def test_only_admins_invite(app: Flask) -> None:
    senior = make_user(Role.SENIOR)
    with pytest.raises(NotPermitted):
        services.invite("x@example.org", role=Role.MEMBER, department=None, invited_by=senior)


def test_sign_up_only_for_allowed_domains(app: Flask) -> None:
    with pytest.raises(NotPermitted):
        services.sign_up(
            "someone@gmail.com",
            display_name="S",
            password=PASSWORD,
            department=None,
            allowed_domains=["council.example"],
        )
    user = services.sign_up(
        "Someone@Council.Example",
        display_name="S",
        password=PASSWORD,
        department=None,
        allowed_domains=["council.example"],
    )
    assert user.role == Role.MEMBER


def test_password_reset_token_is_single_use_and_expires(app: Flask) -> None:
    user = make_user()
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    issued = services.start_password_reset(user.email, ttl_minutes=30, now=now)
    assert issued is not None
    _, token = issued
    services.complete_password_reset(token, "another long password", now=now)
    with pytest.raises(NotFound):
        services.complete_password_reset(token, "yet another password", now=now)
    _, expired = services.start_password_reset(user.email, ttl_minutes=30, now=now) or (None, "")
    with pytest.raises(NotFound):
        services.reset_token_record(expired, now + dt.timedelta(minutes=31))
    assert services.start_password_reset("unknown@example.org") is None


def test_away_needs_sensible_dates_and_cover(app: Flask) -> None:
    user, cover = make_user(), make_user()
    with pytest.raises(Invalid):
        services.set_away(
            user, away_from=dt.date(2026, 5, 10), away_until=dt.date(2026, 5, 1), cover=cover
        )
    with pytest.raises(Invalid):
        services.set_away(user, away_from=None, away_until=None, cover=user)
    services.set_away(
        user, away_from=dt.date(2026, 5, 1), away_until=dt.date(2026, 5, 10), cover=cover
    )
    assert user.is_away(dt.date(2026, 5, 5))
    assert not user.is_away(dt.date(2026, 5, 11))
    assert user.cover_user == cover


def test_deactivation_keeps_the_user_and_ends_sessions(app: Flask) -> None:
    admin, user = make_user(Role.ADMIN), make_user()
    identity = user.get_id()
    services.admin_update_user(admin, user, is_active=False)
    db.session.commit()
    assert db.session.get(type(user), user.id) is not None
    assert services.load_session_user(identity) is None


def test_admin_cannot_demote_or_deactivate_self(app: Flask) -> None:
    admin = make_user(Role.ADMIN)
    with pytest.raises(Invalid):
        services.admin_update_user(admin, admin, role=Role.MEMBER)
    with pytest.raises(Invalid):
        services.admin_update_user(admin, admin, is_active=False)


def test_api_token_is_stored_hashed_and_revocable(app: Flask) -> None:
    user = make_user()
    token, secret = services.create_api_token(user, "laptop")
    db.session.commit()
    assert secret not in token.token_hash
    assert services.user_for_api_token(secret) == user
    services.revoke_api_token(user, token.id)
    assert services.user_for_api_token(secret) is None
    other = make_user()
    token2, _ = services.create_api_token(user, "phone")
    with pytest.raises(NotFound):
        services.revoke_api_token(other, token2.id)


def test_department_slug_rules(app: Flask) -> None:
    admin = make_user(Role.ADMIN)
    with pytest.raises(Invalid):
        services.create_department(admin, slug="Bad Slug", name="X")
    services.create_department(admin, slug="parks", name="Parks")
    with pytest.raises(Conflict):
        services.create_department(admin, slug="parks", name="Parks again")
    with pytest.raises(NotPermitted):
        services.create_department(make_user(Role.SENIOR), slug="other", name="Other")
