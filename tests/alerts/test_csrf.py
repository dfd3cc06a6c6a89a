"""With CSRF on, the alert forms refuse POSTs without the token."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum.accounts.models import Role
from forum.alerts.models import OutboxStatus
from forum.extensions import db
from tests.alerts.factories import make_email, make_notification
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_user, reload


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "WTF_CSRF_ENABLED": True}


def sign_in(client: FlaskClient, email: str) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_dead_letter_retry_needs_the_csrf_token(app: Flask, client: FlaskClient) -> None:
    message = make_email()
    message.status = OutboxStatus.DEAD
    db.session.commit()
    sign_in(client, make_user(Role.ADMIN).email)
    assert client.post(f"/admin/alerts/messages/{message.id}/retry").status_code == 400
    assert reload(message).status == OutboxStatus.DEAD

    token = csrf_token_from(client.get("/admin/alerts").get_data(as_text=True))
    response = client.post(f"/admin/alerts/messages/{message.id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    assert reload(message).status == OutboxStatus.PENDING


def test_mark_read_needs_the_csrf_token(app: Flask, client: FlaskClient) -> None:
    user = make_user()
    make_notification(user)
    sign_in(client, user.email)
    assert client.post("/notifications/read").status_code == 400
    token = csrf_token_from(client.get("/notifications").get_data(as_text=True))
    assert client.post("/notifications/read", data={"csrf_token": token}).status_code == 302
