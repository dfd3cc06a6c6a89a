"""Factories for search tests: boards, threads and replies made through the boards services."""

from __future__ import annotations

from typing import Any

from flask import current_app
from whoosh import index

from forum.accounts.models import Role, User
from forum.boards.models import Post, Thread
from forum.search import indexing, services

# Boards' factories, re-exported: search tests build their data the same way.
from tests.boards.factories import make_board as make_board
from tests.boards.factories import make_post
from tests.boards.factories import make_thread as make_thread
from tests.factories import make_user

make_reply = make_post


def admin() -> User:
    return make_user(Role.ADMIN)


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
