"""Moderators tidying threads: another kind, or one thread merged into another."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.accounts.models import AuditEvent, Role
from forum.alerts.models import Notification
from forum.boards import services as boards
from forum.boards.models import Thread, ThreadWatch
from forum.extensions import db
from forum.search import services as search
from tests.boards.factories import make_board, make_post, make_thread
from tests.factories import PASSWORD, make_department, make_user, reload, see_committed

Api = Callable[[Any], Any]


def signed_in(app: Flask, user: Any) -> FlaskClient:
    """A client of its own for `user` (the shared one keeps its first sign-in)."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def titles_told(user_id: int) -> list[str]:
    see_committed()
    return list(
        db.session.scalars(select(Notification.title).where(Notification.user_id == user_id))
    )


def audited(action: str, thread_id: int) -> bool:
    see_committed()
    return (
        db.session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.action == action,
                AuditEvent.subject_type == "thread",
                AuditEvent.subject_id == thread_id,
            )
        )
        is not None
    )


def test_a_moderator_changes_a_threads_kind_on_the_record(app: Flask) -> None:
    moderator, author = make_user(), make_user()
    board = make_board(moderators=[moderator])
    thread = make_thread(board, author=author, kind="question", title="Scheduler token reset")
    reply = make_post(thread, body="Reset it under Settings.")
    boards.mark_solution(thread, actor=author, post=reply)
    db.session.commit()

    assert (
        signed_in(app, author).post(f"/t/{thread.id}/kind", data={"kind": "fix"}).status_code == 403
    )
    client = signed_in(app, moderator)
    assert "Change kind" in client.get(f"/t/{thread.id}").get_data(as_text=True)
    response = client.post(f"/t/{thread.id}/kind", data={"kind": "story"})
    assert response.status_code == 302
    changed = reload(thread)
    assert changed.kind == "story" and changed.solution_post_id is None
    history = client.get(f"/p/{changed.posts[0].id}/revisions").get_data(as_text=True)
    assert "Kind changed from Question to Story by a moderator." in history
    assert any("is now a story" in title for title in titles_told(author.id))
    assert audited("thread.kind_changed", thread.id)
    assert client.post(f"/t/{thread.id}/kind", data={"kind": "rumour"}).status_code == 400


def test_a_merged_thread_moves_every_post_and_its_address_leads_to_the_other(app: Flask) -> None:
    moderator, author, watcher = make_user(), make_user(), make_user()
    board = make_board(slug="social", moderators=[moderator])
    original = make_thread(board, title="Facebook page locked out after a password reset")
    make_post(original, body="Use the recovery form.")
    duplicate = make_thread(board, author=author, title="Facebook page locked")
    make_post(duplicate, body="Same here: the osprey appeal page is locked.")
    boards.watch_thread(watcher, duplicate)
    db.session.commit()

    client = signed_in(app, moderator)
    form = client.get(f"/t/{duplicate.id}/merge")
    assert form.status_code == 200 and "Merge into thread" in form.get_data(as_text=True)
    bad = client.post(f"/t/{duplicate.id}/merge", data={"into": "not a thread"})
    assert bad.status_code == 400 and "Paste the other thread" in bad.get_data(as_text=True)
    itself = client.post(f"/t/{duplicate.id}/merge", data={"into": str(duplicate.id)})
    assert itself.status_code == 400 and "cannot be merged into itself" in itself.get_data(
        as_text=True
    )
    older = client.post(f"/t/{original.id}/merge", data={"into": f"/t/{duplicate.id}"})
    assert older.status_code == 400 and "merge the newer thread into the older one" in (
        older.get_data(as_text=True)
    )
    response = client.post(
        f"/t/{duplicate.id}/merge", data={"into": f"http://forum.test/t/{original.id}-facebook"}
    )
    assert response.status_code == 302

    merged = reload(original)
    assert merged.post_count == 4
    gone = reload(duplicate)
    assert gone.merged_into_id == original.id and gone.deleted_at is not None
    # The old address leads to the other thread, for anyone who could read it.
    old = signed_in(app, author).get(f"/t/{duplicate.id}")
    assert old.status_code == 301 and f"/t/{original.id}" in old.location
    page = signed_in(app, author).get(f"/t/{original.id}").get_data(as_text=True)
    assert "the osprey appeal page is locked" in page
    assert "Facebook page locked out" in signed_in(app, author).get("/b/social").get_data(
        as_text=True
    )
    listing = signed_in(app, author).get("/b/social").get_data(as_text=True)
    assert f"/t/{duplicate.id}-" not in listing
    hits = search.search(author, q="osprey").page.items
    assert [hit.thread_id for hit in hits] == [original.id]

    see_committed()
    assert db.session.get(ThreadWatch, (watcher.id, original.id)) is not None
    assert any("was merged into" in title for title in titles_told(author.id))
    assert audited("thread.merged", duplicate.id)
    history = (
        signed_in(app, moderator).get(f"/p/{merged.posts[0].id}/revisions").get_data(as_text=True)
    )
    assert "was merged into this thread by a moderator" in history


def test_merging_needs_a_moderator_and_a_target_they_can_see(app: Flask, api: Api) -> None:
    moderator = make_user()
    board = make_board(moderators=[moderator])
    housing = make_department()
    hidden = make_thread(make_board(department=housing), title="Housing only")
    visible = make_thread(make_board(), title="Staff thread")
    source = make_thread(board, title="Duplicate")

    assert (
        api(make_user())
        .post(f"/api/v1/threads/{source.id}/merge", json={"into": visible.id})
        .status_code
        == 403
    )
    refused = api(moderator).post(f"/api/v1/threads/{source.id}/merge", json={"into": hidden.id})
    assert refused.status_code == 400 and "into" in refused.get_json()["error"]["fields"]
    assert reload(hidden).post_count == 1

    merged = api(moderator).post(f"/api/v1/threads/{source.id}/merge", json={"into": visible.id})
    assert merged.status_code == 200
    assert merged.get_json()["id"] == visible.id and merged.get_json()["post_count"] == 2
    assert api(moderator).get(f"/api/v1/threads/{source.id}").get_json()["deleted_at"]
    assert (
        api(make_user(Role.ADMIN)).post(f"/api/v1/threads/{source.id}/restore").status_code == 409
    )


def test_kind_through_the_api(app: Flask, api: Api) -> None:
    moderator = make_user()
    thread = make_thread(make_board(moderators=[moderator]), kind="question")
    response = api(moderator).post(f"/api/v1/threads/{thread.id}/kind", json={"kind": "fix"})
    assert response.status_code == 200 and response.get_json()["kind"] == "fix"
    assert (
        api(moderator)
        .post(f"/api/v1/threads/{thread.id}/kind", json={"kind": "rumour"})
        .status_code
        == 400
    )


def test_a_moderator_splits_replies_off_into_a_new_thread(app: Flask, api: Api) -> None:
    moderator, author, sidetracker = make_user(), make_user(), make_user()
    board = make_board(slug="social", moderators=[moderator])
    thread = make_thread(board, author=author, title="Instagram captions")
    make_post(thread, body="Keep captions short.")
    off_first = make_post(thread, author=sidetracker, body="Unrelated: the kestrel webcam is down.")
    make_post(thread, body="And add alt text.")
    off_second = make_post(thread, author=sidetracker, body="The kestrel webcam is back.")
    boards.mark_solution(thread, actor=author, post=off_first)
    db.session.commit()

    client = signed_in(app, moderator)
    page = client.get(f"/t/{thread.id}/split")
    assert page.status_code == 200 and "Unrelated: the kestrel webcam" in page.get_data(
        as_text=True
    )
    empty = client.post(
        f"/t/{thread.id}/split", data={"title": "Kestrel webcam", "kind": "question"}
    )
    assert empty.status_code == 400 and "Tick at least one reply" in empty.get_data(as_text=True)
    response = client.post(
        f"/t/{thread.id}/split",
        data={
            "posts": [str(off_first.id), str(off_second.id)],
            "title": "Kestrel webcam outage",
            "kind": "failure",
        },
    )
    assert response.status_code == 302

    kept = reload(thread)
    assert kept.post_count == 3 and kept.solution_post_id is None
    see_committed()
    new = db.session.scalar(select(Thread).where(Thread.title == "Kestrel webcam outage"))
    assert new is not None and new.post_count == 2 and new.author_id == sidetracker.id
    assert [post.id for post in new.posts] == [off_first.id, off_second.id]
    assert f"/t/{new.id}" in response.location
    assert "The kestrel webcam is back." in signed_in(app, author).get(f"/t/{new.id}").get_data(
        as_text=True
    )
    assert "kestrel" not in signed_in(app, author).get(f"/t/{thread.id}").get_data(as_text=True)
    # One result for the new thread, both moved replies beneath it.
    [result] = search.search(author, q="kestrel").page.items
    assert result.thread_id == new.id
    assert {post.post_id for post in result.posts} == {off_first.id, off_second.id}
    assert any("moved to “Kestrel webcam outage”" in t for t in titles_told(sidetracker.id))
    assert audited("thread.split", thread.id)
    history = signed_in(app, moderator).get(f"/p/{kept.posts[0].id}/revisions")
    assert "2 replies were split off into “Kestrel webcam outage”" in history.get_data(as_text=True)


def test_split_refuses_the_opening_post_and_other_threads_replies(app: Flask, api: Api) -> None:
    moderator = make_user()
    board = make_board(moderators=[moderator])
    thread = make_thread(board)
    reply = make_post(thread, body="A reply.")
    elsewhere = make_post(make_thread(board), body="Elsewhere.")
    client = api(moderator)
    opening = client.post(
        f"/api/v1/threads/{thread.id}/split",
        json={"posts": [thread.posts[0].id], "title": "New", "kind": "question"},
    )
    assert opening.status_code == 400 and "opening post" in str(opening.get_json())
    foreign = client.post(
        f"/api/v1/threads/{thread.id}/split",
        json={"posts": [reply.id, elsewhere.id], "title": "New", "kind": "question"},
    )
    assert foreign.status_code == 400
    assert (
        api(make_user())
        .post(
            f"/api/v1/threads/{thread.id}/split",
            json={"posts": [reply.id], "title": "New", "kind": "question"},
        )
        .status_code
        == 403
    )
    made = client.post(
        f"/api/v1/threads/{thread.id}/split",
        json={"posts": [reply.id], "title": "A reply of its own", "kind": "question"},
    )
    assert made.status_code == 201 and made.get_json()["post_count"] == 1
    assert reload(thread).post_count == 1
