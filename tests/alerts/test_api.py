"""GET /api/v1/notifications and POST /api/v1/notifications/read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Flask

from forum.alerts import services
from tests.alerts.factories import make_notification
from tests.factories import make_user

Api = Callable[[Any], Any]


def test_list_notifications(app: Flask, api: Api) -> None:
    user, other = make_user(), make_user()
    t0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    older = make_notification(user, title="Older", url="/t/1", now=t0)
    make_notification(user, title="Newer", url="/t/2#post-3", now=t0 + dt.timedelta(hours=1))
    make_notification(other, title="Not mine")
    services.mark_read(user, [older.id])

    response = api(user).get("/api/v1/notifications")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["total"], body["unread"], body["page"], body["pages"]) == (2, 1, 1, 1)
    newest = body["items"][0]
    assert newest["title"] == "Newer"
    assert newest["url"] == "http://forum.test/t/2#post-3"
    assert newest["is_read"] is False and newest["read_at"] is None
    assert body["items"][1]["is_read"] is True

    unread = api(user).get("/api/v1/notifications?unread=true").get_json()
    assert [n["title"] for n in unread["items"]] == ["Newer"]


def test_list_pagination_and_bad_query(app: Flask, api: Api) -> None:
    user = make_user()
    for _ in range(5):
        make_notification(user)
    client = api(user)
    body = client.get("/api/v1/notifications?per_page=2&page=3").get_json()
    assert (len(body["items"]), body["pages"]) == (1, 3)
    response = client.get("/api/v1/notifications?per_page=1000")
    assert response.status_code == 400
    assert "per_page" in response.get_json()["error"]["fields"]


def test_mark_some_then_all_read(app: Flask, api: Api) -> None:
    user, other = make_user(), make_user()
    mine = [make_notification(user) for _ in range(3)]
    theirs = make_notification(other)
    client = api(user)
    response = client.post("/api/v1/notifications/read", json={"ids": [mine[0].id, theirs.id]})
    assert response.status_code == 200
    assert response.get_json() == {"marked": 1, "unread": 2}
    assert services.unread_count(other) == 1
    assert client.post("/api/v1/notifications/read", json={"all": True}).get_json() == {
        "marked": 2,
        "unread": 0,
    }


def test_mark_read_needs_ids_or_all(app: Flask, api: Api) -> None:
    client = api(make_user())
    for body in ({}, {"ids": [1], "all": True}, {"ids": ["x"]}, {"everything": True}):
        assert client.post("/api/v1/notifications/read", json=body).status_code == 400


def test_notifications_api_needs_a_token(app: Flask, client: Any) -> None:
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/read", json={"all": True}).status_code == 401


def test_openapi_documents_the_notification_routes(app: Flask, client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/notifications"]
    assert "post" in paths["/api/v1/notifications/read"]
