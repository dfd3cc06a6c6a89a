"""Per-person reading state: how far each thread is read; the threads and boards watched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import bindparam, case, delete, func, select

from forum.accounts.models import User
from forum.boards.models import Board, BoardWatch, Post, Thread, ThreadRead, ThreadWatch
from forum.boards.services.validation import dialect_insert
from forum.core.db import read_connection, utcnow
from forum.extensions import db


def mark_read(user: User, thread: Thread, post_id: int, *, now: dt.datetime | None = None) -> None:
    """Record that `user` has read `thread` up to `post_id`; the mark never moves backwards.

    One upsert, so two tabs reading at once cannot collide on the primary key.
    """
    mark_read_ids(user.id, thread.id, post_id, now=now)


# Upserts built once per dialect: a reply and a first read run them, and building them cost
# more than running them (the ON CONFLICT clause defeats SQLAlchemy's statement cache).
_UPSERTS: dict[tuple[str, str], Any] = {}


def _upsert(name: str, build: Callable[[], Any]) -> Any:
    key = (db.session.get_bind().dialect.name, name)
    statement = _UPSERTS.get(key)
    if statement is None:
        statement = _UPSERTS[key] = build()
    return statement


def _mark_read_upsert() -> Any:
    statement = dialect_insert(ThreadRead).values(
        user_id=bindparam("user_id"),
        thread_id=bindparam("thread_id"),
        last_read_post_id=bindparam("post_id"),
        read_at=bindparam("now", type_=ThreadRead.read_at.type),
    )
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=[ThreadRead.user_id, ThreadRead.thread_id],
        set_={
            "last_read_post_id": case(
                (
                    excluded.last_read_post_id > ThreadRead.last_read_post_id,
                    excluded.last_read_post_id,
                ),
                else_=ThreadRead.last_read_post_id,
            ),
            "read_at": excluded.read_at,
        },
    )
    return statement


def mark_read_ids(
    user_id: int, thread_id: int, post_id: int, *, now: dt.datetime | None = None
) -> None:
    """mark_read by ids, for callers whose objects were expired by a commit."""
    db.session.execute(
        _upsert("mark_read", _mark_read_upsert),
        {"user_id": user_id, "thread_id": thread_id, "post_id": post_id, "now": now or utcnow()},
    )


# Built once: every listing asks it for its page of threads.
_READ_MARKS = select(ThreadRead.thread_id, ThreadRead.last_read_post_id).where(
    ThreadRead.user_id == bindparam("user_id"),
    ThreadRead.thread_id.in_(bindparam("thread_ids", expanding=True)),
)


def read_marks(user: User, thread_ids: Iterable[int]) -> dict[int, int]:
    """thread id -> last read post id, for the threads `user` has opened (one query)."""
    ids = list(thread_ids)
    if not ids:
        return {}
    rows = read_connection(db.session).execute(_READ_MARKS, {"user_id": user.id, "thread_ids": ids})
    return {row[0]: row[1] for row in rows}


# Built once: the thread page asks it on every view.
_READER_STATE = select(
    select(ThreadRead.last_read_post_id)
    .where(
        ThreadRead.user_id == bindparam("user_id"),
        ThreadRead.thread_id == bindparam("thread_id"),
    )
    .scalar_subquery(),
    select(ThreadWatch.user_id)
    .where(
        ThreadWatch.user_id == bindparam("user_id"),
        ThreadWatch.thread_id == bindparam("thread_id"),
    )
    .exists(),
)


def reader_state(user: User, thread: Thread) -> tuple[int, bool]:
    """How far `user` has read `thread` (0: never opened) and whether they watch it, in one
    query: the thread page asks both on every view."""
    row = (
        read_connection(db.session)
        .execute(_READER_STATE, {"user_id": user.id, "thread_id": thread.id})
        .one()
    )
    return int(row[0] or 0), bool(row[1])


def unread_state(thread: Thread, marks: dict[int, int]) -> str:
    """ "new" (never opened), "updated" (replies since last read) or "" (all read)."""
    mark = marks.get(thread.id)
    if mark is None:
        return "new"
    if thread.last_post_id is not None and thread.last_post_id > mark:
        return "updated"
    return ""


def first_unread_post_id(user: User, thread: Thread) -> int | None:
    """The first post after the reader's mark; None when everything is read."""
    mark = db.session.scalar(
        select(ThreadRead.last_read_post_id).where(
            ThreadRead.user_id == user.id, ThreadRead.thread_id == thread.id
        )
    )
    query = select(func.min(Post.id)).where(Post.thread_id == thread.id)
    if mark is not None:
        query = query.where(Post.id > mark)
    return db.session.scalar(query)


def page_of_post(post: Post, per_page: int = 30) -> int:
    """The thread page a post appears on."""
    position = (
        db.session.scalar(
            select(func.count(Post.id)).where(Post.thread_id == post.thread_id, Post.id <= post.id)
        )
        or 1
    )
    return (position - 1) // per_page + 1


def is_watching_thread(user: User, thread: Thread) -> bool:
    return db.session.get(ThreadWatch, (user.id, thread.id)) is not None


_WATCHES_BOARD = (
    select(BoardWatch.user_id)
    .where(BoardWatch.user_id == bindparam("user_id"), BoardWatch.board_id == bindparam("board_id"))
    .exists()
    .select()
)


def is_watching_board(user: User, board: Board) -> bool:
    """Whether `user` follows new threads on `board` (the board page asks on every view)."""
    return bool(
        read_connection(db.session).scalar(
            _WATCHES_BOARD, {"user_id": user.id, "board_id": board.id}
        )
    )


def watch_thread(user: User, thread: Thread, *, now: dt.datetime | None = None) -> None:
    """Notify `user` of every reply in `thread` (idempotent)."""
    statement = _upsert(
        "watch_thread",
        lambda: (
            dialect_insert(ThreadWatch)
            .values(
                user_id=bindparam("user_id"),
                thread_id=bindparam("thread_id"),
                created_at=bindparam("now", type_=ThreadWatch.created_at.type),
            )
            .on_conflict_do_nothing()
        ),
    )
    db.session.execute(
        statement, {"user_id": user.id, "thread_id": thread.id, "now": now or utcnow()}
    )


def unwatch_thread(user: User, thread: Thread) -> None:
    db.session.execute(
        delete(ThreadWatch).where(
            ThreadWatch.user_id == user.id, ThreadWatch.thread_id == thread.id
        )
    )


def watch_board(user: User, board: Board, *, now: dt.datetime | None = None) -> None:
    """Notify `user` of every new thread and reply on `board` (idempotent)."""
    statement = dialect_insert(BoardWatch).values(
        user_id=user.id, board_id=board.id, created_at=now or utcnow()
    )
    db.session.execute(statement.on_conflict_do_nothing())


def unwatch_board(user: User, board: Board) -> None:
    db.session.execute(
        delete(BoardWatch).where(BoardWatch.user_id == user.id, BoardWatch.board_id == board.id)
    )
