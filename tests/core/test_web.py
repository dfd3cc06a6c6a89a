"""App-wide web behaviour: the base URL of absolute links, and the date pages call today."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum.accounts.models import Role
from forum.alerts import services as alert_services
from forum.core.web import DEFAULT_BASE_URL, base_url
from forum.extensions import db
from tests.accounts.mailbox import deliver_and_read
from tests.factories import make_user


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """A development install: FORUM_BASE_URL left unset."""
    return {**app_config, "FORUM_BASE_URL": None}


def test_an_emailed_link_names_the_host_the_person_used(app: Flask, client: FlaskClient) -> None:
    user = make_user()
    response = client.post(
        "/forgot-password", data={"email": user.email}, base_url="http://dev-box.lan:8000"
    )
    assert response.status_code in {200, 302}
    [(recipient, text)] = deliver_and_read(app)
    assert recipient == user.email
    assert "http://dev-box.lan:8000/reset-password/" in text


def test_links_made_in_a_request_use_its_host(client: FlaskClient, api: Any) -> None:
    admin = api(make_user(Role.ADMIN))
    response = admin.post(
        "/api/v1/users/invitations",
        json={"email": "new@example.org"},
        base_url="https://staging.example.org",
    )
    assert response.status_code == 201
    assert response.get_json()["url"].startswith("https://staging.example.org/invite/")


def test_the_worker_without_a_request_falls_back_to_the_default(app: Flask) -> None:
    user = make_user()
    alert_services.notify_user(
        user,
        kind="escalation",
        title="Bins not collected",
        body="",
        url="/escalations/7",
        dedupe_key="escalation:7:opened",
        email=True,
    )
    db.session.commit()
    [(_recipient, text)] = deliver_and_read(app)
    assert f"{DEFAULT_BASE_URL}/escalations/7" in text
    assert base_url() == DEFAULT_BASE_URL


def test_a_configured_base_url_wins_over_the_host_header(app: Flask, client: FlaskClient) -> None:
    app.config["FORUM_BASE_URL"] = "https://forum.example.org"
    user = make_user()
    client.post("/forgot-password", data={"email": user.email}, base_url="http://evil.example")
    [(_recipient, text)] = deliver_and_read(app)
    assert "https://forum.example.org/reset-password/" in text
    assert "evil.example" not in text


@pytest.fixture
def local_time_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Run with the process's local time zone set to `posix_tz` (POSIX signs: "X-14" is UTC+14)."""

    def use(posix_tz: str) -> None:
        monkeypatch.setenv("TZ", posix_tz)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


def test_today_in_pages_is_the_utc_date_whatever_the_server_zone(
    app: Flask, local_time_zone: Callable[[str], None]
) -> None:
    today = app.jinja_env.globals["today"]
    assert callable(today)
    # 14 hours ahead and 11 behind: at any hour, one of them is on another date than UTC.
    for zone in ("AHEAD-14", "BEHIND+11"):
        local_time_zone(zone)
        before = dt.datetime.now(dt.UTC).date()
        shown = today()
        after = dt.datetime.now(dt.UTC).date()
        assert shown in {before, after}, zone


def test_the_icon_and_the_web_app_manifest_are_served_to_anyone(client: FlaskClient) -> None:
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # ICO header
    with client.get("/manifest.webmanifest") as manifest:
        assert manifest.status_code == 200
        assert manifest.mimetype == "application/manifest+json"
        data = manifest.get_json(force=True)
    assert data["start_url"] == "/" and data["display"] == "standalone"
    for entry in data["icons"]:
        with client.get(entry["src"]) as image:
            assert image.status_code == 200
    login_page = client.get("/login").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in login_page
    assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in login_page
