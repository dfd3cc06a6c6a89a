"""Several processes (and threads) writing and draining at once lose no index change."""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

from flask import Flask

from forum import create_app
from forum.boards.models import Post, Thread
from forum.extensions import db
from forum.search import indexing
from tests.factories import make_user
from tests.search import workers
from tests.search.factories import indexed, make_board

WORKERS = 4
THREADS_EACH = 6


def assert_index_matches_database() -> None:
    db.session.rollback()  # end the test's read snapshot to see the workers' commits
    assert indexing.pending_count() == 0
    docs = indexed()
    threads = db.session.scalars(db.select(Thread)).all()
    posts = db.session.scalars(db.select(Post).order_by(Post.id)).all()
    assert len(threads) == WORKERS * THREADS_EACH
    expected = {}
    for thread in threads:
        opening, *replies = [post for post in posts if post.thread_id == thread.id]
        expected[f"thread:{thread.id}"] = opening.body
        for reply in replies:
            expected[f"post:{reply.id}"] = reply.body
    assert {key: fields["text"] for key, fields in docs.items()} == expected
    assert all(text.startswith(("opening", "final")) for text in expected.values())


def test_processes_writing_at_once_lose_nothing(app: Flask, app_config: dict[str, Any]) -> None:
    board = make_board()
    author = make_user()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS)
    processes = [
        context.Process(
            target=workers.write_and_edit,
            args=(app_config, board.id, author.id, n, THREADS_EACH, barrier),
        )
        for n in range(WORKERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=240)
    assert [process.exitcode for process in processes] == [0] * WORKERS
    assert_index_matches_database()


def test_threads_of_one_process_writing_at_once_lose_nothing(
    app: Flask, app_config: dict[str, Any]
) -> None:
    board_id, author_id = make_board().id, make_user().id
    # One app shared by the threads, as in a threaded server: building apps in several threads
    # at once trips CPython 3.11.7's AST recursion-depth check while Werkzeug compiles routes.
    shared = create_app(app_config)
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            workers.write_and_edit_in(shared, board_id, author_id, n, THREADS_EACH, barrier)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    with shared.app_context():
        db.engine.dispose()
    assert errors == []
    assert_index_matches_database()
