"""Keeping the index in step with the database: the queue, the drain, rebuilds.

Boards signals arrive inside the writer's transaction. Each receiver adds a `search_queue` row to
that same session, so the row commits or rolls back with the change. A drain takes the
cross-process index write lock (waiting up to SEARCH_LOCK_TIMEOUT_SECONDS), reads every queued
row, re-reads the affected threads and posts from the database, applies them in one index
commit, and only then deletes the rows it applied. A drain that cannot get the lock, or whose
index write fails, or whose process dies half-way, leaves the rows for the next drain: nothing
is dropped, and since every drain re-reads the database, applying a row twice is harmless.

Who drains: with SEARCH_INDEX_INLINE (development, tests) the committing request drains right
after its commit. Without it (production) requests only queue, and the background indexer
(`flask --app wsgi search work`, forum.search.indexer) drains within a fraction of a second; the
search page drains by itself only when the queue's oldest row shows that indexer is behind.

With a backend that keeps its documents in the database (SEARCH_BACKEND=postgres, an
InTransactionBackend) the receivers note the change on the session instead of queueing it, and
forum.search.in_transaction writes the documents inside the same transaction: no queue, no
drain; a rebuild rewrites them in place, a chunk of threads at a time.

The index stores each document's board id, and searches filter by the boards the reader may see
at query time, so a board's visibility change needs no reindex; moving a thread re-indexes that
thread's documents only.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from forum.boards import signals
from forum.boards.models import Post, Thread
from forum.core.db import immediate_transactions, utcnow
from forum.core.errors import Conflict
from forum.extensions import db
from forum.search import documents, in_transaction
from forum.search.backend import (
    IndexState,
    IndexUnavailable,
    InTransactionBackend,
    SearchBackend,
)
from forum.search.models import SearchAction, SearchDocType, SearchQueueItem

logger = logging.getLogger(__name__)

EXTENSION_KEY = "forum.search.backend"
# Set on a session when it queued index changes; the next real commit drains.
_PENDING_KEY = "forum.search.pending"
DRAIN_BATCH = 500
# Seconds a rebuild waits for a drain in progress to finish.
REBUILD_LOCK_WAIT = 120.0


class SearchStatus(enum.StrEnum):
    READY = "ready"
    # Another process (or a background thread) is rebuilding; searches use the old index if any.
    REBUILDING = "rebuilding"
    UNAVAILABLE = "unavailable"


def get_backend() -> SearchBackend:
    backend: SearchBackend = current_app.extensions[EXTENSION_KEY]
    return backend


# -- recording changes ---------------------------------------------------------------------


def enqueue(
    doc_type: SearchDocType,
    doc_id: int,
    action: SearchAction = SearchAction.INDEX,
    *,
    session: Any = None,
) -> None:
    """Queue an index change in the caller's transaction; it is applied after commit (or, with
    a backend that keeps documents in the database, inside the transaction just before it).

    Never raises for ordinary input. Repeats are not merged here (a savepoint may roll back
    the first one): the drain applies each document once, as the database has it.
    """
    session = session if session is not None else db.session
    backend = current_app.extensions.get(EXTENSION_KEY) if has_app_context() else None
    if isinstance(backend, InTransactionBackend):
        in_transaction.record(session, backend, doc_type, doc_id, action)
        return
    session.info[_PENDING_KEY] = True
    session.add(
        SearchQueueItem(doc_type=doc_type, doc_id=doc_id, action=action, created_at=utcnow())
    )


def _session_of(instance: object) -> Any:
    from sqlalchemy.orm import object_session

    return object_session(instance) or db.session


def _on_thread_created(thread: Thread, **_extra: Any) -> None:
    enqueue(SearchDocType.THREAD, thread.id, session=_session_of(thread))


def _on_thread_changed(thread: Thread, **extra: Any) -> None:
    changes = extra.get("changes")
    if changes is not None and not set(changes) & {"title", "kind", "tags", "deleted_at", "posts"}:
        return  # pinning and locking change nothing searchable
    enqueue(SearchDocType.THREAD, thread.id, session=_session_of(thread))


def _on_post_created(post: Post, **extra: Any) -> None:
    if not extra.get("is_first"):
        enqueue(SearchDocType.POST, post.id, session=_session_of(post))


def _on_post_changed(post: Post, **_extra: Any) -> None:
    enqueue(SearchDocType.POST, post.id, session=_session_of(post))


def _on_post_removed(post: Post, **_extra: Any) -> None:
    enqueue(SearchDocType.POST, post.id, SearchAction.DELETE, session=_session_of(post))


_RECEIVERS: list[tuple[Any, Callable[..., None]]] = [
    (signals.thread_created, _on_thread_created),
    (signals.thread_updated, _on_thread_changed),
    (signals.thread_moved, _on_thread_changed),
    (signals.post_created, _on_post_created),
    (signals.post_edited, _on_post_changed),
    (signals.post_restored, _on_post_changed),
    (signals.post_deleted, _on_post_removed),
    (signals.post_hidden, _on_post_removed),
]
_installed = False


def install(app: Flask, backend: SearchBackend) -> None:
    """Attach the backend to the app; connect receivers and session hooks once per process."""
    global _installed
    app.extensions[EXTENSION_KEY] = backend
    if _installed:
        return
    for signal, receiver in _RECEIVERS:
        signal.connect(receiver, weak=False)
    event.listen(db.session, "after_commit", _after_commit)
    in_transaction.install()
    _installed = True


def _after_commit(session: Session) -> None:
    # Releasing a savepoint also "commits"; only the outermost commit makes rows visible.
    if session.in_nested_transaction():
        return
    if not session.info.pop(_PENDING_KEY, None) or not has_app_context():
        return
    if EXTENSION_KEY not in current_app.extensions:
        return
    if not current_app.config.get("SEARCH_INDEX_INLINE", True):
        return  # the background indexer applies it
    try:
        drain()
    except Exception:
        # The change is committed and its queue rows are too: the next drain applies them.
        logger.exception("search: drain after commit failed; the changes stay queued")


# -- draining ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrainResult:
    applied: int = 0
    # Why rows were left queued: "rebuilding", "locked" or "unavailable".
    skipped: str | None = None


def _lock_timeout() -> float:
    return float(current_app.config["SEARCH_LOCK_TIMEOUT_SECONDS"])


def pending_count() -> int:
    """How many changes wait in the queue."""
    with Session(db.engine) as session:
        return int(session.scalar(select(func.count(SearchQueueItem.id))) or 0)


@dataclass(frozen=True)
class Backlog:
    """What waits in the queue: how many changes, and when the oldest was queued."""

    count: int = 0
    oldest: dt.datetime | None = None

    def age_seconds(self, now: dt.datetime) -> float:
        return (now - self.oldest).total_seconds() if self.oldest is not None else 0.0


# Built once: every search asks it.
_BACKLOG = select(func.count(SearchQueueItem.id), func.min(SearchQueueItem.created_at))


def backlog() -> Backlog:
    """Read on a connection of its own: the caller's session may hold a snapshot from before a
    drain. (Core, not a Session: every search asks.)"""
    with db.engine.connect() as connection:
        count, oldest = connection.execute(_BACKLOG).one()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=dt.UTC)
    return Backlog(count=int(count or 0), oldest=oldest)


def _has_pending() -> bool:
    with Session(db.engine) as session:
        return session.scalar(select(SearchQueueItem.id).limit(1)) is not None


def drain(
    *, timeout: float | None = None, should_stop: Callable[[], bool] | None = None
) -> DrainResult:
    """Apply every queued change to the index, under the write lock; rows are deleted only after
    the index commit that applied them. Leaves rows queued (and says why) when a rebuild is
    running, the lock stays taken past `timeout`, or the index cannot be written; stops between
    batches once `should_stop()` says so."""
    if not _has_pending():
        return DrainResult()
    backend = get_backend()
    if backend.is_rebuilding():
        return DrainResult(skipped="rebuilding")
    if backend.state() is not IndexState.READY:
        # A rebuild reads everything from the database and then drains the queue itself.
        status = ensure_index()
        return DrainResult(skipped=None if status is SearchStatus.READY else str(status))
    applied = 0
    with backend.write_lock(_lock_timeout() if timeout is None else timeout) as got:
        if not got:
            logger.info("search: index busy; queued changes left for the next drain")
            return DrainResult(skipped="locked")
        while True:
            with Session(db.engine) as session:
                rows = session.execute(
                    select(
                        SearchQueueItem.id,
                        SearchQueueItem.doc_type,
                        SearchQueueItem.doc_id,
                        SearchQueueItem.action,
                    )
                    .order_by(SearchQueueItem.id)
                    .limit(DRAIN_BATCH)
                ).all()
                if not rows:
                    break
                batch = documents.batch_for(
                    session, [(r.doc_type, r.doc_id, r.action) for r in rows]
                )
            try:
                backend.apply(batch)
            except IndexUnavailable:
                logger.warning("search: index write failed; %d changes stay queued", len(rows))
                return DrainResult(applied=applied, skipped="unavailable")
            _delete_rows([row.id for row in rows])
            applied += len(rows)
            if should_stop is not None and should_stop():
                break
    if applied:
        logger.info("search: applied %d queued changes", applied)
    return DrainResult(applied=applied)


def _delete_rows(ids: list[int]) -> None:
    with immediate_transactions(), Session(db.engine) as session, session.begin():
        session.execute(delete(SearchQueueItem).where(SearchQueueItem.id.in_(ids)))


# -- rebuilding ----------------------------------------------------------------------------


def rebuild(*, on_thread: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the database into a new directory and swap it in, then
    apply what was queued meanwhile. Returns the number of documents.

    Raises Conflict when another rebuild is running or a drain holds the lock too long.
    """
    backend = get_backend()
    with backend.rebuild_lock() as rebuilding:
        if not rebuilding:
            raise Conflict("The search index is already being rebuilt.")
        if isinstance(backend, InTransactionBackend):
            # Rewritten in place, thread by thread: writers keep writing meanwhile.
            count = in_transaction.rebuild(backend, on_thread)
            logger.info("search: documents rebuilt: %d", count)
            return count
        # Drains skip while the rebuild lock is held; wait for one already under way.
        with backend.write_lock(REBUILD_LOCK_WAIT) as writing:
            if not writing:
                raise Conflict("The search index is busy; try the rebuild again.")
            with Session(db.engine) as session:
                count = backend.rebuild(documents.all_documents(session, on_thread))
    logger.info("search: index rebuilt with %d documents", count)
    drain()
    return count


_background_guard = threading.Lock()
_background: threading.Thread | None = None


def _rebuild_in_background(app: Flask) -> None:
    with app.app_context():
        try:
            rebuild()
        except Conflict:
            pass
        except Exception:
            logger.exception("search: background rebuild failed")
        finally:
            db.session.remove()


def start_background_rebuild() -> None:
    """Rebuild in a thread of this process (if one is not already running)."""
    global _background
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with _background_guard:
        if _background is not None and _background.is_alive():
            return
        _background = threading.Thread(
            target=_rebuild_in_background, args=(app,), name="search-rebuild", daemon=True
        )
        _background.start()


def wait_for_background_rebuild(timeout: float | None = None) -> None:
    thread = _background
    if thread is not None:
        thread.join(timeout)


def ensure_index() -> SearchStatus:
    """Make sure the index can answer: a missing or corrupt one is rebuilt, inside this call
    when the database is small (SEARCH_INLINE_REBUILD_MAX_POSTS), otherwise in a background
    thread while search reports REBUILDING."""
    backend = get_backend()
    if backend.is_rebuilding():
        return SearchStatus.REBUILDING
    state = backend.state()
    if state is IndexState.READY:
        return SearchStatus.READY
    logger.warning("search: index is %s; rebuilding", state)
    with Session(db.engine) as session:
        posts = documents.count_posts(session)
    if posts > int(current_app.config["SEARCH_INLINE_REBUILD_MAX_POSTS"]):
        start_background_rebuild()
        return SearchStatus.REBUILDING
    try:
        rebuild()
    except Conflict:
        return SearchStatus.REBUILDING
    return SearchStatus.READY


def status() -> SearchStatus:
    """READY, REBUILDING (someone is rebuilding) or UNAVAILABLE, without changing anything."""
    backend = get_backend()
    if backend.is_rebuilding():
        return SearchStatus.REBUILDING
    return SearchStatus.READY if backend.state() is IndexState.READY else SearchStatus.UNAVAILABLE
