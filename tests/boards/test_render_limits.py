"""Rendering Markdown costs CPU, so previews and edits are throttled like posting, bodies over
the length limit are refused before anything renders them, and stored HTML can be rebuilt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from forum.boards.models import BODY_MAX, Post, PostRevision
from forum.extensions import db
from tests.boards.factories import make_post, make_thread
from tests.factories import PASSWORD, make_user

Login = Callable[..., FlaskClient]
PIXEL = "![x](https://tracker.example/p.gif)"


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def test_live_preview_is_throttled_per_person(app: Flask, login: Login) -> None:
    app.config["PREVIEW_RATE_LIMIT"] = "2 per minute"
    client = login(make_user())
    codes = [client.post("/preview", data={"body": f"*{n}*"}).status_code for n in range(3)]
    assert codes == [200, 200, 429]
    # Someone else (here from the same address) still previews.
    other, someone = app.test_client(), make_user()
    other.post("/login", data={"email": someone.email, "password": PASSWORD})
    assert other.post("/preview", data={"body": "ok"}).status_code == 200


def test_edits_are_throttled_in_pages_and_api(
    app: Flask, login: Login, api: Callable[[Any], Any]
) -> None:
    app.config["EDIT_RATE_LIMIT"] = "2 per minute"
    author = make_user()
    post = make_post(make_thread(), author=author)
    client = login(author)
    codes = [
        client.post(f"/p/{post.id}/edit", data={"body": f"v{n}"}).status_code for n in range(3)
    ]
    assert codes == [302, 302, 429]
    as_api = api(author)
    codes = [
        as_api.patch(f"/api/v1/posts/{post.id}", json={"body": f"w{n}"}).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]


def test_a_body_over_the_limit_is_refused_before_preview(app: Flask, login: Login) -> None:
    thread = make_thread()
    client = login(make_user())
    body = "<" * (BODY_MAX + 1)
    response = client.post("/preview", data={"body": body})
    assert response.status_code == 400
    assert text(response) == f"Use at most {BODY_MAX:,} characters (this has {BODY_MAX + 1:,})."
    response = client.post(f"/t/{thread.id}/reply", data={"body": body, "action": "preview"})
    assert response.status_code == 400
    assert f"Use at most {BODY_MAX:,} characters" in text(response)
    assert 'class="post-body"' not in text(response)


def test_preview_says_when_the_text_will_show_as_plain_text(app: Flask, login: Login) -> None:
    client = login(make_user())
    html = text(client.post("/preview", data={"body": "[" * 40_000}))
    assert html.startswith('<p class="preview-note">')
    assert "plain text" in html
    assert "[" * 100 in html
    assert "preview-note" not in text(client.post("/preview", data={"body": "**fine**"}))


def test_rerender_turns_stored_tracking_pixels_into_links(
    app: Flask, runner: FlaskCliRunner
) -> None:
    author = make_user()
    post = make_post(make_thread(), author=author, body="old")
    revision_post = make_post(make_thread(), author=author, body="older")
    # As stored by earlier versions, which let any https image load.
    db.session.execute(
        Post.__table__.update()
        .where(Post.id == post.id)
        .values(body=PIXEL, body_html='<p><img src="https://tracker.example/p.gif" alt="x"></p>')
    )
    db.session.add(
        PostRevision(
            post_id=revision_post.id,
            body=PIXEL,
            body_html='<p><img src="https://tracker.example/p.gif" alt="x"></p>',
            written_at=revision_post.created_at,
        )
    )
    db.session.commit()

    dry = runner.invoke(args=["boards", "rerender", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "posts would change 1 of 4" in dry.output
    assert "earlier versions would change 1 of 1" in dry.output

    result = runner.invoke(args=["boards", "rerender", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert "posts changed 1 of 4; earlier versions changed 1 of 1" in result.output
    db.session.expire_all()
    for html in db.session.scalars(select(Post.body_html).where(Post.body == PIXEL)).all() + list(
        db.session.scalars(select(PostRevision.body_html))
    ):
        assert "<img" not in html
        assert '<a href="https://tracker.example/p.gif"' in html
    again = runner.invoke(args=["boards", "rerender"])
    assert "posts changed 0 of 4; earlier versions changed 0 of 1" in again.output


def test_allowed_image_hosts_tighten_the_csp(
    app_config: dict[str, Any], extra_app: Callable[[dict[str, Any]], Flask]
) -> None:
    app = extra_app({**app_config, "IMAGE_HOSTS": "img.example.org, *.cdn.example"})
    with app.app_context():
        assert app.config["IMAGE_HOSTS"] == ["img.example.org", "*.cdn.example"]
        response = app.test_client().get("/healthz")
        policy = response.headers["Content-Security-Policy"]
        assert "img-src 'self' data: https://*.cdn.example https://img.example.org;" in policy
        assert "https:;" not in policy and "https: " not in policy
