"""Searching as a person: validation, visibility, the backend call, and the result rows."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select

from forum.accounts.models import User
from forum.boards import services as boards
from forum.boards.models import Board, Post, PostKind, Thread
from forum.core.errors import Invalid
from forum.core.pagination import Page
from forum.extensions import db
from forum.search import indexing
from forum.search.backend import IndexUnavailable, SearchHit, SearchQuery
from forum.search.indexing import SearchStatus
from forum.search.query import extract_dates
from forum.search.whoosh_backend import QuerySyntaxError

logger = logging.getLogger(__name__)

PER_PAGE = 20
MAX_QUERY_LENGTH = 500
MAX_PAGE = 500
# The search page drains the queue before it queries, but never waits long for the lock.
DRAIN_WAIT_SECONDS = 2.0


@dataclass(frozen=True)
class SearchResult:
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


@dataclass(frozen=True)
class SearchOutcome:
    page: Page[SearchResult]
    status: SearchStatus
    # False when nothing was asked (no words and no filters): the page shows the search help.
    asked: bool


def _kind(value: PostKind | str | None) -> PostKind | None:
    if value is None or value == "":
        return None
    try:
        return PostKind(str(value).strip().lower())
    except ValueError:
        raise Invalid(
            "Unknown kind.",
            fields={"kind": "Choose one of: " + ", ".join(kind.value for kind in PostKind) + "."},
        ) from None


def _author(value: str | None) -> str | None:
    text = " ".join((value or "").split())
    if "@" in text:
        text = text.split("@", 1)[0]
    return text.lower() or None


def search(
    user: User,
    *,
    q: str = "",
    kind: PostKind | str | None = None,
    board: str | None = None,
    tag: str | None = None,
    author: str | None = None,
    page: int = 1,
) -> SearchOutcome:
    """Search the threads and posts `user` may see, PER_PAGE hits a page.

    `q` takes words, "phrases", AND/OR/NOT (and -word), kind:, board:<slug>, tag:, author:
    (email local part or name) and date:/after:/before:; the other arguments narrow further.
    Results on boards the person cannot see never appear, even when the index lags behind.
    Raises Invalid (fields q, kind, page) for an over-long query, an unreadable date, an
    unknown kind or a page out of range.
    """
    q = q or ""
    if len(q) > MAX_QUERY_LENGTH:
        raise Invalid(fields={"q": f"Use at most {MAX_QUERY_LENGTH} characters."})
    if not 1 <= page <= MAX_PAGE:
        raise Invalid(fields={"page": f"Choose a page from 1 to {MAX_PAGE}."})
    parsed_kind = _kind(kind)
    dates = extract_dates(q)
    visible = boards.visible_boards(user)
    by_slug = {b.slug: b.id for b in visible}
    board_id: int | None = None
    if board:
        board_id = by_slug.get(board.strip().lower(), -1)  # unknown or invisible: no hits
    query = SearchQuery(
        text=dates.text,
        kind=parsed_kind.value if parsed_kind else None,
        board_id=board_id,
        tag=boards.normalize_tag(tag) if tag else None,
        author=_author(author),
        start=dates.start,
        end=dates.end,
        board_ids_by_slug=by_slug,
    )
    empty: Page[SearchResult] = Page(items=[], page=page, per_page=PER_PAGE, total=0)
    if query.is_empty:
        return SearchOutcome(page=empty, status=indexing.status(), asked=False)

    try:
        indexing.drain(timeout=DRAIN_WAIT_SECONDS)
    except Exception:
        logger.exception("search: drain before query failed; searching what is indexed")
    status = indexing.ensure_index()
    try:
        results = indexing.get_backend().search(
            query, board_ids=by_slug.values(), page=page, per_page=PER_PAGE
        )
    except QuerySyntaxError:
        raise Invalid(
            fields={"q": "That search cannot be run; check quotes and brackets."}
        ) from None
    except IndexUnavailable as exc:
        logger.warning("search: index unreadable (%s); starting a rebuild", exc)
        status = indexing.ensure_index()
        if status is SearchStatus.READY:
            status = SearchStatus.REBUILDING
        return SearchOutcome(page=empty, status=status, asked=True)
    rows = _current_rows(results.hits, {b.id: b for b in visible})
    return SearchOutcome(
        page=Page(items=rows, page=page, per_page=PER_PAGE, total=results.total),
        status=status,
        asked=True,
    )


def _current_rows(hits: list[SearchHit], boards_by_id: dict[int, Board]) -> list[SearchResult]:
    """Hits checked against the database: a thread moved to a board the reader cannot see, or a
    post deleted or hidden since it was indexed, is dropped even if the index has not caught up."""
    if not hits:
        return []
    threads = {
        thread.id: thread
        for thread in db.session.scalars(
            select(Thread).where(Thread.id.in_({hit.thread_id for hit in hits}))
        )
    }
    posts = {
        post.id: post
        for post in db.session.scalars(
            select(Post).where(Post.id.in_({hit.post_id for hit in hits}))
        )
    }
    rows = []
    for hit in hits:
        thread, post = threads.get(hit.thread_id), posts.get(hit.post_id)
        if thread is None or post is None or post.thread_id != thread.id:
            continue
        board = boards_by_id.get(thread.board_id)
        is_thread = hit.doc_type == "thread"
        if board is None or (not is_thread and not post.is_visible):
            continue
        rows.append(
            SearchResult(
                thread_id=thread.id,
                post_id=post.id,
                title=thread.title,
                kind=thread.kind_enum,
                # An opening post hidden since it was indexed must not show through its snippet.
                snippet_html=hit.snippet_html if post.is_visible else "",
                board=board,
                author_name=hit.author_name,
                created_at=hit.created_at,
                is_thread=is_thread,
                url=boards.thread_path(thread) if is_thread else boards.post_path(post),
            )
        )
    return rows
