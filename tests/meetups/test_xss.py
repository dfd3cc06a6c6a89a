"""XSS vectors through every field of a meet-up, checked on each page that shows them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from forum.core.db import utcnow
from tests.boards.factories import make_board
from tests.core.test_markup import XSS_VECTORS
from tests.factories import make_user
from tests.security.html_checks import script_capable_markup

Login = Callable[..., FlaskClient]


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "RATELIMIT_ENABLED": False}  # many meet-ups in a minute


def test_no_vector_in_a_meetup_field_can_run_script(login: Login) -> None:
    board = make_board()
    client = login(make_user())
    start = utcnow() + dt.timedelta(days=4)
    created = []
    for vector in XSS_VECTORS:
        response = client.post(
            "/meetups/new",
            data={
                "board": board.slug,
                "title": vector[:200],
                "description": vector,
                "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                "place": vector[:300],
            },
        )
        assert response.status_code in (302, 400), vector
        if response.status_code == 302:
            created.append(response.headers["Location"])
    assert len(created) > len(XSS_VECTORS) // 2
    pages = ["/meetups", *created, *(f"{path}/edit" for path in created)]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert script_capable_markup(response.get_data(as_text=True)) == [], path
