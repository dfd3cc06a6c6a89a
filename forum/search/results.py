"""Search result rows: one per thread, with its best-matching posts, as the database has them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select

from forum.accounts.models import User
from forum.boards.models import Board, Post, PostKind, Thread
from forum.core.db import read_connection
from forum.extensions import db
from forum.search.backend import SearchHit


@dataclass(frozen=True)
class SearchPost:
    """One of the best-matching posts shown under a thread's result."""

    post_id: int
    # The thread's opening post (the thread's own document: its title and first post).
    is_thread: bool
    snippet_html: str
    author_name: str
    created_at: dt.datetime | None
    url: str
    author_handle: str | None = None


@dataclass(frozen=True)
class SearchResult:
    """One thread that matched, with its best-matching posts (best first) beneath it. The flat
    fields describe the best post, as they did when every hit was a row of its own."""

    thread_id: int
    post_id: int
    title: str
    kind: PostKind
    snippet_html: str
    board: Board
    author_name: str
    created_at: dt.datetime | None
    url: str
    is_thread: bool
    # The author's handle as it is now (the index keeps only the name): links to /u/<handle>.
    author_handle: str | None = None
    thread_url: str = ""
    is_solved: bool = False
    posts: tuple[SearchPost, ...] = ()


# Built once, with the ids bound: every search runs both.
_THREAD_ROWS = select(
    Thread.id,
    Thread.title,
    Thread.slug,
    Thread.board_id,
    Thread.kind,
    Thread.solution_post_id,
    Thread.solution_thread_id,
).where(Thread.id.in_(bindparam("thread_ids", expanding=True)), Thread.deleted_at.is_(None))
_SHOWN_POSTS = (
    select(Post.id, Post.thread_id, User.handle)
    .join(User, User.id == Post.author_id)
    .where(
        Post.id.in_(bindparam("post_ids", expanding=True)),
        Post.deleted_at.is_(None),
        Post.hidden_at.is_(None),
    )
)


def thread_rows(thread_ids: list[int]) -> dict[int, Any]:
    """id -> the columns a result row shows of each thread that is not deleted (no bodies)."""
    connection = read_connection(db.session)
    return {row.id: row for row in connection.execute(_THREAD_ROWS, {"thread_ids": thread_ids})}


def rows(
    thread_ids: list[int], posts: dict[int, list[SearchHit]], boards_by_id: dict[int, Board]
) -> list[SearchResult]:
    """One row per thread, in the given order, with its posts as the database has them now
    (titles, boards, handles; only the columns a row shows: no post bodies are loaded)."""
    if not thread_ids:
        return []
    threads = thread_rows(thread_ids)
    hits = [hit for thread_id in thread_ids for hit in posts.get(thread_id, [])]
    # post id -> thread id of the hits' posts that are neither deleted nor hidden.
    visible_posts: dict[int, int] = {}
    handles: dict[int, str | None] = {}
    if hits:
        post_ids = sorted({hit.post_id for hit in hits})
        for row in read_connection(db.session).execute(_SHOWN_POSTS, {"post_ids": post_ids}):
            visible_posts[row.id], handles[row.id] = row.thread_id, row.handle
    rows = []
    for thread_id in thread_ids:
        thread = threads.get(thread_id)
        board = boards_by_id.get(thread.board_id) if thread is not None else None
        if thread is None or board is None:
            continue
        thread_url = f"/t/{thread.id}-{thread.slug}"  # boards.thread_path, from these columns
        shown = [
            SearchPost(
                post_id=hit.post_id,
                is_thread=hit.doc_type == "thread",
                snippet_html=hit.snippet_html,
                author_name=hit.author_name,
                author_handle=handles.get(hit.post_id),
                created_at=hit.created_at,
                url=thread_url if hit.doc_type == "thread" else f"/p/{hit.post_id}",
            )
            for hit in posts.get(thread_id, [])
            # Only a change committed between the check and this read can fail here; the
            # post is then left out rather than shown.
            if visible_posts.get(hit.post_id) == thread.id
        ]
        if not shown:
            continue
        best = shown[0]
        rows.append(
            SearchResult(
                thread_id=thread.id,
                post_id=best.post_id,
                title=thread.title,
                kind=PostKind(thread.kind),
                snippet_html=best.snippet_html,
                board=board,
                author_name=best.author_name,
                author_handle=best.author_handle,
                created_at=best.created_at,
                is_thread=best.is_thread,
                url=best.url,
                thread_url=thread_url,
                is_solved=thread.solution_post_id is not None
                or thread.solution_thread_id is not None,
                posts=tuple(shown),
            )
        )
    return rows
