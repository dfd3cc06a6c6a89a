"""Ids from outside are bounded once: 404 in a path, 400 with a field message in a form or JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter
from wtforms import Form

from forum.accounts.models import Role
from forum.alerts.models import Notification
from forum.core.ids import MAX_ID, IdConverter, IdField, parse_id
from forum.extensions import db
from tests.alerts.factories import make_notification
from tests.boards.factories import make_board, make_post, make_thread
from tests.escalations.factories import make_escalation
from tests.factories import make_user
from tests.registry.factories import make_profile

Api = Callable[[Any], Any]
TOO_BIG = 2**63  # the first value SQLite's driver refuses with OverflowError
BEYOND_POSTGRES = 2**31  # the first value PostgreSQL's INTEGER id columns refuse


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        (str(MAX_ID), MAX_ID),
        (MAX_ID, MAX_ID),
        (str(TOO_BIG), None),
        (TOO_BIG, None),
        (BEYOND_POSTGRES, None),
        ("0", None),
        ("-1", None),
        ("1e3", None),
        ("1.0", None),
        ("\u00b2", None),  # isdigit() is true, int() raises
        ("\uff11", None),  # int() reads full-width digits
        ("9" * 5000, None),  # int() refuses more than 4,300 digits
        (True, None),
        (None, None),
        ("", None),
    ],
)
def test_parse_id_accepts_exactly_1_to_max(raw: object, expected: int | None) -> None:
    assert parse_id(raw) == expected


def test_every_route_takes_ids_through_the_bounded_converter(app: Flask) -> None:
    unbounded = [
        f"{rule.rule} <{name}>"
        for rule in app.url_map.iter_rules()
        for name, converter in rule._converters.items()
        if isinstance(converter, IntegerConverter) and not isinstance(converter, IdConverter)
    ]
    assert unbounded == []
    assert any(
        isinstance(c, IdConverter) for r in app.url_map.iter_rules() for c in r._converters.values()
    )


def test_id_field_gives_a_field_error_not_a_crash(app: Flask) -> None:
    from werkzeug.datastructures import MultiDict

    class F(Form):
        thing = IdField("Thing")

    for raw in (str(TOO_BIG), "0", "abc", "\u00b2"):
        form = F(MultiDict({"thing": raw}))
        assert not form.validate() and form.thing.data is None
        assert "Not a valid id" in form.thing.errors[0]
    form = F(MultiDict({"thing": "7"}))
    assert form.validate() and form.thing.data == 7
    form = F(MultiDict({"thing": ""}))
    assert form.validate() and form.thing.data is None


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    admin = make_user(Role.ADMIN)
    thread = make_thread(make_board())
    post = make_post(thread)
    profile = make_profile(actor=admin)
    escalation = make_escalation(thread)
    notification = make_notification(admin)
    return {
        "admin": admin,
        "thread": thread,
        "post": post,
        "profile": profile,
        "escalation": escalation,
        "notification": notification,
    }


@pytest.mark.parametrize("big", [TOO_BIG, BEYOND_POSTGRES])
@pytest.mark.parametrize(
    "path",
    [
        "/t/{big}",
        "/t/{big}-slug",
        "/t/{big}/reply",
        "/p/{big}",
        "/p/{big}/edit",
        "/profiles/{big}",
        "/escalations/{big}",
        "/notifications/{big}/open",
        "/t/0",
        "/t/01",
    ],
)
def test_out_of_range_ids_in_page_paths_are_404(
    world: dict[str, Any], login: Callable[..., FlaskClient], path: str, big: int
) -> None:
    client = login(world["admin"])
    assert client.get(path.format(big=big)).status_code == 404


@pytest.mark.parametrize("big", [TOO_BIG, BEYOND_POSTGRES])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/threads/{big}"),
        ("POST", "/api/v1/threads/{big}/posts"),
        ("GET", "/api/v1/posts/{big}"),
        ("PATCH", "/api/v1/posts/{big}"),
        ("DELETE", "/api/v1/posts/{big}"),
        ("DELETE", "/api/v1/posts/0"),
        ("GET", "/api/v1/profiles/{big}"),
        ("GET", "/api/v1/escalations/{big}"),
        ("POST", "/api/v1/escalations/{big}/acknowledge"),
        ("POST", "/api/v1/escalations/{big}/resolve"),
        ("GET", "/api/v1/users/{big}"),
        ("PATCH", "/api/v1/users/{big}"),
    ],
)
def test_out_of_range_ids_in_api_paths_are_json_404(
    world: dict[str, Any], api: Api, method: str, path: str, big: int
) -> None:
    # 404 for every method: the range is in the route's pattern, so Werkzeug does not answer
    # 405 because another method's rule shares the path.
    response = api(world["admin"]).open(path.format(big=big), method=method, json={})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/threads/{thread}/posts", {"body": "Hi", "reply_to": TOO_BIG}, "reply_to"),
        ("/api/v1/threads/{thread}/solution", {"post_id": TOO_BIG}, "post_id"),
        ("/api/v1/threads/{thread}/solution", {"post_id": BEYOND_POSTGRES}, "post_id"),
        ("/api/v1/threads/{thread}/solution", {"solution_thread_id": 0}, "solution_thread_id"),
        ("/api/v1/threads/{thread}/escalations", {"reason": "x", "post_id": TOO_BIG}, "post_id"),
        ("/api/v1/threads/{thread}/escalations", {"reason": "x", "profile_id": -1}, "profile_id"),
        ("/api/v1/escalations/{escalation}/reassign", {"assignee_id": TOO_BIG}, "assignee_id"),
        ("/api/v1/notifications/read", {"ids": [1, TOO_BIG]}, "ids.1"),
    ],
)
def test_out_of_range_ids_in_api_bodies_are_400_with_the_field(
    world: dict[str, Any], api: Api, path: str, body: dict[str, Any], field: str
) -> None:
    url = path.format(thread=world["thread"].id, escalation=world["escalation"].id)
    response = api(world["admin"]).post(url, json=body)
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_reply_page_with_an_out_of_range_quote_is_400(
    world: dict[str, Any], login: Callable[..., FlaskClient]
) -> None:
    client = login(world["admin"])
    thread = world["thread"]
    response = client.get(f"/t/{thread.id}/reply?quote={TOO_BIG}")
    assert response.status_code == 400
    assert "Not a valid id" in response.get_data(as_text=True)
    assert client.get(f"/t/{thread.id}/reply?quote={world['post'].id}").status_code == 200


def test_reply_with_an_out_of_range_reply_to_shows_the_field_error(
    world: dict[str, Any], login: Callable[..., FlaskClient]
) -> None:
    client = login(world["admin"])
    thread = world["thread"]
    response = client.post(
        f"/t/{thread.id}/reply", data={"body": "A reply that must not be lost", "reply_to": TOO_BIG}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Quoted post: Not a valid id" in page
    assert "A reply that must not be lost" in page  # the text is kept for another try


def test_solution_with_an_out_of_range_post_is_400(
    world: dict[str, Any], login: Callable[..., FlaskClient]
) -> None:
    client = login(world["admin"])
    response = client.post(f"/t/{world['thread'].id}/solution", data={"post_id": TOO_BIG})
    assert response.status_code == 400
    assert "Not a valid id" in response.get_data(as_text=True)


def test_link_thread_with_an_out_of_range_number_is_400(
    world: dict[str, Any], login: Callable[..., FlaskClient]
) -> None:
    client = login(world["admin"])
    for value in (str(TOO_BIG), f"/t/{TOO_BIG}-title", "0"):
        response = client.post(f"/profiles/{world['profile'].id}/threads", data={"thread": value})
        assert response.status_code == 400, value
        assert "Paste the thread" in response.get_data(as_text=True)


def test_escalate_form_with_out_of_range_ids_is_400(
    world: dict[str, Any], login: Callable[..., FlaskClient]
) -> None:
    client = login(world["admin"])
    url = f"/t/{world['thread'].id}/escalate"
    assert client.get(f"{url}?profile={TOO_BIG}").status_code == 400
    assert client.get(f"{url}?post=\u00b2").status_code == 400
    assert (
        client.get(f"{url}?post={world['post'].id}&profile={world['profile'].id}").status_code
        == 200
    )
    # The profile is named by text now (address, handle or number): a huge number names none.
    response = client.post(url, data={"reason": "Needs a senior", "profile": TOO_BIG})
    assert response.status_code == 400
    assert "not one of our registered accounts" in response.get_data(as_text=True)
    response = client.post(url, data={"reason": "Needs a senior", "post_id": TOO_BIG})
    assert response.status_code == 400
    assert "Post: Not a valid id" in response.get_data(as_text=True)


def test_mark_read_with_an_out_of_range_id_is_400_and_marks_nothing(
    world: dict[str, Any], login: Callable[..., FlaskClient]
) -> None:
    client = login(world["admin"])
    response = client.post("/notifications/read", data={"id": TOO_BIG})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Notification, world["notification"].id).read_at is None  # type: ignore[union-attr]
    response = client.post("/notifications/read", data={"id": world["notification"].id})
    assert response.status_code == 302
