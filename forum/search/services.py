"""Searching as a person: validation, visibility, the backend call, and the result rows."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import or_, select

from forum.accounts.models import User
from forum.boards import services as boards
from forum.boards.models import Board, Post, PostKind, Thread
from forum.core.db import utcnow
from forum.core.errors import Invalid
from forum.core.pagination import Page
from forum.extensions import db
from forum.search import cache, indexing, ranking, results
from forum.search.backend import (
    DocRef,
    IndexUnavailable,
    QuerySyntaxError,
    SearchHit,
    SearchQuery,
    SearchSort,
    ThreadMatches,
)
from forum.search.indexing import SearchStatus
from forum.search.query import extract_dates
from forum.search.results import SearchPost as SearchPost
from forum.search.results import SearchResult as SearchResult

logger = logging.getLogger(__name__)

PER_PAGE = 20
# Posts shown under each thread's result, best match first.
POSTS_PER_THREAD = 3
MAX_QUERY_LENGTH = 500
MAX_PAGE = 500
# With SEARCH_INDEX_INLINE the search page drains the queue before it queries, but never waits
# long for the lock.
DRAIN_WAIT_SECONDS = 2.0
# Without it the background indexer drains within a second; a queued change older than this
# means it is down or far behind, and the search page then drains by itself.
INDEXER_LATE_SECONDS = 10.0
# Up to this many threads among the candidates, the database check names them; beyond it, one
# pass over the reader's boards is cheaper than many IN lists.
CONFIRM_BY_ID_MAX = 500
UNREADABLE = (
    "That search cannot be read. Check its quotes and brackets, and put a word after each "
    "AND, OR and NOT."
)


def _unreadable() -> Invalid:
    """What a query the backend refuses becomes, wherever it is refused (page and API alike)."""
    return Invalid("That search cannot be read.", fields={"q": UNREADABLE})


@dataclass(frozen=True)
class SearchOutcome:
    # A page of threads; its total counts threads.
    page: Page[SearchResult]
    status: SearchStatus
    # False when nothing was asked (no words and no filters): the page shows the search help.
    asked: bool
    # Changes committed but not yet in the index (the background indexer is catching up):
    # the newest posts and edits may be missing from these results for a moment.
    pending: int = 0
    sort: SearchSort = SearchSort.RELEVANCE


def parse_sort(value: SearchSort | str | None) -> SearchSort:
    """The order asked for (relevance when none); Invalid (field sort) for anything else."""
    if value is None or value == "":
        return SearchSort.RELEVANCE
    try:
        return SearchSort(str(value).strip().lower())
    except ValueError:
        raise Invalid(
            "Unknown sort order.",
            fields={"sort": "Sort by one of: " + ", ".join(s.value for s in SearchSort) + "."},
        ) from None


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
    sort: SearchSort | str | None = None,
    page: int = 1,
    visible: list[Board] | None = None,
) -> SearchOutcome:
    """Search the threads and posts `user` may see: one result per thread, PER_PAGE threads a
    page, each with up to POSTS_PER_THREAD of its best-matching posts.

    `q` takes words, "phrases", AND/OR/NOT (and -word), kind:, board:<slug>, tag:, author:
    (email local part or name) and date:/after:/before:; the other arguments narrow further.
    A plain word matches a thread's title, its tags and any post's text. `sort` orders the
    threads by relevance (their best post), newest (their newest matching post) or helpful
    (solved threads first, then by helpful marks on visible posts, then relevance).
    Every hit the index offers is checked against the database before it is shown or counted,
    so rows, total and page count agree and cover only what the person may see now, even when
    the index lags behind a move, hide or delete. `visible` is `boards.visible_boards(user)`,
    when the caller has it already. Raises Invalid (fields q, kind, sort, page) for an
    over-long or unreadable query, an unreadable date, an unknown kind or order, or a page out
    of range.
    """
    if not 1 <= page <= MAX_PAGE:
        raise Invalid(fields={"page": f"Choose a page from 1 to {MAX_PAGE}."})
    order = parse_sort(sort)
    if visible is None:
        visible = boards.visible_boards(user)
    query = parse_query(
        q, kind=kind, board=board, tag=tag, author=author, slugs={b.slug: b.id for b in visible}
    )
    empty: Page[SearchResult] = Page(items=[], page=page, per_page=PER_PAGE, total=0)
    if query.is_empty:
        return SearchOutcome(page=empty, status=indexing.status(), asked=False, sort=order)

    pending = _catch_up()
    status = indexing.ensure_index()
    board_ids = [b.id for b in visible]
    # Cached result sets are used and kept only while the queue is empty (see search.cache).
    cacheable = pending == 0 and status is SearchStatus.READY
    try:
        matches = matching_threads(
            query, board_ids, newest=order is SearchSort.NEWEST, cacheable=cacheable
        )
        thread_ids = matches.thread_ids
        if order is SearchSort.HELPFUL:
            thread_ids = ranking.most_helpful_first(thread_ids)
        start = (page - 1) * PER_PAGE
        on_page = thread_ids[start : start + PER_PAGE]
        posts = _best_posts(query, on_page, board_ids, matches, cacheable=cacheable)
    except QuerySyntaxError:
        # Whoosh can still refuse a parsed query while it runs (wq.QueryError).
        raise _unreadable() from None
    except IndexUnavailable as exc:
        logger.warning("search: index unreadable (%s); starting a rebuild", exc)
        status = indexing.ensure_index()
        if status is SearchStatus.READY:
            status = SearchStatus.REBUILDING
        return SearchOutcome(page=empty, status=status, asked=True, pending=pending, sort=order)
    rows = results.rows(on_page, posts, {b.id: b for b in visible})
    return SearchOutcome(
        page=Page(items=rows, page=page, per_page=PER_PAGE, total=len(thread_ids)),
        status=status,
        asked=True,
        pending=pending,
        sort=order,
    )


def matching_threads(
    query: SearchQuery, board_ids: list[int], *, newest: bool, cacheable: bool
) -> ThreadMatches:
    """Every matching thread the reader may see, in order: from the cache when the index has
    not changed since the same readers asked the same thing (any page, any sort but newest
    sharing the relevance order), otherwise from the backend."""
    backend = indexing.get_backend()
    generation = backend.generation() if cacheable else None
    key = (
        cache.threads_key(generation, query, board_ids, newest=newest)
        if generation is not None
        else None
    )
    cached = cache.results.get(key) if key is not None else None
    if isinstance(cached, ThreadMatches):
        return cached
    matches = backend.threads(
        query,
        board_ids=board_ids,
        confirm=lambda refs: _visible_now(refs, board_ids),
        newest=newest,
        per_thread=POSTS_PER_THREAD,
    )
    if cacheable and matches.generation is not None:
        cache.results.put(
            cache.threads_key(matches.generation, query, board_ids, newest=newest), matches
        )
    return matches


def _best_posts(
    query: SearchQuery,
    thread_ids: list[int],
    board_ids: list[int],
    matches: ThreadMatches,
    *,
    cacheable: bool,
) -> dict[int, list[SearchHit]]:
    """The best-matching posts of a page's threads (cached like the threads, under the
    generation those were read from)."""
    if not thread_ids:
        return {}
    generation = matches.generation if cacheable else None
    key = (
        cache.posts_key(generation, query, board_ids, thread_ids, POSTS_PER_THREAD)
        if generation is not None
        else None
    )
    cached = cache.results.get(key) if key is not None else None
    if isinstance(cached, dict):
        return cached
    posts = indexing.get_backend().best_posts(
        query,
        thread_ids=thread_ids,
        board_ids=board_ids,
        confirm=lambda refs: _visible_now(refs, board_ids),
        per_thread=POSTS_PER_THREAD,
        matches=matches,
    )
    if key is not None:
        cache.results.put(key, posts)
    return posts


def _catch_up() -> int:
    """Bring the index up to date as far as this request should, and return how many changes
    are still queued. Inline indexing drains here; otherwise the background indexer does,
    unless the oldest queued change shows it is down, when this request drains instead."""
    try:
        if current_app.config.get("SEARCH_INDEX_INLINE", True):
            if indexing.drain(timeout=DRAIN_WAIT_SECONDS).skipped is None:
                return 0
            return indexing.backlog().count
        waiting = indexing.backlog()
        if waiting.age_seconds(utcnow()) <= INDEXER_LATE_SECONDS:
            return waiting.count
        logger.warning("search: %d changes queued for too long; draining here", waiting.count)
        indexing.drain(timeout=DRAIN_WAIT_SECONDS)
        return indexing.backlog().count
    except Exception:
        logger.exception("search: drain before query failed; searching what is indexed")
        return 0


def parse_query(
    q: str | None,
    *,
    kind: PostKind | str | None = None,
    board: str | None = None,
    tag: str | None = None,
    author: str | None = None,
    slugs: dict[str, int],
) -> SearchQuery:
    """The request as a SearchQuery, checked by the backend's parser: the one place where what
    a person typed is refused. `slugs` maps the slugs the person may see to board ids.

    Raises Invalid (field q) for an over-long query, a date that cannot be read or is out of
    range, or text the parser cannot run (`NOT NOT a`); Invalid (field kind) for an unknown kind.
    """
    q = q or ""
    if len(q) > MAX_QUERY_LENGTH:
        raise Invalid(fields={"q": f"Use at most {MAX_QUERY_LENGTH} characters."})
    parsed_kind = _kind(kind)
    dates = extract_dates(q)
    board_id: int | None = None
    if board:
        board_id = slugs.get(board.strip().lower(), -1)  # unknown or invisible: no hits
    query = SearchQuery(
        text=dates.text,
        kind=parsed_kind.value if parsed_kind else None,
        board_id=board_id,
        tag=boards.normalize_tag(tag) if tag else None,
        author=_author(author),
        start=dates.start,
        end=dates.end,
        board_ids_by_slug=slugs,
    )
    try:
        indexing.get_backend().validate(query)
    except QuerySyntaxError:
        raise _unreadable() from None
    return query


def _visible_now(refs: Sequence[DocRef], board_ids: Collection[int]) -> set[int]:
    """The post ids among `refs` that the database says the reader may see now: the post is
    neither deleted nor hidden, and its thread is not deleted and is on one of `board_ids`. A
    thread whose opening post is gone therefore leaves search; its replies stay, as they do on
    its page."""
    if not refs or not board_ids:
        return set()
    thread_ids = {thread_id for thread_id, _ in refs}
    on_boards = select(Thread.id).where(Thread.board_id.in_(board_ids), Thread.deleted_at.is_(None))
    gone = (
        select(Post.id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(
            Thread.board_id.in_(board_ids),
            or_(Post.deleted_at.is_not(None), Post.hidden_at.is_not(None)),
        )
    )
    if len(thread_ids) <= CONFIRM_BY_ID_MAX:
        on_boards = on_boards.where(Thread.id.in_(thread_ids))
        gone = gone.where(Post.thread_id.in_(thread_ids))
    threads = set(db.session.scalars(on_boards))
    hidden = set(db.session.scalars(gone))
    # Posts never change threads and are removed only with their thread, so a post whose
    # thread is on a visible board exists and belongs to that thread.
    return {
        post_id for thread_id, post_id in refs if thread_id in threads and post_id not in hidden
    }
