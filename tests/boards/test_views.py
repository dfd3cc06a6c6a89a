"""Board pages: status codes, rendered text, permissions, forms, pagination and unread markers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.accounts.models import Role
from forum.boards import services
from forum.boards.models import Post, Thread
from forum.extensions import db
from tests.boards.factories import make_board, make_post, make_thread
from tests.factories import make_department, make_user

Login = Callable[..., FlaskClient]


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def test_home_lists_recent_threads_from_visible_boards_only(app: Flask, login: Login) -> None:
    housing = make_department()
    public = make_board(name="Social media")
    secret = make_board(name="Housing team", department=housing)
    make_thread(public, title="Campaign launch went well", kind="win")
    make_thread(secret, title="Tenant portal outage")
    client = login(make_user())
    page = text(client.get("/"))
    assert "Campaign launch went well" in page
    assert "Tenant portal outage" not in page
    assert "Housing team" not in page


def test_kind_filter_on_board_page(app: Flask, login: Login) -> None:
    board = make_board()
    make_thread(board, title="A win to share", kind="win")
    make_thread(board, title="A failure to learn from", kind="failure")
    client = login(make_user())
    page = text(client.get(f"/b/{board.slug}?kind=failure"))
    assert "A failure to learn from" in page and "A win to share" not in page
    assert client.get(f"/b/{board.slug}?kind=rant").status_code == 400


def test_invisible_board_thread_and_post_are_404(app: Flask, login: Login) -> None:
    board = make_board(department=make_department())
    thread = make_thread(board)
    post = make_post(thread)
    client = login(make_user())
    for path in (
        f"/b/{board.slug}",
        f"/t/{thread.id}",
        f"/t/{thread.id}-{thread.slug}",
        f"/p/{post.id}",
        f"/t/{thread.id}/unread",
        f"/p/{post.id}/revisions",
        f"/b/{board.slug}/new",
        f"/t/{thread.id}/reply",
        f"/p/{post.id}/edit",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/t/{thread.id}/reply", data={"body": "hi"}).status_code == 404


def test_thread_url_with_a_wrong_slug_redirects_to_the_canonical_one(
    app: Flask, login: Login
) -> None:
    thread = make_thread(title="Alt text for event posters")
    client = login(make_user())
    response = client.get(f"/t/{thread.id}-old-title")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/t/{thread.id}-alt-text-for-event-posters")
    assert client.get(f"/t/{thread.id}").status_code == 200


def test_new_thread_form_creates_a_thread(app: Flask, login: Login) -> None:
    board = make_board()
    client = login(make_user())
    response = client.post(
        f"/b/{board.slug}/new",
        data={
            "kind": "question",
            "title": "How do you caption reels?",
            "body": "We use **auto captions** but they mangle place names.",
            "tags": "video, captions",
            "action": "post",
        },
    )
    assert response.status_code == 302
    thread = db.session.scalar(select(Thread))
    assert thread is not None and thread.tag_names == ["captions", "video"]
    page = text(client.get(response.headers["Location"]))
    assert "<strong>auto captions</strong>" in page
    assert 'class="badge kind kind-question"' in page


def test_bad_new_thread_input_is_400_with_field_messages(app: Flask, login: Login) -> None:
    board = make_board()
    client = login(make_user())
    response = client.post(
        f"/b/{board.slug}/new", data={"kind": "rant", "title": "", "body": " ", "action": "post"}
    )
    assert response.status_code == 400
    page = text(response)
    assert "Not a valid choice" in page
    assert "Enter a title." in page
    assert "Write something first." in page
    response = client.post(
        f"/b/{board.slug}/new",
        data={"kind": "win", "title": "x" * 201, "body": "ok", "action": "post"},
    )
    assert response.status_code == 400
    assert "200 characters" in text(response)
    assert db.session.scalar(select(Thread)) is None


def test_preview_button_renders_without_saving(app: Flask, login: Login) -> None:
    board = make_board()
    client = login(make_user())
    response = client.post(
        f"/b/{board.slug}/new",
        data={
            "kind": "win",
            "title": "T",
            "body": "Hello *world* <script>x</script>",
            "action": "preview",
        },
    )
    assert response.status_code == 200
    assert "<em>world</em>" in text(response)
    assert "<script>x" not in text(response)
    assert db.session.scalar(select(Thread)) is None


def test_live_preview_endpoint_uses_the_same_pipeline(app: Flask, login: Login) -> None:
    client = login(make_user())
    response = client.post("/preview", data={"body": "[x](javascript:alert(1)) **b**"})
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "<p>[x](javascript:alert(1)) <strong>b</strong></p>"
    mention = make_user(email="priya.shah@example.org")
    html = client.post("/preview", data={"body": "@priya.shah"}).get_data(as_text=True)
    assert mention.email.startswith("priya.shah@")
    assert html == '<p><span class="mention">@priya.shah</span></p>'


def test_reply_and_quote_reply(app: Flask, login: Login) -> None:
    thread = make_thread()
    original = make_post(thread, body="Turn on two-factor for every page admin.")
    client = login(make_user())
    page = text(client.get(f"/t/{thread.id}/reply?quote={original.id}"))
    assert "&gt; Turn on two-factor for every page admin." in page
    response = client.post(
        f"/t/{thread.id}/reply",
        data={
            "body": "> Turn on two-factor\n\nDone!",
            "reply_to": str(original.id),
            "action": "post",
        },
    )
    assert response.status_code == 302
    reply = db.session.scalars(select(Post).order_by(Post.id.desc())).first()
    assert reply is not None and reply.reply_to_id == original.id
    assert response.headers["Location"].endswith(f"#post-{reply.id}")
    assert (
        client.post(f"/t/{thread.id}/reply", data={"body": "", "action": "post"}).status_code == 400
    )


def test_locked_thread_shows_no_reply_form_and_refuses_replies(app: Flask, login: Login) -> None:
    thread = make_thread()
    services.set_locked(thread, actor=make_user(Role.ADMIN), locked=True)
    db.session.commit()
    client = login(make_user())
    assert "This thread is locked" in text(client.get(f"/t/{thread.id}"))
    assert (
        client.post(f"/t/{thread.id}/reply", data={"body": "hi", "action": "post"}).status_code
        == 403
    )


def test_edit_shows_revision_history(app: Flask, login: Login) -> None:
    author = make_user()
    thread = make_thread(author=author, body="First draft")
    post = thread.posts[0]
    client = login(author)
    response = client.post(
        f"/p/{post.id}/edit",
        data={
            "title": "Better title",
            "kind": "win",
            "tags": "",
            "body": "Second draft",
            "action": "post",
        },
    )
    assert response.status_code == 302
    page = text(client.get(f"/t/{thread.id}"))
    assert "Better title" in page and "edited" in page
    history = text(client.get(f"/p/{post.id}/revisions"))
    assert "First draft" in history and "Second draft" in history


def test_others_cannot_edit_or_delete(app: Flask, login: Login) -> None:
    thread = make_thread()
    client = login(make_user())
    post = thread.posts[0]
    assert client.get(f"/p/{post.id}/edit").status_code == 403
    assert client.post(f"/p/{post.id}/delete").status_code == 403


def test_soft_delete_leaves_a_placeholder(app: Flask, login: Login) -> None:
    thread = make_thread()
    reply = make_post(thread, body="Oops, wrong thread")
    client = login(reply.author)
    assert client.post(f"/p/{reply.id}/delete").status_code == 302
    client.post("/logout")
    other = login(make_user())
    page = text(other.get(f"/t/{thread.id}"))
    assert "This post was deleted." in page
    assert "Oops, wrong thread" not in page


def test_reactions_and_solution_through_pages(app: Flask, login: Login) -> None:
    asker = make_user()
    thread = make_thread(author=asker, kind="question")
    answer = make_post(thread, body="Describe the image, not the file name.")
    client = login(asker)
    assert client.post(f"/p/{answer.id}/react", data={"kind": "helpful"}).status_code == 302
    assert client.post(f"/p/{answer.id}/react", data={"kind": "love"}).status_code == 400
    assert client.post(f"/t/{thread.id}/solution", data={"post_id": answer.id}).status_code == 302
    page = text(client.get(f"/t/{thread.id}"))
    assert 'aria-pressed="true"' in page
    assert 'id="solution-heading"' in page and "Describe the image" in page


def test_hidden_post_shows_reason_and_flags_queue(app: Flask, login: Login) -> None:
    moderator = make_user()
    board = make_board(moderators=[moderator])
    thread = make_thread(board)
    reply = make_post(thread, body="Call me on 07700 900123")
    reporter = make_user()
    client = login(reporter)
    assert client.post(f"/p/{reply.id}/flag", data={"reason": ""}).status_code == 400
    assert client.post(f"/p/{reply.id}/flag", data={"reason": "Phone number"}).status_code == 302
    assert client.get("/moderation/flags").status_code == 403
    assert client.get(f"/p/{reply.id}/hide").status_code == 403
    client.post("/logout")
    client = login(moderator)
    assert "Phone number" in text(client.get("/moderation/flags"))
    assert client.post(f"/p/{reply.id}/hide", data={"reason": "Personal data"}).status_code == 302
    assert "No open flags" in text(client.get("/moderation/flags"))
    client.post("/logout")
    client = login(make_user())
    page = text(client.get(f"/t/{thread.id}"))
    assert "Hidden by a moderator: Personal data" in page
    assert "07700" not in page


def test_moderator_pins_locks_and_moves(app: Flask, login: Login) -> None:
    moderator = make_user()
    board = make_board(moderators=[moderator])
    target = make_board(name="Archive")
    thread = make_thread(board)
    client = login(make_user())
    assert client.post(f"/t/{thread.id}/pin").status_code == 403
    client.post("/logout")
    client = login(moderator)
    assert client.post(f"/t/{thread.id}/pin", data={"pinned": "1"}).status_code == 302
    assert client.post(f"/t/{thread.id}/lock", data={"locked": "1"}).status_code == 302
    assert "Archive" in text(client.get(f"/t/{thread.id}/move"))
    assert client.post(f"/t/{thread.id}/move", data={"board": target.slug}).status_code == 302
    db.session.refresh(thread)
    assert (thread.is_pinned, thread.is_locked, thread.board_id) == (True, True, target.id)


def test_thread_pagination_has_rel_links_and_post_anchors(app: Flask, login: Login) -> None:
    thread = make_thread()
    author = make_user()
    posts = [services.add_post(thread, author=author, body=f"reply {i}") for i in range(35)]
    db.session.commit()
    client = login(make_user())
    first = text(client.get(f"/t/{thread.id}-{thread.slug}"))
    assert first.count('class="post') >= 30
    assert re.search(r'<a rel="next" href="/t/\d+-[\w-]+\?page=2"', first)
    assert '<link rel="next"' in first
    second = text(client.get(f"/t/{thread.id}-{thread.slug}?page=2"))
    assert 'rel="prev"' in second and f'id="post-{posts[-1].id}"' in second
    assert client.get(f"/t/{thread.id}?page=3").status_code == 404
    response = client.get(f"/p/{posts[-1].id}")
    assert response.headers["Location"].endswith(f"?page=2#post-{posts[-1].id}")


def test_board_pagination_is_25_threads(app: Flask, login: Login) -> None:
    board = make_board()
    author = make_user()
    for i in range(27):
        services.create_thread(board, author=author, kind="story", title=f"Story {i}", body="b")
    db.session.commit()
    client = login(make_user())
    page = text(client.get(f"/b/{board.slug}"))
    assert page.count('class="thread-item') == 25
    assert 'rel="next"' in page
    assert text(client.get(f"/b/{board.slug}?page=2")).count('class="thread-item') == 2


def test_unread_markers_and_jump_to_first_unread(app: Flask, login: Login) -> None:
    board = make_board()
    thread = make_thread(board)
    reader = make_user()
    client = login(reader)
    assert "New</span>" in text(client.get(f"/b/{board.slug}"))
    client.get(f"/t/{thread.id}")
    assert "New</span>" not in text(client.get(f"/b/{board.slug}"))
    fresh = make_post(thread, body="Fresh news")
    board_page = text(client.get(f"/b/{board.slug}"))
    assert f"/t/{thread.id}/unread" in board_page
    response = client.get(f"/t/{thread.id}/unread")
    assert response.headers["Location"].endswith(f"#post-{fresh.id}")
    page = text(client.get(f"/t/{thread.id}"))
    assert 'class="post is-new' in page


def test_tag_page_normalizes_and_respects_visibility(app: Flask, login: Login) -> None:
    make_thread(make_board(), title="Alt text checklist", tags=["accessibility"])
    make_thread(make_board(department=make_department()), title="Secret", tags=["accessibility"])
    client = login(make_user())
    assert client.get("/tags/Accessibility").status_code == 301
    page = text(client.get("/tags/accessibility"))
    assert "Alt text checklist" in page and "Secret" not in page


def test_watch_a_thread_and_a_board(app: Flask, login: Login) -> None:
    board = make_board()
    thread = make_thread(board)
    user = make_user()
    client = login(user)
    client.post(f"/t/{thread.id}/watch", data={"watch": "1"})
    client.post(f"/b/{board.slug}/watch", data={"watch": "1"})
    assert services.is_watching_thread(user, thread) and services.is_watching_board(user, board)
    client.post(f"/t/{thread.id}/watch", data={"watch": "0"})
    assert not services.is_watching_thread(user, thread)


def test_board_admin_pages_are_for_admins(app: Flask, login: Login) -> None:
    department = make_department()
    client = login(make_user())
    assert client.get("/admin/boards").status_code == 403
    client.post("/logout")
    admin = make_user(Role.ADMIN)
    moderator = make_user()
    client = login(admin)
    response = client.post(
        "/admin/boards/new",
        data={
            "slug": "parks-comms",
            "name": "Parks comms",
            "description": "Events and bookings",
            "visibility": "department",
            "department": department.slug,
            "position": "3",
            "moderators": [str(moderator.id)],
        },
    )
    assert response.status_code == 302
    board = services.board_by_slug("parks-comms")
    assert board is not None and board.moderator_ids == {moderator.id}
    assert (
        client.post(
            "/admin/boards/new", data={"slug": "Bad Slug", "name": "", "visibility": "staff"}
        ).status_code
        == 400
    )
    response = client.post(
        f"/admin/boards/{board.id}",
        data={
            "slug": "parks-comms",
            "name": "Parks and events",
            "visibility": "staff",
            "department": "",
            "position": "1",
        },
    )
    assert response.status_code == 302
    assert "Parks and events" in text(client.get("/admin/boards"))


def test_posting_is_rate_limited_per_person(app: Flask, login: Login) -> None:
    app.config["POST_RATE_LIMIT"] = "2 per minute"
    thread = make_thread()
    client = login(make_user())
    codes = [
        client.post(f"/t/{thread.id}/reply", data={"body": f"r{i}", "action": "post"}).status_code
        for i in range(3)
    ]
    assert codes == [302, 302, 429]
