"""The boards API: shapes, status codes, field errors, permissions and visibility."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from forum.accounts.models import Role
from tests.boards.factories import make_board, make_post, make_thread
from tests.factories import make_department, make_user

Api = Callable[[Any], Any]


def test_list_and_create_boards(app: Flask, api: Api) -> None:
    department = make_department(slug="housing")
    make_board(slug="social", name="Social media")
    make_board(slug="housing-team", department=department)
    member = api(make_user())
    body = member.get("/api/v1/boards").get_json()
    assert [b["slug"] for b in body["items"]] == ["social"] and body["total"] == 1
    assert member.post("/api/v1/boards", json={"slug": "x", "name": "X"}).status_code == 403
    admin = api(make_user(Role.ADMIN))
    response = admin.post(
        "/api/v1/boards",
        json={
            "slug": "comms",
            "name": "Comms",
            "description": "All things comms",
            "department": "housing",
            "visibility": "department",
        },
    )
    assert response.status_code == 201
    assert response.get_json()["department"] == "housing"
    assert admin.post("/api/v1/boards", json={"slug": "comms", "name": "Again"}).status_code == 409
    bad = admin.post("/api/v1/boards", json={"slug": "", "name": "X", "visibility": "world"})
    assert bad.status_code == 400
    assert {"slug", "visibility"} <= set(bad.get_json()["error"]["fields"])


def test_create_thread_then_get_it(app: Flask, api: Api) -> None:
    make_board(slug="social")
    author = make_user()
    client = api(author)
    response = client.post(
        "/api/v1/threads",
        json={
            "board": "social",
            "kind": "failure",
            "title": "Scheduled post went out twice",
            "body": "The scheduler *double-posted*.",
            "tags": ["Scheduling", "facebook"],
        },
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["kind"] == "failure" and created["board"] == "social"
    assert created["tags"] == ["facebook", "scheduling"]
    assert created["author"]["id"] == author.id
    assert created["solution_post_id"] is None and created["post_count"] == 1
    assert created["url"].startswith(f"/t/{created['id']}-")
    fetched = client.get(f"/api/v1/threads/{created['id']}").get_json()
    assert fetched == created
    post = fetched["posts"][0]
    assert post["body"] == "The scheduler *double-posted*."
    assert post["body_html"] == "<p>The scheduler <em>double-posted</em>.</p>"
    assert {"id", "author", "created_at", "edited_at"} <= set(post)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "rant"}, "kind"),
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 50_001}, "body"),
        ({"board": "nope"}, "board"),
        ({"tags": ["x" * 41]}, "tags"),
    ],
)
def test_bad_thread_input_is_400_with_field_messages(
    app: Flask, api: Api, payload: dict[str, Any], field: str
) -> None:
    make_board(slug="social")
    body = {"board": "social", "kind": "win", "title": "T", "body": "B", **payload}
    body = {k: v for k, v in body.items() if v is not None}
    response = api(make_user()).post("/api/v1/threads", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


def test_board_threads_filters_and_paginates(app: Flask, api: Api) -> None:
    board = make_board(slug="social")
    author = make_user()
    for i in range(26):
        make_thread(
            board,
            author=author,
            kind="win" if i % 2 else "story",
            title=f"T{i}",
            tags=["launch"] if i < 3 else [],
        )
    client = api(make_user())
    first = client.get("/api/v1/boards/social/threads").get_json()
    assert len(first["items"]) == 25 and first["total"] == 26 and first["pages"] == 2
    assert client.get("/api/v1/boards/social/threads?kind=win").get_json()["total"] == 13
    assert client.get("/api/v1/boards/social/threads?tag=Launch").get_json()["total"] == 3
    assert client.get("/api/v1/boards/social/threads?kind=rant").status_code == 400
    assert client.get("/api/v1/boards/nope/threads").status_code == 404


def test_invisible_things_are_404_in_the_api(app: Flask, api: Api) -> None:
    board = make_board(slug="secret", department=make_department())
    thread = make_thread(board)
    post = make_post(thread)
    client = api(make_user())
    assert client.get("/api/v1/boards/secret/threads").status_code == 404
    assert client.get(f"/api/v1/threads/{thread.id}").status_code == 404
    assert client.get(f"/api/v1/posts/{post.id}").status_code == 404
    assert client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "x"}).status_code == 404
    assert client.patch(f"/api/v1/posts/{post.id}", json={"body": "x"}).status_code == 404
    assert (
        client.post(
            "/api/v1/threads", json={"board": "secret", "kind": "win", "title": "t", "body": "b"}
        ).status_code
        == 400
    )


def test_reply_edit_and_permissions(app: Flask, api: Api) -> None:
    thread = make_thread()
    replier = make_user()
    client = api(replier)
    response = client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Same **here**"})
    assert response.status_code == 201
    post = response.get_json()
    assert post["body_html"] == "<p>Same <strong>here</strong></p>"
    assert client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": ""}).status_code == 400
    edited = client.patch(f"/api/v1/posts/{post['id']}", json={"body": "Same here, fixed"})
    assert edited.status_code == 200 and edited.get_json()["edited_at"] is not None
    stranger = api(make_user())
    assert stranger.patch(f"/api/v1/posts/{post['id']}", json={"body": "x"}).status_code == 403
    admin = api(make_user(Role.ADMIN))
    assert admin.patch(f"/api/v1/posts/{post['id']}", json={"body": "tidied"}).status_code == 200
    assert stranger.delete(f"/api/v1/posts/{post['id']}").status_code == 403
    deleted = client.delete(f"/api/v1/posts/{post['id']}").get_json()
    assert deleted["is_deleted"] and deleted["body"] == ""


def test_solution_by_author_moderator_or_senior(app: Flask, api: Api) -> None:
    asker = make_user()
    thread = make_thread(author=asker, kind="question")
    answer = make_post(thread)
    other = make_post(thread)
    assert (
        api(make_user())
        .post(f"/api/v1/threads/{thread.id}/solution", json={"post_id": answer.id})
        .status_code
        == 403
    )
    response = api(asker).post(f"/api/v1/threads/{thread.id}/solution", json={"post_id": answer.id})
    assert response.status_code == 200
    assert response.get_json()["solution_post_id"] == answer.id
    senior = api(make_user(Role.SENIOR))
    assert (
        senior.post(f"/api/v1/threads/{thread.id}/solution", json={"post_id": other.id}).get_json()[
            "solution_post_id"
        ]
        == other.id
    )
    assert (
        senior.post(f"/api/v1/threads/{thread.id}/solution", json={"post_id": 999999}).status_code
        == 400
    )
    win = make_thread(kind="win")
    assert (
        api(win.author)
        .post(f"/api/v1/threads/{win.id}/solution", json={"post_id": make_post(win).id})
        .status_code
        == 400
    )


def test_routes_are_in_the_openapi_document(app: Flask, client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, method in [
        ("/api/v1/boards", "get"),
        ("/api/v1/boards", "post"),
        ("/api/v1/boards/{slug}/threads", "get"),
        ("/api/v1/threads", "post"),
        ("/api/v1/threads/{thread_id}", "get"),
        ("/api/v1/threads/{thread_id}/posts", "post"),
        ("/api/v1/posts/{post_id}", "patch"),
        ("/api/v1/threads/{thread_id}/solution", "post"),
    ]:
        assert method in paths[path], (path, method)
