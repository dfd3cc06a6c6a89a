"""Drafts of new threads and replies: kept in the database, restored when the form opens on any
device, dropped when the post is saved."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forum.boards.drafts import Draft
from forum.extensions import db
from tests.boards.factories import make_board, make_thread
from tests.factories import PASSWORD, make_department, make_user, see_committed


def device(app: Flask, user: Any) -> FlaskClient:
    """A browser of its own, signed in as `user`."""
    client = app.test_client()
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    return client


def drafts_of(user: Any) -> int:
    see_committed()
    return int(db.session.scalar(select(func.count(Draft.id)).where(Draft.user_id == user.id)) or 0)


def test_a_new_thread_draft_follows_its_writer_to_another_device_and_goes_when_posted(
    app: Flask,
) -> None:
    make_board(slug="social")
    writer = make_user()
    laptop, phone = device(app, writer), device(app, writer)
    saved = laptop.post(
        "/b/social/new",
        data={
            "action": "draft",
            "kind": "failure",
            "title": "Scheduler posted twice",
            "body": "Half-written: the 9am post went out at 9 and at 9:05.",
            "tags": "scheduling",
        },
    )
    assert saved.status_code == 302 and saved.location.endswith("/b/social/new")
    form = phone.get("/b/social/new").get_data(as_text=True)
    assert "Scheduler posted twice" in form and "went out at 9 and at 9:05" in form
    assert "Your draft from" in form and 'name="draft" value="1"' in form
    # Someone else opens the same form empty.
    assert "Scheduler posted twice" not in device(app, make_user()).get("/b/social/new").get_data(
        as_text=True
    )
    posted = phone.post(
        "/b/social/new",
        data={
            "action": "post",
            "draft": "1",
            "kind": "failure",
            "title": "Scheduler posted twice",
            "body": "The 9am post went out at 9 and at 9:05.",
            "tags": "scheduling",
        },
    )
    assert posted.status_code == 302 and "/t/" in posted.location
    assert drafts_of(writer) == 0
    assert "Scheduler posted twice" not in laptop.get("/b/social/new").get_data(as_text=True)


def test_a_reply_draft_is_kept_as_people_type_and_restored_on_the_reply_page(app: Flask) -> None:
    thread = make_thread(make_board(), title="Alt text on charts")
    writer = make_user()
    client = device(app, writer)
    assert client.get(f"/drafts/thread/{thread.id}").get_json() == {"draft": None}
    kept = client.post(f"/drafts/thread/{thread.id}", data={"body": "Describe the trend, not"})
    assert kept.status_code == 204
    answer = client.get(f"/drafts/thread/{thread.id}").get_json()
    assert answer["draft"]["body"] == "Describe the trend, not"
    page = client.get(f"/t/{thread.id}/reply").get_data(as_text=True)
    assert "Describe the trend, not" in page and "Your draft from" in page
    # The thread page's own form is filled by the script (one request more, only with JS).
    assert f'data-draft-url="/drafts/thread/{thread.id}"' in client.get(f"/t/{thread.id}").get_data(
        as_text=True
    )
    # Saving an empty form drops the draft.
    assert client.post(f"/drafts/thread/{thread.id}", data={"body": "  "}).status_code == 204
    assert drafts_of(writer) == 0
    client.post(f"/t/{thread.id}/reply", data={"action": "draft", "body": "Second go."})
    assert drafts_of(writer) == 1
    reply = client.post(
        f"/t/{thread.id}/reply", data={"action": "post", "draft": "1", "body": "Second go."}
    )
    assert reply.status_code == 302
    assert drafts_of(writer) == 0


def test_a_post_without_a_draft_behind_it_leaves_other_drafts_alone(app: Flask) -> None:
    thread = make_thread(make_board())
    writer = make_user()
    client = device(app, writer)
    client.post(f"/drafts/thread/{thread.id}", data={"body": "For later."})
    assert client.post(f"/t/{thread.id}/reply", data={"body": "Quick one."}).status_code == 302
    assert drafts_of(writer) == 1


def test_drafts_only_for_threads_and_boards_one_may_see(app: Flask) -> None:
    housing = make_department()
    board = make_board(department=housing, slug="housing-team")
    thread = make_thread(board)
    outsider = device(app, make_user())
    assert outsider.get(f"/drafts/thread/{thread.id}").status_code == 404
    assert outsider.post(f"/drafts/thread/{thread.id}", data={"body": "x"}).status_code == 404
    assert outsider.post("/drafts/b/housing-team", data={"body": "x"}).status_code == 404
    insider = device(app, make_user(department=housing))
    assert insider.post("/drafts/b/housing-team", data={"body": "Rota idea"}).status_code == 204


def test_an_over_long_draft_is_refused_with_a_clear_error(app: Flask) -> None:
    thread = make_thread(make_board())
    client = device(app, make_user())
    refused = client.post(f"/drafts/thread/{thread.id}", data={"body": "x" * 50_001})
    assert refused.status_code == 400
    assert "at most 50,000 characters" in refused.get_data(as_text=True)
