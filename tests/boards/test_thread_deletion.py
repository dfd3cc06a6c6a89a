"""Deleting a whole thread: who may, where it disappears, and restoring it within 30 days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.accounts.models import AuditEvent, Role
from forum.boards.models import Thread
from forum.extensions import db
from forum.search import services as search
from tests.boards.factories import make_board, make_post, make_thread
from tests.factories import make_department, make_user, reload, see_committed

Api = Callable[[Any], Any]
Login = Callable[[Any], FlaskClient]


def listed(client: FlaskClient, path: str, title: str) -> bool:
    response = client.get(path)
    assert response.status_code == 200
    return title in response.get_data(as_text=True)


def test_an_author_deletes_their_unanswered_thread_and_it_leaves_every_listing(
    app: Flask, login: Login
) -> None:
    board = make_board(slug="social")
    author = make_user()
    thread = make_thread(board, author=author, title="Kestrel webcam ideas", tags=["wildlife"])
    client = login(author)
    # Listings are cached per board version: fill the caches first.
    for path in ("/", "/b/social", "/tags/wildlife"):
        assert listed(client, path, "Kestrel webcam ideas")
    assert search.search(author, q="kestrel").page.total == 1

    confirm = client.get(f"/t/{thread.id}/delete")
    assert confirm.status_code == 200
    assert "restore it for 30 days" in confirm.get_data(as_text=True)
    assert reload(thread).deleted_at is None  # asking deletes nothing
    response = client.post(f"/t/{thread.id}/delete")
    assert response.status_code == 302 and response.location.endswith("/b/social")

    assert reload(thread).deleted_by_id == author.id
    for path in ("/", "/b/social", "/tags/wildlife"):
        assert not listed(client, path, "Kestrel webcam ideas")
    assert client.get(f"/t/{thread.id}").status_code == 404
    assert client.get(f"/p/{thread.posts[0].id}").status_code == 404
    assert search.search(author, q="kestrel").page.total == 0


def test_once_someone_else_replied_only_a_moderator_may_delete(app: Flask, api: Api) -> None:
    moderator, author = make_user(), make_user()
    board = make_board(moderators=[moderator])
    thread = make_thread(board, author=author, title="Consultation comments")
    make_post(thread, author=author, body="A note to myself does not count.")
    own_reply_only = api(author).get(f"/api/v1/threads/{thread.id}").get_json()
    assert own_reply_only["deleted_at"] is None
    make_post(thread, body="A colleague answers.")

    refused = api(author).delete(f"/api/v1/threads/{thread.id}")
    assert refused.status_code == 403
    assert "only a moderator" in refused.get_json()["error"]["message"]
    assert api(make_user()).delete(f"/api/v1/threads/{thread.id}").status_code == 403

    deleted = api(moderator).delete(f"/api/v1/threads/{thread.id}")
    assert deleted.status_code == 200 and deleted.get_json()["deleted_at"] is not None
    assert api(moderator).delete(f"/api/v1/threads/{thread.id}").status_code == 409
    assert api(author).get(f"/api/v1/threads/{thread.id}").status_code == 404
    assert (
        api(author)
        .post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Still there?"})
        .status_code
        == 404
    )


def test_api_delete_by_the_author_then_a_moderator_restores_it(
    app: Flask, api: Api, login: Login
) -> None:
    board = make_board(slug="comms")
    author, admin = make_user(), make_user(Role.ADMIN)
    thread = make_thread(board, author=author, title="Heron livestream")
    response = api(author).delete(f"/api/v1/threads/{thread.id}")
    assert response.status_code == 200
    assert response.get_json()["id"] == thread.id and response.get_json()["deleted_at"]
    assert api(author).get(f"/api/v1/threads/{thread.id}").status_code == 404
    # Its author cannot bring it back; they cannot even see it.
    assert api(author).post(f"/api/v1/threads/{thread.id}/restore").status_code == 404
    assert "Heron" not in str(api(admin).get("/api/v1/boards/comms/threads").get_json())

    # A moderator still sees it, marked, with a way back.
    page = login(admin).get(f"/t/{thread.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "This thread is deleted." in html and "Restore thread" in html
    listing = login(admin).get("/moderation/deleted").get_data(as_text=True)
    assert "Heron livestream" in listing

    restored = api(admin).post(f"/api/v1/threads/{thread.id}/restore")
    assert restored.status_code == 200 and restored.get_json()["deleted_at"] is None
    assert api(admin).post(f"/api/v1/threads/{thread.id}/restore").status_code == 409
    assert api(author).get(f"/api/v1/threads/{thread.id}").status_code == 200
    assert "Heron livestream" in str(api(author).get("/api/v1/boards/comms/threads").get_json())
    assert search.search(author, q="heron").page.total == 1

    see_committed()
    actions = list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_type == "thread", AuditEvent.subject_id == thread.id)
            .order_by(AuditEvent.id)
        )
    )
    assert actions == ["thread.deleted", "thread.restored"]


def test_the_restore_window_is_thirty_days(app: Flask, api: Api, login: Login) -> None:
    admin = make_user(Role.ADMIN)
    thread = make_thread(make_board(), title="Old consultation")
    assert api(admin).delete(f"/api/v1/threads/{thread.id}").status_code == 200
    stale = reload(thread)
    stale.deleted_at = stale.deleted_at - dt.timedelta(days=31)
    db.session.commit()
    refused = api(admin).post(f"/api/v1/threads/{thread.id}/restore")
    assert refused.status_code == 409 and "30 days" in refused.get_json()["error"]["message"]
    assert "Old consultation" not in login(admin).get("/moderation/deleted").get_data(as_text=True)
    assert "Restore thread" not in login(admin).get(f"/t/{thread.id}").get_data(as_text=True)


def test_a_department_thread_stays_hidden_from_outsiders_whatever_its_state(
    app: Flask, api: Api
) -> None:
    housing = make_department()
    thread = make_thread(make_board(department=housing), title="Housing repairs rota")
    outsider = make_user()
    assert api(outsider).delete(f"/api/v1/threads/{thread.id}").status_code == 404
    assert reload(thread).deleted_at is None


def test_deleted_threads_are_not_offered_as_fixes(app: Flask, login: Login) -> None:
    board = make_board()
    author = make_user()
    question = make_thread(board, author=author, title="Scheduler broke")
    fix = make_thread(board, author=author, kind="fix", title="Reset the scheduler token")
    client = login(author)
    assert "Reset the scheduler token" in client.get(f"/t/{question.id}/solution").get_data(
        as_text=True
    )
    assert client.post(f"/t/{fix.id}/delete").status_code == 302
    assert "Reset the scheduler token" not in client.get(f"/t/{question.id}/solution").get_data(
        as_text=True
    )
    assert db.session.get(Thread, fix.id) is not None


def test_deleting_the_opening_post_of_an_unanswered_thread_deletes_the_thread(
    app: Flask, login: Login
) -> None:
    board = make_board(slug="events")
    author = make_user()
    lonely = make_thread(board, author=author, title="Lonely question")
    answered = make_thread(board, author=author, title="Answered question")
    make_post(answered, body="An answer.")
    client = login(author)
    response = client.post(f"/p/{lonely.posts[0].id}/delete")
    assert response.status_code == 302 and response.location.endswith("/b/events")
    assert reload(lonely).deleted_at is not None
    assert not listed(client, "/b/events", "Lonely question")
    # With a reply, the opening post becomes a placeholder and the thread stays.
    assert client.post(f"/p/{answered.posts[0].id}/delete").status_code == 302
    assert reload(answered).deleted_at is None
    assert listed(client, "/b/events", "Answered question")
