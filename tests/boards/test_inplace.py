"""The reply and reaction forms answer boards.js (X-Requested-With: fetch) briefly, so the page
updates in place; the same POSTs without the header still redirect (no JavaScript)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.boards import services
from forum.boards.models import Post, Reaction
from forum.extensions import db
from tests.boards.factories import make_post, make_thread
from tests.factories import make_user

Login = Callable[..., FlaskClient]
FETCH = {"X-Requested-With": "fetch"}


def test_a_reply_from_the_script_is_201_with_the_posts_address(app: Flask, login: Login) -> None:
    thread = make_thread()
    client = login(make_user())
    response = client.post(
        f"/t/{thread.id}/reply", data={"body": "Fixed it *today*."}, headers=FETCH
    )
    assert response.status_code == 201
    reply = db.session.scalars(select(Post).order_by(Post.id.desc())).first()
    assert reply is not None and reply.body == "Fixed it *today*."
    assert response.headers["Location"].endswith(f"#post-{reply.id}")
    # The page it names shows the new post.
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'id="post-{reply.id}"' in page and "<em>today</em>" in page


def test_a_refused_reply_from_the_script_is_the_form_page_and_saves_nothing(
    app: Flask, login: Login
) -> None:
    thread = make_thread()
    client = login(make_user())
    response = client.post(f"/t/{thread.id}/reply", data={"body": ""}, headers=FETCH)
    assert response.status_code == 400
    assert "Write something first." in response.get_data(as_text=True)
    assert db.session.scalar(select(Post.id).where(Post.thread_id == thread.id).offset(1)) is None


def test_a_reaction_from_the_script_answers_the_counts(app: Flask, login: Login) -> None:
    thread = make_thread()
    answer = make_post(thread)
    services.toggle_reaction(answer, user=make_user(), kind="thanks")
    db.session.commit()
    client = login(make_user())

    response = client.post(f"/p/{answer.id}/react", data={"kind": "helpful"}, headers=FETCH)
    assert response.status_code == 200
    counts = {r["kind"]: (r["count"], r["mine"]) for r in response.get_json()["reactions"]}
    assert counts == {"helpful": (1, True), "same_here": (0, False), "thanks": (1, False)}
    assert db.session.scalar(select(Reaction.id).where(Reaction.kind == "helpful")) is not None

    again = client.post(f"/p/{answer.id}/react", data={"kind": "helpful"}, headers=FETCH)
    assert {r["kind"]: r["count"] for r in again.get_json()["reactions"]}["helpful"] == 0
    assert (
        client.post(f"/p/{answer.id}/react", data={"kind": "love"}, headers=FETCH).status_code
        == 400
    )
