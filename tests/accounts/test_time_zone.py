"""People read times in their own time zone, chosen in settings; the default is the org's."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from forum.accounts.models import User
from forum.extensions import db
from tests.conftest import csrf_token_from
from tests.factories import make_user, see_committed


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "FORUM_TIMEZONE": "America/New_York"}


def save_profile(client: FlaskClient, **changes: str) -> Any:
    page = client.get("/settings").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(page),
        "display_name": "Robin Zone",
        "email_preference": "immediately",
        "time_zone": "",
        **changes,
    }
    return client.post("/settings/profile", data=data)


def signed_in_times(client: FlaskClient) -> list[str]:
    """The texts of the sign-in times on the settings page (one per device)."""
    page = client.get("/settings").get_data(as_text=True)
    return re.findall(r'<td data-label="Signed in"><time datetime="[^"]+Z">([^<]+)</time>', page)


def stored_zone(user_id: int) -> str | None:
    see_committed()  # read what was committed, not what this session remembers
    user = db.session.get(User, user_id)
    assert user is not None
    return user.time_zone


def test_times_follow_the_organization_until_a_person_chooses(
    client: FlaskClient, login: Callable[..., FlaskClient]
) -> None:
    user = make_user(display_name="Robin Zone")
    user_id = user.id
    login(user)
    page = client.get("/settings").get_data(as_text=True)
    assert '<label for="time_zone">Show times in</label>' in page
    assert "The organization&#39;s time zone (America/New_York)" in page
    assert all(text.endswith((" EST", " EDT")) for text in signed_in_times(client))

    response = save_profile(client, time_zone="Asia/Tokyo")
    assert response.status_code == 302
    assert stored_zone(user_id) == "Asia/Tokyo"
    times = signed_in_times(client)
    assert times and all(text.endswith(" JST") for text in times)
    assert '<option selected value="Asia/Tokyo">' in client.get("/settings").get_data(as_text=True)

    assert save_profile(client, time_zone="").status_code == 302
    assert stored_zone(user_id) is None
    assert all(text.endswith((" EST", " EDT")) for text in signed_in_times(client))


@pytest.mark.parametrize("bad", ["Mars/Olympus_Mons", "../../etc/passwd", "Europe/"])
def test_an_unknown_zone_is_a_field_error_that_loses_nothing(
    client: FlaskClient, login: Callable[..., FlaskClient], bad: str
) -> None:
    user = make_user(display_name="Robin Zone")
    user_id = user.id
    login(user)
    response = save_profile(client, time_zone=bad, display_name="Robin Renamed")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose a time zone from the list" in page
    assert 'value="Robin Renamed"' in page  # what was typed is still in the form
    see_committed()
    again = db.session.get(User, user_id)
    assert again is not None and again.display_name == "Robin Zone" and again.time_zone is None
