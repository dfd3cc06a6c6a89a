"""Search documents kept in each writer's own transaction, for backends that store them in the
app's database (SEARCH_BACKEND=postgres): no queue, no indexer, no lag.

Where the Whoosh backend adds a `search_queue` row, `record` notes the change on the writer's
session instead. Just before that session commits, the noted changes become documents read from
what the transaction itself holds (forum.search.documents.batch_for, the rule the queue drain
follows), written in the same transaction: they commit or roll back with the change. The threads
involved are locked first (transaction-scoped, in id order), so two writers of one thread, or a
writer and a rebuild, apply their documents in turn, each reading what the other committed.
Savepoints need no care: whatever was noted is re-read from the database at the final commit,
so a change rolled back with its savepoint is simply indexed as the database has it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from forum.boards.models import Post
from forum.extensions import db
from forum.search import documents
from forum.search.backend import IndexBatch, InTransactionBackend
from forum.search.models import SearchAction, SearchDocType

logger = logging.getLogger(__name__)

_PENDING_KEY = "forum.search.in_transaction"


@dataclass
class _Pending:
    backend: InTransactionBackend
    rows: list[tuple[str, int, str]] = field(default_factory=list)


def record(
    session: Session,
    backend: InTransactionBackend,
    doc_type: SearchDocType,
    doc_id: int,
    action: SearchAction,
) -> None:
    """Note a change to apply in `session`'s transaction just before it commits."""
    pending: _Pending = session.info.setdefault(_PENDING_KEY, _Pending(backend))
    pending.rows.append((str(doc_type), doc_id, str(action)))


def apply(session: Session, backend: InTransactionBackend, rows: list[tuple[str, int, str]]) -> int:
    """Lock the threads the rows touch, then write their documents as `session` sees them;
    returns the number of documents written."""
    thread_ids = {doc_id for doc_type, doc_id, _ in rows if doc_type == SearchDocType.THREAD}
    post_ids = {doc_id for doc_type, doc_id, _ in rows if doc_type == SearchDocType.POST}
    if post_ids:
        thread_ids |= set(session.scalars(select(Post.thread_id).where(Post.id.in_(post_ids))))
    backend.lock_threads(session, thread_ids)
    batch = documents.batch_for(session, rows)
    backend.apply_in(session, batch)
    return len(batch.upserts) + sum(len(docs) for docs in batch.threads.values())


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outermost commit applies everything
    pending: _Pending | None = session.info.pop(_PENDING_KEY, None)
    if pending is not None and pending.rows:
        apply(session, pending.backend, pending.rows)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        # A rollback: its changes are gone, and so is what was noted about them.
        session.info.pop(_PENDING_KEY, None)


_installed = False


def install() -> None:
    """Hook every session (the request's and any a worker opens) once per process."""
    global _installed
    if _installed:
        return
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_transaction_end", _after_transaction_end)
    _installed = True


def rebuild(backend: InTransactionBackend, on_thread: Callable[[int], None] | None = None) -> int:
    """Rewrite every thread's documents from the database, one short transaction per chunk of
    threads (writers wait only for the chunk they touch), then drop documents of threads that
    are gone. Returns the number of documents written."""
    count = 0
    with Session(db.engine) as reader:
        for chunk in documents.thread_id_chunks(reader):
            with Session(db.engine) as session, session.begin():
                backend.lock_threads(session, chunk)
                batch = IndexBatch(threads=documents.thread_documents(session, chunk))
                backend.apply_in(session, batch)
            count += sum(len(docs) for docs in batch.threads.values())
            if on_thread is not None:
                on_thread(len(chunk))
    with Session(db.engine) as session, session.begin():
        removed = backend.remove_orphans(session)
    if removed:
        logger.info("search: removed %d documents of threads that are gone", removed)
    return count
