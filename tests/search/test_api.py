"""GET /api/v1/search: shape, filters, visibility and 400s."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum.boards.models import PostKind
from tests.factories import make_department, make_user
from tests.search.factories import make_board, make_reply, make_thread

Api = Callable[[Any], Any]


def test_results_have_the_documented_shape(app: Flask, api: Api) -> None:
    thread = make_thread(
        make_board(),
        kind=PostKind.FIX,
        title="Badge printer fix",
        body="Clean the **print head** weekly.",
    )
    reply = make_reply(thread, body="Cleaning the head worked for us.")
    response = api(make_user()).get("/api/v1/search?q=head")
    assert response.status_code == 200
    body = response.get_json()
    # One result per thread, its best-matching posts beneath it.
    assert body["total"] == 1 and body["rebuilding"] is False
    [result] = body["results"]
    assert set(result) == {
        "thread_id",
        "post_id",
        "title",
        "kind",
        "snippet_html",
        "url",
        "is_solved",
        "posts",
    }
    assert result["thread_id"] == thread.id and result["url"] == f"/t/{thread.id}-{thread.slug}"
    assert result["title"] == "Badge printer fix" and result["kind"] == "fix"
    assert result["is_solved"] is False
    assert {post["post_id"] for post in result["posts"]} == {thread.posts[0].id, reply.id}
    assert result["post_id"] == result["posts"][0]["post_id"]
    assert result["snippet_html"] == result["posts"][0]["snippet_html"]
    for post in result["posts"]:
        assert set(post) == {
            "post_id",
            "is_thread",
            "snippet_html",
            "author_name",
            "created_at",
            "url",
        }
    opening = next(p for p in result["posts"] if p["post_id"] == thread.posts[0].id)
    assert opening["snippet_html"] == "Clean the print <mark>head</mark> weekly."
    assert opening["is_thread"] is True and opening["url"] == result["url"]
    answer = next(p for p in result["posts"] if p["post_id"] == reply.id)
    assert answer["is_thread"] is False and answer["url"] == f"/p/{reply.id}"
    assert answer["author_name"] == reply.author.display_name


def test_query_parameters_filter(app: Flask, api: Api) -> None:
    it_board = make_board(slug="it-help")
    comms = make_board(slug="comms")
    priya = make_user(email="priya.shah@example.org", display_name="Priya Shah")
    wanted = make_thread(it_board, author=priya, kind=PostKind.WIN, title="Wifi win", tags=["wifi"])
    make_thread(it_board, kind=PostKind.WIN, title="Wifi other win", tags=["wifi"])
    make_thread(comms, author=priya, kind=PostKind.WIN, title="Wifi comms win", tags=["wifi"])
    make_thread(it_board, author=priya, kind=PostKind.STORY, title="Wifi story", tags=["wifi"])
    client = api(make_user())
    body = client.get(
        "/api/v1/search?q=wifi&kind=win&board=it-help&tag=wifi&author=priya"
    ).get_json()
    assert [r["thread_id"] for r in body["results"]] == [wanted.id]
    assert body["total"] == 1


def test_empty_text_parameters_mean_no_results(app: Flask, api: Api) -> None:
    make_thread(make_board(), title="Anything at all")
    body = api(make_user()).get("/api/v1/search?q=&board=&tag=").get_json()
    assert body == {"results": [], "total": 0, "rebuilding": False, "pending": 0}


def test_empty_kind_or_page_is_refused_as_the_document_says(app: Flask, api: Api) -> None:
    # kind is an enum and page an integer in the OpenAPI document: "" is neither.
    response = api(make_user()).get("/api/v1/search?q=x&kind=&page=")
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"kind", "page"}


def test_hidden_boards_never_show(app: Flask, api: Api) -> None:
    housing = make_department()
    make_thread(make_board(department=housing), title="Eviction case notes")
    assert api(make_user()).get("/api/v1/search?q=eviction").get_json()["total"] == 0
    insider = make_user(department=housing)
    assert api(insider).get("/api/v1/search?q=eviction").get_json()["total"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("q=printer&kind=rant", "kind"),
        ("q=printer&page=abc", "page"),
        ("q=printer&page=0", "page"),
        ("q=printer&page=1.5", "page"),
        ("q=printer+date:soon", "q"),
        ("q=" + "x" * 501, "q"),
    ],
)
def test_bad_parameters_are_400_with_field_messages(
    app: Flask, api: Api, query: str, field: str
) -> None:
    response = api(make_user()).get(f"/api/v1/search?{query}")
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


def test_a_token_is_required(client: FlaskClient) -> None:
    assert client.get("/api/v1/search?q=x").status_code == 401


def test_the_route_is_in_the_openapi_document(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/search"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert names == {"q", "kind", "board", "tag", "author", "sort", "page"}
    sort = next(p for p in operation["parameters"] if p["name"] == "sort")
    assert "helpful" in json.dumps([sort, document["components"]["schemas"].get("SearchSort")])
    assert "SearchResponse" in document["components"]["schemas"]
    assert "SearchPostOut" in document["components"]["schemas"]
