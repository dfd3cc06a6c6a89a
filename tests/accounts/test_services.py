"""Account rules without HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from forum.accounts import services
from forum.accounts.models import Role
from forum.core.errors import Conflict, Invalid, NotFound, NotPermitted
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
