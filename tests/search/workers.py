"""Code run in separate processes by the concurrency tests (importable for `spawn`)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from forum import create_app
from forum.accounts.models import User
from forum.boards import services as boards
from forum.boards.models import Board, PostKind
from forum.core.db import immediate_transactions
from forum.extensions import db


def write_and_edit(
    config: dict[str, Any], board_id: int, author_id: int, worker: int, count: int, barrier: Any
) -> None:
    """Start `count` threads, reply to each and edit the reply: three commits per thread, each
    followed by this process's own after-commit drain."""
    app = create_app(config)
    write_and_edit_in(app, board_id, author_id, worker, count, barrier)
    with app.app_context():
        db.engine.dispose()


def write_and_edit_in(
    app: Flask, board_id: int, author_id: int, worker: int, count: int, barrier: Any
) -> None:
    """`write_and_edit` in an app that other threads share, as a threaded server's are."""
    with app.app_context():
        barrier.wait(timeout=60)
        for n in range(count):
            with immediate_transactions():
                board = db.session.get(Board, board_id)
                author = db.session.get(User, author_id)
                assert board is not None and author is not None
                thread = boards.create_thread(
                    board,
                    author=author,
                    kind=PostKind.STORY,
                    title=f"Worker {worker} story {n}",
                    body=f"opening w{worker}n{n}",
                )
                db.session.commit()
            with immediate_transactions():
                reply = boards.add_post(thread, author=author, body=f"draft w{worker}n{n}")
                db.session.commit()
            with immediate_transactions():
                boards.edit_post(reply, editor=author, body=f"final w{worker}n{n}")
                db.session.commit()
        db.session.remove()


def run_indexer(config: dict[str, Any]) -> None:
    """The background indexer's loop (`flask search work`), until it is stopped or killed."""
    from forum.search import indexer

    app = create_app(config)
    with app.app_context():
        indexer.indexer(poll_seconds=0.05).run()
