"""Plain factories for boards, threads and posts, going through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forum.accounts.models import Department, Role, User
from forum.boards import services
from forum.boards.models import Board, BoardVisibility, Post, PostKind, Thread
from forum.extensions import db
from tests.factories import make_user, next_id


def _admin() -> User:
    return make_user(Role.ADMIN)


def make_board(
    *, department: Department | None = None, moderators: list[User] | None = None, **overrides: Any
) -> Board:
    n = next_id()
    visibility = overrides.pop(
        "visibility", BoardVisibility.DEPARTMENT if department else BoardVisibility.STAFF
    )
    admin = overrides.pop("admin", None) or _admin()
    board = services.create_board(
        admin,
        slug=overrides.pop("slug", f"board-{n}"),
        name=overrides.pop("name", f"Board {n}"),
        description=overrides.pop("description", "A board for tests."),
        visibility=visibility,
        department=department,
        position=overrides.pop("position", n),
    )
    if moderators:
        services.set_moderators(admin, board, moderators)
    db.session.commit()
    return board


def make_thread(
    board: Board | None = None,
    *,
    author: User | None = None,
    kind: PostKind | str = PostKind.QUESTION,
    title: str | None = None,
    body: str = "What happened and what we tried.",
    tags: list[str] | None = None,
    now: dt.datetime | None = None,
) -> Thread:
    board = board or make_board()
    author = author or make_user(department=board.department)
    thread = services.create_thread(
        board,
        author=author,
        kind=kind,
        title=title or f"Thread {next_id()}",
        body=body,
        tags=tags or [],
        now=now,
    )
    db.session.commit()
    return thread


def make_post(
    thread: Thread,
    *,
    author: User | None = None,
    body: str = "A reply.",
    now: dt.datetime | None = None,
) -> Post:
    author = author or make_user(department=thread.board.department)
    post = services.add_post(thread, author=author, body=body, now=now)
    db.session.commit()
    return post
