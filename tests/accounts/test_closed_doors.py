"""Closed sign-up and spent invitations say so plainly instead of offering a form that fails."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from forum.accounts import services
from forum.accounts.models import Invitation, Role, User
from forum.extensions import db
from tests.factories import PASSWORD, make_user


def test_closed_sign_up_offers_no_form_and_refuses_a_post(app: Flask, client: FlaskClient) -> None:
    app.config["ALLOWED_EMAIL_DOMAINS"] = []
    page = client.get("/signup")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>Sign-up is by invitation</h1>" in html
    assert '<form method="post" novalidate>' not in html and 'name="password"' not in html
    assert "Create an account" not in client.get("/login").get_data(as_text=True)
    refused = client.post(
        "/signup", data={"email": "x@council.example", "display_name": "X", "password": PASSWORD}
    )
    assert refused.status_code == 403
    assert services.user_by_email("x@council.example") is None


def test_open_sign_up_is_offered_on_the_sign_in_page(app: Flask, client: FlaskClient) -> None:
    app.config["ALLOWED_EMAIL_DOMAINS"] = ["council.example"]
    assert "Create an account" in client.get("/login").get_data(as_text=True)
    assert 'name="password"' in client.get("/signup").get_data(as_text=True)


def test_a_second_invitation_is_spent_once_the_first_is_accepted(
    app: Flask, client: FlaskClient
) -> None:
    admin = make_user(Role.ADMIN)
    _first, first_token = services.invite(
        "twice@example.org", role="member", department=None, invited_by=admin
    )
    second, second_token = services.invite(
        "twice@example.org", role="member", department=None, invited_by=admin
    )
    db.session.commit()
    second_id = second.id
    assert 'name="password"' in client.get(f"/invite/{first_token}").get_data(as_text=True)
    accepted = client.post(
        f"/invite/{first_token}", data={"display_name": "Twice", "password": PASSWORD}
    )
    assert accepted.status_code == 302
    client.post("/logout")

    spent = client.get(f"/invite/{second_token}")
    assert spent.status_code in {404, 409}
    html = spent.get_data(as_text=True)
    assert 'name="password"' not in html
    db.session.remove()
    reloaded = db.session.get(Invitation, second_id)
    assert reloaded is not None and reloaded.revoked_at is not None
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 2


def test_an_invitation_to_an_address_that_signed_up_meanwhile_points_to_sign_in(
    app: Flask, client: FlaskClient
) -> None:
    admin = make_user(Role.ADMIN)
    _invitation, token = services.invite(
        "later@example.org", role="member", department=None, invited_by=admin
    )
    db.session.commit()
    make_user(email="later@example.org")  # created another way (an admin, the CLI)
    page = client.get(f"/invite/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 409
    assert "You already have an account" in html and 'href="/login"' in html
    assert 'name="password"' not in html
