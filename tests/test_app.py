"""App-wide behaviour: config, health, headers, error pages, deny-by-default, input screening."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum.accounts.models import Role
from forum.core.web import register_public_endpoint
from tests.boards.factories import make_thread
from tests.factories import PASSWORD, make_user


def test_healthz_checks_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_is_gone(
    tmp_path: Path, extra_app: Callable[..., Flask]
) -> None:
    broken = extra_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1",
        }
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    for path in ("/login", "/healthz", "/nope", "/api/v1/openapi.json"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_signed_in_responses_are_not_cached(client: FlaskClient, login: Any) -> None:
    assert "Cache-Control" not in client.get("/login").headers
    thread = make_thread()
    login(make_user())
    assert client.get("/").headers["Cache-Control"] == "private, no-store"
    # Also a write's redirect, after its commit expired the signed-in person's row.
    response = client.post(f"/t/{thread.id}/reply", data={"body": "Noted."})
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "private, no-store"


def test_not_found_page_leaks_nothing(client: FlaskClient) -> None:
    response = client.get("/definitely-missing")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "Page not found" in text and "Traceback" not in text


def test_unexpected_errors_are_a_plain_500(app: Flask, client: FlaskClient, login: Any) -> None:
    @app.get("/boom-for-test")
    def boom() -> str:
        raise RuntimeError("secret internals")

    login(make_user())
    response = client.get("/boom-for-test")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Something went wrong" in body


def test_an_unexpected_error_logs_the_route_not_a_secret_in_the_path(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/boom-for-test/<token>")
    def boom_with_token(token: str) -> str:
        raise RuntimeError("failed")

    register_public_endpoint(app, "boom_with_token")
    with caplog.at_level(logging.ERROR, logger="forum.core.web"):
        assert client.get("/boom-for-test/reset-secret-8f3a").status_code == 500
    assert "GET /boom-for-test/<token>" in caplog.text
    assert "reset-secret-8f3a" not in caplog.text


def test_json_errors_under_api(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("value", ["bad\x00value", "x" * 100_001])
def test_unstorable_input_is_a_400_with_a_field_message(client: FlaskClient, value: str) -> None:
    response = client.post("/login", data={"email": value, "password": "x"})
    assert response.status_code == 400
    assert "email" in response.get_data(as_text=True)


def test_unstorable_json_is_a_400_with_a_field_message(client: FlaskClient, api: Any) -> None:
    admin = make_user(Role.ADMIN)
    response = api(admin).post("/api/v1/departments", json={"slug": "ok", "name": "a\x00b"})
    assert response.status_code == 400
    assert "name" in response.get_json()["error"]["fields"]


def test_invalid_utf8_json_is_a_400(client: FlaskClient, api: Any) -> None:
    admin = make_user(Role.ADMIN)
    response = api(admin).post(
        "/api/v1/departments", data=b'{"slug": "\xff\xfe"}', content_type="application/json"
    )
    assert response.status_code == 400


def test_invalid_utf8_form_is_stored_safely_or_refused(client: FlaskClient) -> None:
    response = client.post(
        "/login", data=b"email=%FF%FE&password=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("public_verify", [False, True])
def test_every_non_public_endpoint_refuses_anonymous_users(app: Flask, public_verify: bool) -> None:
    # PUBLIC_VERIFY opens its three endpoints (tests/registry/test_public_verify.py) and no other.
    app.config["PUBLIC_VERIFY"] = public_verify
    client = app.test_client()
    public = {
        "static",
        "healthz",
        "favicon",
        "web_manifest",
        "accounts.login",
        "accounts.signup",
        "accounts.accept_invitation",
        "accounts.forgot_password",
        "accounts.reset_password",
        # single sign-on (a 404 while it is not configured) and the second sign-in step
        "accounts.sso_start",
        "accounts.sso_callback",
        "accounts.login_two_factor",
        "api.openapi",
        # authenticated by the key in their URL (tests/boards/test_feeds.py)
        "feeds.activity",
        "feeds.board",
        "meetups.feed",
        # one-click email links, authorized by the signed link (tests/escalations/
        # test_email_links.py, tests/alerts/test_unsubscribe.py)
        "escalations.acknowledge_link",
        "escalations.open_link",
        "alerts.unsubscribe",
    }
    if public_verify:
        public |= {"registry.public_verify", "registry.badge", "api.verify"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in public:
            continue
        path = rule.rule
        for argument in rule.arguments:
            converter = rule._converters[argument]
            sample = "1" if type(converter).__name__ in {"IntegerConverter", "IdConverter"} else "x"
            path = path.replace(f"<{type(converter).__name__}:{argument}>", sample)
            path = path.replace(f"<id:{argument}>", "1").replace(f"<{argument}>", sample)
            path = path.replace(f"<path:{argument}>", sample)
        method = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})[0]
        response = client.open(path, method=method)
        if path.startswith("/api/"):
            assert response.status_code == 401, (rule.endpoint, response.status_code)
        else:
            assert response.status_code in {302, 400}, (rule.endpoint, response.status_code)
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login"), rule.endpoint
        checked += 1
    assert checked > 10


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app: Flask) -> None:
    from forum.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only apply to SQLite")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_admin_pages_are_gathered_on_one_admin_page(app: Flask, login: Any) -> None:
    admin_client = app.test_client()
    admin_client.post("/login", data={"email": make_user(Role.ADMIN).email, "password": PASSWORD})
    home = admin_client.get("/").get_data(as_text=True)
    assert 'href="/admin"' in home
    assert 'href="/admin/users"' not in home  # not in the header any more
    hub = admin_client.get("/admin").get_data(as_text=True)
    for path in ("/admin/users", "/admin/departments", "/admin/boards", "/admin/alerts"):
        assert f'href="{path}' in hub

    member_client = app.test_client()
    member_client.post("/login", data={"email": make_user().email, "password": PASSWORD})
    assert 'href="/admin"' not in member_client.get("/").get_data(as_text=True)
    assert member_client.get("/admin").status_code == 403
