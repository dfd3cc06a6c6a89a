"""With SEARCH_INDEX_INLINE off, writes only queue; the background indexer applies them, and
neither its absence nor its death loses a change."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import update

from forum.core.db import utcnow
from forum.extensions import db
from forum.search import indexing, services
from forum.search.models import SearchQueueItem
from tests.factories import make_user
from tests.search import workers
from tests.search.factories import found, hits, indexed, make_board, make_reply, make_thread

# The queue and its indexer are how Whoosh follows writes; PostgreSQL search needs neither.
pytestmark = pytest.mark.whoosh_only


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "SEARCH_INDEX_INLINE": False}


@pytest.fixture(autouse=True)
def _built_index(app: Flask) -> None:
    indexing.rebuild()  # empty, as after a deploy: from here on only the queue feeds it


def test_inline_indexing_is_off_in_production_and_on_elsewhere() -> None:
    from forum.config import load_config

    base = {"SECRET_KEY": "k", "FORUM_BASE_URL": "https://forum.example.org"}
    assert (
        load_config("/nonexistent", {**base, "FORUM_ENV": "production"})["SEARCH_INDEX_INLINE"]
        is False
    )
    assert (
        load_config("/nonexistent", {**base, "FORUM_ENV": "development"})["SEARCH_INDEX_INLINE"]
        is True
    )
    overridden = {**base, "FORUM_ENV": "production", "SEARCH_INDEX_INLINE": True}
    assert load_config("/nonexistent", overridden)["SEARCH_INDEX_INLINE"] is True


def test_a_reply_commits_while_the_indexer_is_down_and_the_indexer_catches_up(
    app: Flask, api: Any, login: Any, runner: FlaskCliRunner
) -> None:
    board = make_board()
    thread = make_thread(board, title="Rota swap")
    reader = make_user()
    response = api(reader).post(
        f"/api/v1/threads/{thread.id}/posts", json={"body": "Swapping the nightshift rota."}
    )
    assert response.status_code == 201, response.get_json()
    reply_id = response.get_json()["id"]

    # Committed and queued, not indexed: search says changes are waiting.
    assert f"post:{reply_id}" not in indexed()
    assert indexing.backlog().count >= 1
    outcome = services.search(reader, q="nightshift")
    assert outcome.page.total == 0 and outcome.pending >= 1
    page = login(reader).get("/search?q=nightshift").get_data(as_text=True)
    assert "recent changes still being indexed" in page  # the thread and the reply
    assert api(reader).get("/api/v1/search?q=nightshift").get_json()["pending"] >= 1

    result = runner.invoke(args=["search", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert "applied" in result.output
    assert hits(reader, "nightshift") == [(thread.id, reply_id)]
    assert services.search(reader, q="nightshift").pending == 0
    assert indexing.backlog().count == 0


def test_the_search_page_drains_by_itself_when_the_indexer_is_late(app: Flask) -> None:
    thread = make_thread(make_board(), title="Projector")
    reply = make_reply(thread, body="The projector bulb is out.")
    assert f"post:{reply.id}" not in indexed()
    db.session.execute(
        update(SearchQueueItem).values(
            created_at=utcnow() - dt.timedelta(seconds=services.INDEXER_LATE_SECONDS + 5)
        )
    )
    db.session.commit()
    outcome = services.search(make_user(), q="bulb")
    assert [row.post_id for row in outcome.page.items] == [reply.id]
    assert outcome.pending == 0


def test_killing_the_indexer_loses_nothing(app: Flask, app_config: dict[str, Any]) -> None:
    board = make_board()
    author = make_user()
    thread = make_thread(board, author=author, title="Many replies")
    replies = [
        make_reply(thread, author=author, body=f"reply number{n} about kestrels").id
        for n in range(120)
    ]
    assert indexing.backlog().count == len(replies) + 1

    context = multiprocessing.get_context("spawn")
    process = context.Process(target=workers.run_indexer, args=(app_config,))
    process.start()
    try:
        # Kill it as soon as it has begun (whatever it is doing at that moment: starting up,
        # writing the index, deleting the rows it applied).
        deadline = time.monotonic() + 120
        while indexing.backlog().count == len(replies) + 1 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        process.kill()
        process.join(timeout=30)
    assert process.exitcode == -9

    # Every change is either in the index or still queued...
    db.session.rollback()
    queued = {row.doc_id for row in db.session.scalars(db.select(SearchQueueItem))}
    docs = indexed()
    assert all(f"post:{post_id}" in docs or post_id in queued for post_id in replies)
    # ...and the next indexer (here, one run of it) applies the rest.
    result = indexing.drain()
    assert result.skipped is None
    docs = indexed()
    assert all(f"post:{post_id}" in docs for post_id in replies)
    assert indexing.backlog().count == 0
    # One thread: one result, with its best few replies beneath it.
    assert len(found(make_user(), "kestrels")) == services.POSTS_PER_THREAD
    assert services.search(make_user(), q="kestrels").page.total == 1


def test_a_stopped_indexer_finishes_its_batch_and_returns(app: Flask) -> None:
    from forum.search import indexer

    make_thread(make_board(), title="Whiteboard markers")
    runner = indexer.indexer(poll_seconds=0.05)
    results = runner.iterate()
    assert results == {"search.index": 1}
    runner.stop()
    runner.run()  # returns at once: a stop was asked for
    assert indexing.backlog().count == 0
