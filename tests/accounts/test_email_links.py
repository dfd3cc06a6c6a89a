"""Links in emails without FORUM_BASE_URL (development): the host the person is using, so
they work wherever the forum is browsed from. Production refuses to start without it
(tests/test_config.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.accounts.services import resets
from forum.alerts.models import OutboxMessage
from forum.core.web import DEFAULT_BASE_URL
from forum.extensions import db
from tests.factories import make_user


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "FORUM_BASE_URL": None}


def _link() -> str:
    (message,) = db.session.scalars(select(OutboxMessage))
    return str(message.payload["url"])


def test_an_emailed_link_names_the_host_of_the_request_that_made_it(
    app: Flask, client: FlaskClient
) -> None:
    user = make_user()
    response = client.post(
        "/forgot-password", data={"email": user.email}, base_url="http://forum.lan:8080"
    )
    assert response.status_code == 302
    assert _link().startswith("http://forum.lan:8080/")


def test_outside_a_request_the_link_falls_back_to_the_development_address(app: Flask) -> None:
    user = make_user()
    resets.request_reset(
        user.email, ip="10.0.0.1", settings=app.config, now=dt.datetime.now(dt.UTC)
    )
    db.session.commit()
    assert _link().startswith(DEFAULT_BASE_URL + "/")
