"""Factories for search tests: boards, threads and replies made through the boards services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from whoosh import index

from forum.accounts.models import Department, Role, User
from forum.boards import services as boards
from forum.boards.models import Board, BoardVisibility, Post, PostKind, Thread
from forum.extensions import db
from forum.search import indexing, services
from tests.factories import make_user, next_id


def admin() -> User:
    return make_user(Role.ADMIN)


def make_board(*, department: Department | None = None, **overrides: Any) -> Board:
    n = next_id()
    visibility = overrides.pop(
        "visibility", BoardVisibility.DEPARTMENT if department else BoardVisibility.STAFF
    )
    board = boards.create_board(
        overrides.pop("actor", None) or admin(),
        slug=overrides.pop("slug", f"board-{n}"),
        name=overrides.pop("name", f"Board {n}"),
        visibility=visibility,
        department=department,
        position=n,
    )
    db.session.commit()
    return board


def make_thread(
    board: Board,
    *,
    author: User | None = None,
    kind: PostKind | str = PostKind.QUESTION,
    title: str | None = None,
    body: str = "What happened and what we tried.",
    tags: list[str] | None = None,
    now: dt.datetime | None = None,
) -> Thread:
    author = author or make_user(department=board.department)
    thread = boards.create_thread(
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


def make_reply(
    thread: Thread,
    *,
    author: User | None = None,
    body: str = "A reply.",
    now: dt.datetime | None = None,
) -> Post:
    author = author or make_user(department=thread.board.department)
    post = boards.add_post(thread, author=author, body=body, now=now)
    db.session.commit()
    return post


def first_post(thread: Thread) -> Post:
    return thread.posts[0]


def indexed() -> dict[str, dict[str, Any]]:
    """Every document in the live index, by key (read straight from Whoosh)."""
    backend = indexing.get_backend()
    name = (backend.root / "CURRENT").read_text().strip()  # type: ignore[attr-defined]
    ix = index.open_dir(str(backend.root / name))  # type: ignore[attr-defined]
    with ix.searcher() as searcher:
        return {fields["key"]: fields for fields in searcher.all_stored_fields()}


def hits(user: User, q: str = "", **filters: Any) -> list[tuple[int, int]]:
    """(thread_id, post_id) of every hit on the first page, in rank order."""
    outcome = services.search(user, q=q, **filters)
    return [(row.thread_id, row.post_id) for row in outcome.page.items]


def index_dir() -> str:
    return str(current_app.config["SEARCH_INDEX_DIR"])
