"""With CSRF protection on (as in production), state changes need a valid token."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_user


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_login_without_token_is_400(client: FlaskClient) -> None:
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)


def test_login_with_token_works(client: FlaskClient) -> None:
    user = make_user()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_logout_and_settings_need_the_token(client: FlaskClient) -> None:
    user = make_user()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert client.post("/logout").status_code == 400
    assert client.post("/settings/tokens", data={"name": "x"}).status_code == 400
    assert (
        client.post("/settings/tokens", data={"name": "x", "csrf_token": "forged"}).status_code
        == 400
    )
    page_token = csrf_token_from(client.get("/settings").get_data(as_text=True))
    assert (
        client.post("/settings/tokens", data={"name": "x", "csrf_token": page_token}).status_code
        == 201
    )


def test_every_state_changing_html_route_refuses_a_missing_token(
    app: Any, client: FlaskClient
) -> None:
    user = make_user()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    checked = 0
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}
        if not methods or rule.rule.startswith("/api/"):
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<id:{argument}>", "1").replace(f"<{argument}>", "x")
            path = path.replace(f"<path:{argument}>", "x")
        for method in methods:
            response = client.open(path, method=method, data={"x": "1"})
            assert response.status_code == 400, (rule.endpoint, response.status_code)
            checked += 1
    assert checked >= 5
