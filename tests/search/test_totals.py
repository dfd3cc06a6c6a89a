"""Totals, page counts and rows agree, and count only what the reader may see now, even while
the index lags behind the database (a move, hide or delete whose drain could not run)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum.accounts.models import Role
from forum.boards import services as boards
from forum.extensions import db
from forum.search import indexing, services
from forum.search.locks import FileLock
from tests.factories import make_department, make_user
from tests.search.factories import (
    first_post,
    found,
    hits,
    index_dir,
    indexed,
    make_board,
    make_reply,
    make_thread,
)

Login = Callable[[Any], FlaskClient]
Api = Callable[[Any], Any]


@pytest.fixture(autouse=True, params=["by-thread-id", "by-board"])
def confirm_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with both ways the database check reads: naming the candidates' threads
    (few candidates) and one pass over the reader's boards (many)."""
    if request.param == "by-board":
        monkeypatch.setattr(services, "CONFIRM_BY_ID_MAX", 0)


@contextmanager
def index_lagging(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Inside, another process holds the index write lock: every change stays queued and
    searches answer from an index that has not seen it."""
    monkeypatch.setitem(app.config, "SEARCH_LOCK_TIMEOUT_SECONDS", 0)
    monkeypatch.setattr(services, "DRAIN_WAIT_SECONDS", 0)
    other_worker = FileLock(Path(index_dir()) / "write.lock")
    assert other_worker.acquire()
    try:
        yield
    finally:
        other_worker.release()


@pytest.mark.whoosh_only
def test_a_thread_moved_out_of_sight_is_not_counted_while_the_index_lags(
    app: Flask, login: Login, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    housing = make_department()
    housing_board = make_board(department=housing)
    thread = make_thread(make_board(), title="Zeppelin hangar lease")
    make_reply(thread, body="The zeppelin lease renews in May.")
    assert f"thread:{thread.id}" in indexed()
    outsider, insider = make_user(), make_user(department=housing)
    with index_lagging(app, monkeypatch):
        boards.move_thread(thread, actor=make_user(Role.ADMIN), to_board=housing_board)
        db.session.commit()
        assert indexing.pending_count() == 1
        outcome = services.search(outsider, q="zeppelin")
        assert (outcome.page.total, outcome.page.items, outcome.page.pages) == (0, [], 1)
        html = login(outsider).get("/search?q=zeppelin").get_data(as_text=True)
        assert "0 results" in html and "1 result" not in html and "2 results" not in html
        assert api(outsider).get("/api/v1/search?q=zeppelin").get_json() == {
            "results": [],
            "total": 0,
            "rebuilding": False,
            "pending": 1,
        }
        # Someone who may see the new board still finds the thread, once, with both posts.
        assert services.search(insider, q="zeppelin").page.total == 1
        assert len(found(insider, "zeppelin")) == 2
    assert indexing.drain().applied == 1
    assert services.search(outsider, q="zeppelin").page.total == 0
    assert services.search(insider, q="zeppelin").page.total == 1
    assert len(found(insider, "zeppelin")) == 2


@pytest.mark.whoosh_only
def test_deleted_and_hidden_replies_are_not_counted_before_the_index_catches_up(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = make_thread(make_board(), title="Quokka enclosure", body="The quokka gate sticks.")
    deleted = make_reply(thread, body="Quokka keeper's phone is 555-0100.")
    hidden = make_reply(thread, body="Cheap quokka food here.")
    kept = make_reply(thread, body="Oiled the quokka gate.")
    reader = make_user()
    assert services.search(reader, q="quokka").page.total == 1
    assert len(found(reader, "quokka")) == 3  # the best three of its four posts
    with index_lagging(app, monkeypatch):
        boards.delete_post(deleted, actor=deleted.author)
        boards.hide_post(hidden, actor=make_user(Role.ADMIN), reason="Spam")
        db.session.commit()
        assert indexing.pending_count() == 2
        outcome = services.search(reader, q="quokka")
        assert outcome.page.total == 1
        assert {post.post_id for post in outcome.page.items[0].posts} == {
            first_post(thread).id,
            kept.id,
        }


@pytest.mark.whoosh_only
def test_pages_fill_up_past_stale_hits_and_the_page_count_follows(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    board = make_board()
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    threads = [
        make_thread(board, title=f"Walrus report {n}", now=start + dt.timedelta(days=n))
        for n in range(27)
    ]
    reader = make_user()
    assert services.search(reader, q="walrus").page.total == 27
    newest_first = list(reversed(threads))
    with index_lagging(app, monkeypatch):
        # Four of the first page and one of the second leave view; the index still has them.
        gone = [newest_first[n] for n in (0, 3, 7, 19, 22)]
        for thread in gone:
            boards.delete_post(first_post(thread), actor=thread.author)
        db.session.commit()
        assert indexing.pending_count() == 5
        # Filters only: newest first.
        first_page = services.search(reader, q="kind:question").page
        second_page = services.search(reader, q="kind:question", page=2).page
        third_page = services.search(reader, q="kind:question", page=3).page
    expected = [thread.id for thread in newest_first if thread not in gone]
    assert first_page.total == second_page.total == third_page.total == 22
    assert first_page.pages == 2
    assert [row.thread_id for row in first_page.items + second_page.items] == expected
    assert third_page.items == []


def test_deleting_the_opening_post_takes_the_thread_out_of_search(app: Flask) -> None:
    thread = make_thread(make_board(), title="Laminator pouches", body="Confidential figures.")
    reply = make_reply(thread, body="Laminator pouches are in the cupboard.")
    boards.delete_post(first_post(thread), actor=thread.author)
    db.session.commit()
    assert indexing.pending_count() == 0
    assert f"thread:{thread.id}" not in indexed()
    reader = make_user()
    assert hits(reader, "confidential") == []
    # The thread page still shows the reply under a placeholder, so the reply stays findable.
    outcome = services.search(reader, q="laminator")
    assert [(row.thread_id, row.post_id) for row in outcome.page.items] == [(thread.id, reply.id)]
    assert outcome.page.total == 1

    boards.restore_post(first_post(thread), actor=thread.author)
    db.session.commit()
    assert services.search(reader, q="laminator").page.total == 1
    assert set(found(reader, "laminator")) == {
        (thread.id, first_post(thread).id),
        (thread.id, reply.id),
    }


@pytest.mark.whoosh_only
def test_a_hidden_opening_post_takes_the_thread_out_of_search_even_before_the_index_knows(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = make_thread(make_board(), title="Laminator pouches", body="Confidential figures.")
    reader = make_user()
    assert hits(reader, "laminator") == [(thread.id, first_post(thread).id)]
    with index_lagging(app, monkeypatch):
        boards.hide_post(first_post(thread), actor=make_user(Role.ADMIN), reason="Off topic")
        db.session.commit()
        assert f"thread:{thread.id}" in indexed()
        outcome = services.search(reader, q="laminator")
        assert (outcome.page.total, outcome.page.items) == (0, [])
    assert indexing.drain().applied == 1
    assert f"thread:{thread.id}" not in indexed()


def test_many_matches_on_a_hidden_board_are_never_counted(
    app: Flask, login: Login, api: Api
) -> None:
    housing = make_department()
    housing_board = make_board(department=housing)
    for n in range(25):
        make_thread(housing_board, title=f"Nightjar survey {n}")
    public = make_thread(make_board(), title="Nightjar poster")
    outsider = make_user()
    outcome = services.search(outsider, q="nightjar")
    assert outcome.page.total == 1
    assert [row.thread_id for row in outcome.page.items] == [public.id]
    html = login(outsider).get("/search?q=nightjar").get_data(as_text=True)
    assert "1 result" in html and "26 results" not in html
    assert api(outsider).get("/api/v1/search?q=nightjar").get_json()["total"] == 1
    assert services.search(make_user(department=housing), q="nightjar").page.total == 26
