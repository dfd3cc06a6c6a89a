"""Single sign-on against a real OpenID Provider (oidc-provider from npm) on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.accounts.models import AuditAction, AuditEvent, Role, User
from forum.config import ConfigError, load_config
from forum.extensions import db
from tests.accounts.oidc_server import Provider, drive_sign_in, running_provider
from tests.factories import PASSWORD, make_department, make_user, reload

FORUM = "http://forum.test"
CALLBACK = f"{FORUM}/login/sso/callback"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider([CALLBACK]) as running:
        yield running


@pytest.fixture
def app_config(app_config: dict[str, Any], provider: Provider) -> dict[str, Any]:
    return {
        **app_config,
        **provider.config(
            OIDC_ALLOWED_DOMAINS=["example.org"],
            OIDC_ROLE_GROUPS={"forum-admins": "admin", "comms-seniors": "senior"},
            OIDC_DEPARTMENT_CLAIM="department",
        ),
    }


def sso(client: FlaskClient, login: str, *, start: str = "/login/sso", abort: bool = False) -> Any:
    """Go through the provider as `login` and land back on the forum's callback."""
    started = client.get(start)
    assert started.status_code == 302, started.get_data(as_text=True)
    back = drive_sign_in(started.location, login, back_to=FORUM, abort=abort)
    return client.get(back.removeprefix(FORUM))


def signed_in_as(client: FlaskClient) -> str:
    return client.get("/settings").get_data(as_text=True)


def audit_actions(user: User) -> list[str]:
    return [
        str(event.action)
        for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.subject_id == user.id).order_by(AuditEvent.id)
        )
    ]


def user_named(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def test_the_sign_in_page_offers_the_provider_by_its_display_name(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Example ID" in page
    assert 'href="/login/sso"' in page
    assert 'name="password"' in page  # passwords still work alongside


def test_a_first_sign_in_from_an_allowed_domain_creates_the_account(
    app: Flask, client: FlaskClient
) -> None:
    housing = make_department(slug="housing", name="Housing")
    response = sso(client, "ann")
    assert response.status_code == 302
    assert response.location == "/"
    ann = user_named("ann@example.org")
    assert ann is not None
    assert ann.display_name == "Ann Archer"
    assert ann.handle == "ann"  # her page is /u/ann
    assert ann.role == Role.ADMIN  # from the forum-admins group
    assert ann.department_id == housing.id  # from the department claim
    assert ann.password_hash is None
    assert ann.sso_issuer == app.config["OIDC_ISSUER"] and ann.sso_subject == "ann"
    assert audit_actions(ann) == [AuditAction.SSO_ACCOUNT_CREATED, AuditAction.SIGN_IN_SUCCEEDED]
    assert "ann@example.org" in signed_in_as(client)


def test_an_existing_account_is_linked_by_its_verified_email_and_follows_the_groups(
    client: FlaskClient,
) -> None:
    sam = make_user(Role.MEMBER, email="sam@example.org", display_name="Sam")
    assert sso(client, "sam").status_code == 302
    sam = reload(sam)
    assert sam.sso_subject == "sam"
    assert sam.role == Role.SENIOR  # comms-seniors maps to senior
    assert audit_actions(sam) == [
        AuditAction.SSO_LINKED,
        AuditAction.SSO_UPDATED,
        AuditAction.SIGN_IN_SUCCEEDED,
    ]
    updated = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.SSO_UPDATED)
    ).one()
    assert updated.details == {"role": ["member", "senior"]}
    # The password still works for the linked account.
    client.post("/logout")
    assert client.post("/login", data={"email": sam.email, "password": PASSWORD}).status_code == 302


def test_the_next_sign_in_finds_the_account_by_its_subject(client: FlaskClient) -> None:
    assert sso(client, "ann").status_code == 302
    client.post("/logout")
    assert sso(client, "ann").status_code == 302
    assert db.session.scalars(select(User).where(User.email == "ann@example.org")).all()
    assert "ann@example.org" in signed_in_as(client)


def test_an_unverified_email_is_not_linked_to_the_account_with_that_address(
    client: FlaskClient,
) -> None:
    una = make_user(email="una@example.org")
    response = sso(client, "una")
    assert response.status_code == 400
    assert "has not verified una@example.org" in response.get_data(as_text=True)
    assert reload(una).sso_subject is None
    assert client.get("/settings").status_code == 302  # not signed in


def test_a_domain_that_is_not_allowed_is_refused(client: FlaskClient) -> None:
    response = sso(client, "eve")
    assert response.status_code == 403
    assert "Accounts at outside-example.com cannot sign in" in response.get_data(as_text=True)
    assert user_named("eve@outside-example.com") is None


def test_a_replayed_answer_is_refused(client: FlaskClient) -> None:
    started = client.get("/login/sso")
    back = drive_sign_in(started.location, "ann", back_to=FORUM).removeprefix(FORUM)
    assert client.get(back).status_code == 302
    client.post("/logout")
    replayed = client.get(back)
    assert replayed.status_code == 400
    assert "expired or was already used" in replayed.get_data(as_text=True)
    assert client.get("/settings").status_code == 302


def test_an_answer_for_another_browser_is_refused(app: Flask, client: FlaskClient) -> None:
    """The state lives in the session of the browser that started: a link sent to someone
    else signs nobody in."""
    started = client.get("/login/sso")
    back = drive_sign_in(started.location, "ann", back_to=FORUM).removeprefix(FORUM)
    other = app.test_client()
    response = other.get(back)
    assert response.status_code == 400
    assert other.get("/settings").status_code == 302


def test_cancelling_at_the_provider_explains_and_signs_nobody_in(client: FlaskClient) -> None:
    response = sso(client, "ann", abort=True)
    assert response.status_code == 400
    assert "Example ID did not sign you in (access_denied)" in response.get_data(as_text=True)
    assert user_named("ann@example.org") is None


def test_a_deactivated_account_cannot_sign_in_through_the_provider(client: FlaskClient) -> None:
    sso(client, "ann")
    client.post("/logout")
    ann = user_named("ann@example.org")
    assert ann is not None
    ann.is_active = False
    db.session.commit()
    response = sso(client, "ann")
    assert response.status_code == 403
    assert "deactivated" in response.get_data(as_text=True)


def test_the_next_page_survives_the_round_trip_and_stays_on_site(client: FlaskClient) -> None:
    assert sso(client, "ann", start="/login/sso?next=/profiles").location == "/profiles"
    client.post("/logout")
    assert sso(client, "ann", start="/login/sso?next=//evil.test/x").location == "/"


class TestWithoutAllowedDomains:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any], provider: Provider) -> dict[str, Any]:
        return {
            **app_config,
            **provider.config(
                OIDC_ALLOWED_DOMAINS=[], OIDC_ROLE_GROUPS={}, OIDC_DEPARTMENT_CLAIM=None
            ),
        }

    def test_only_people_with_an_account_may_sign_in(self, client: FlaskClient) -> None:
        response = sso(client, "ann")
        assert response.status_code == 403
        assert "no account for ann@example.org" in response.get_data(as_text=True)
        make_user(Role.ENTHUSIAST, email="ann@example.org")
        assert sso(client, "ann").status_code == 302
        # Without a group map, the role stays the one given here.
        assert user_named("ann@example.org").role == Role.ENTHUSIAST  # type: ignore[union-attr]


class TestPasswordSignInOff:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "PASSWORD_SIGN_IN": False}

    def test_only_the_provider_is_offered_and_passwords_are_refused(
        self, client: FlaskClient
    ) -> None:
        user = make_user()
        page = client.get("/login").get_data(as_text=True)
        assert "Sign in with Example ID" in page
        assert 'name="password"' not in page and "Forgot your password?" not in page
        refused = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert refused.status_code == 403
        assert "turned off here: use Example ID" in refused.get_data(as_text=True)
        assert client.get("/settings").status_code == 302
        assert client.post("/forgot-password", data={"email": user.email}).status_code == 403
        assert sso(client, "ann").status_code == 302


class TestUntrustedProviders:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return app_config  # set per test below, once the provider runs

    def test_a_provider_announcing_another_issuer_is_refused(
        self, app_config: dict[str, Any], extra_app: Any
    ) -> None:
        with running_provider([CALLBACK], announced_issuer="http://localhost:1/other") as other:
            app = extra_app({**app_config, **other.config()})
            response = app.test_client().get("/login/sso")
        assert response.status_code == 503
        assert "different issuer than this forum trusts" in response.get_data(as_text=True)

    def test_an_expired_id_token_is_refused(
        self, app_config: dict[str, Any], extra_app: Any
    ) -> None:
        # The provider's clock runs 15 minutes behind: its 10-minute ID tokens expired before
        # they arrive, beyond the minute of skew the forum tolerates.
        with running_provider([CALLBACK], clock_offset_seconds=-900) as late:
            app = extra_app({**app_config, **late.config(OIDC_ALLOWED_DOMAINS=["example.org"])})
            client = app.test_client()
            response = sso(client, "ann")
        assert response.status_code == 400
        assert "has expired" in response.get_data(as_text=True)
        with app.app_context():
            assert db.session.scalar(select(User).where(User.email == "ann@example.org")) is None

    def test_an_unreachable_provider_is_explained(
        self, app_config: dict[str, Any], extra_app: Any
    ) -> None:
        app = extra_app(
            {
                **app_config,
                "OIDC_ISSUER": "http://127.0.0.1:9",
                "OIDC_CLIENT_ID": "x",
                "OIDC_CLIENT_SECRET": "y",
            }
        )
        response = app.test_client().get("/login/sso")
        assert response.status_code == 503
        assert "cannot be reached right now" in response.get_data(as_text=True)


def test_without_sso_settings_there_is_no_provider(tmp_path: Any) -> None:
    from tests.conftest import build_app

    app = build_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": "sqlite://",
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    client = app.test_client()
    assert "Sign in with" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/sso").status_code == 404


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"OIDC_ISSUER": "https://id.example.org"},
            "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set",
        ),
        ({"PASSWORD_SIGN_IN": False}, "PASSWORD_SIGN_IN=false needs single sign-on"),
        (
            {
                "OIDC_ISSUER": "https://id.example.org",
                "OIDC_CLIENT_ID": "a",
                "OIDC_CLIENT_SECRET": "b",
                "OIDC_ROLE_GROUPS": {"g": "owner"},
            },
            "maps 'g' to an unknown role",
        ),
        ({"OIDC_ISSUER": "id.example.org"}, "OIDC_ISSUER: must be the provider's issuer URL"),
    ],
)
def test_incomplete_sso_settings_refuse_to_start(
    tmp_path: Any, settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(str(tmp_path), {"SECRET_KEY": "x", **settings})
