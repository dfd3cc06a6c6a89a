"""With CSRF on: the one-click acknowledge needs the page's token."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum.escalations.models import EscalationState
from forum.extensions import db
from tests.conftest import csrf_token_from
from tests.escalations.factories import make_board, make_escalation, make_staff, make_thread
from tests.factories import PASSWORD, make_department


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "WTF_CSRF_ENABLED": True}


def _sign_in(client: FlaskClient, user: Any) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_acknowledge_without_the_token_is_refused_and_with_it_works(
    app: Flask, client: FlaskClient
) -> None:
    dept = make_department()
    staff = make_staff(dept)
    escalation = make_escalation(
        make_thread(make_board(staff["admin"], department=dept)), actor=staff["member"]
    )
    _sign_in(client, staff["senior"])

    refused = client.post(f"/escalations/{escalation.id}/acknowledge")
    assert refused.status_code == 400
    db.session.refresh(escalation)
    assert escalation.state == EscalationState.OPEN

    token = csrf_token_from(client.get("/inbox").get_data(as_text=True))
    accepted = client.post(f"/escalations/{escalation.id}/acknowledge", data={"csrf_token": token})
    assert accepted.status_code == 302
    db.session.refresh(escalation)
    assert escalation.state == EscalationState.ACKNOWLEDGED
