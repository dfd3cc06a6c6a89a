"""Factories for search tests: boards, threads and replies made through the boards services."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session
from whoosh import index

from forum.accounts.models import Role, User
from forum.boards.models import Post, Thread
from forum.extensions import db
from forum.search import indexing, services
from forum.search.models import SearchDocumentRow
from forum.search.postgres_backend import PostgresBackend

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
    """Every document the backend holds (committed), by key, with Whoosh's stored fields: read
    straight from the Whoosh index, or from `search_documents` on PostgreSQL."""
    backend = indexing.get_backend()
    if isinstance(backend, PostgresBackend):
        with Session(db.engine) as session:
            return {
                row.key: {
                    "key": row.key,
                    "doc_type": row.doc_type,
                    "thread_id": str(row.thread_id),
                    "post_id": str(row.post_id),
                    "board_id": str(row.board_id),
                    "kind": row.kind,
                    "thread_title": row.title,
                    "text": row.text,
                    "author_id": str(row.author_id),
                    "author_name": row.author_name,
                    "created_at": row.created_at.replace(tzinfo=None),
                }
                for row in session.scalars(select(SearchDocumentRow))
            }
    name = (backend.root / "CURRENT").read_text().strip()  # type: ignore[attr-defined]
    ix = index.open_dir(str(backend.root / name))  # type: ignore[attr-defined]
    with ix.searcher() as searcher:
        return {fields["key"]: fields for fields in searcher.all_stored_fields()}


def hits(user: User, q: str = "", **filters: Any) -> list[tuple[int, int]]:
    """(thread_id, post_id) of each result on the first page (one per thread: its best-matching
    post), in rank order."""
    outcome = services.search(user, q=q, **filters)
    return [(row.thread_id, row.post_id) for row in outcome.page.items]


def found(user: User, q: str = "", **filters: Any) -> list[tuple[int, int]]:
    """(thread_id, post_id) of every post shown on the first page: each thread's best-matching
    posts (up to services.POSTS_PER_THREAD), threads in rank order, posts best first."""
    outcome = services.search(user, q=q, **filters)
    return [(row.thread_id, post.post_id) for row in outcome.page.items for post in row.posts]


def index_dir() -> str:
    return str(current_app.config["SEARCH_INDEX_DIR"])
