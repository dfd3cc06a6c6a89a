"""The API reads its input exactly as the OpenAPI document states it, for every operation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from forum.accounts.models import Role
from tests.alerts.factories import make_notification
from tests.factories import make_user

Api = Callable[[Any], Any]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("to=0", "to"),  # pydantic would read 0 as 1970-01-01
        ("from=1700000000", "from"),
        ("to=2026-01-01T00:00:00", "to"),
        ("to=2026-02-30", "to"),
        ("to=", "to"),
    ],
)
def test_insights_dates_are_yyyy_mm_dd_only(app: Flask, api: Api, query: str, field: str) -> None:
    response = api(make_user(Role.ADMIN)).get(f"/api/v1/insights?{query}")
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


def test_insights_with_real_dates_still_work(app: Flask, api: Api) -> None:
    response = api(make_user(Role.ADMIN)).get("/api/v1/insights?from=2026-01-01&to=2026-01-31")
    assert response.status_code == 200
    assert response.get_json()["from"] == "2026-01-01"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/notifications?page=", "/api/v1/escalations?page=", "/api/v1/notifications?page=x"],
)
def test_an_empty_or_bad_page_is_400(app: Flask, api: Api, path: str) -> None:
    response = api(make_user(Role.ADMIN)).get(path)
    assert response.status_code == 400
    assert "page" in response.get_json()["error"]["fields"]


def test_a_parameter_given_twice_or_unknown_is_400(app: Flask, api: Api) -> None:
    client = api(make_user(Role.ADMIN))
    twice = client.get("/api/v1/notifications?page=1&page=2")
    assert twice.status_code == 400
    assert twice.get_json()["error"]["fields"] == {"page": "Give this parameter once."}
    unknown = client.get("/api/v1/search?q=x&pgae=2")
    assert unknown.status_code == 400
    assert unknown.get_json()["error"]["fields"] == {"pgae": "Unknown parameter."}


def test_lookup_without_url_names_the_missing_parameter(app: Flask, api: Api) -> None:
    response = api(make_user(Role.ADMIN)).get("/api/v1/profiles/lookup")
    assert response.status_code == 400
    assert "url" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"all": 0}, "all"),  # a number is not a boolean
        ({"ids": ["1"]}, "ids.0"),  # a string is not an id
        ({"ids": [1.5]}, "ids.0"),
        ({"ids": [0]}, "ids.0"),
    ],
)
def test_json_bodies_are_read_strictly(
    app: Flask, api: Api, body: dict[str, Any], field: str
) -> None:
    user = make_user()
    notification = make_notification(user)
    response = api(user).post("/api/v1/notifications/read", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]
    ok = api(user).post("/api/v1/notifications/read", json={"ids": [notification.id]})
    assert ok.status_code == 200 and ok.get_json()["marked"] == 1


def test_archive_reason_is_a_documented_query_parameter(app: Flask, api: Api) -> None:
    from tests.registry.factories import make_profile

    admin = make_user(Role.ADMIN)
    profile = make_profile(actor=admin)
    client = api(admin)
    assert client.delete(f"/api/v1/profiles/{profile.id}?reason=Closed&x=1").status_code == 400
    response = client.delete(f"/api/v1/profiles/{profile.id}?reason=Closed")
    assert response.status_code == 200
    assert response.get_json()["status"] == "archived"
