"""The PostgreSQL full-text search backend (SEARCH_BACKEND=postgres): documents are rows of
`search_documents` in the app's own database, with a weighted tsvector and a GIN index, written
in each writer's transaction (forum.search.in_transaction). Every app host searches the same
rows, so it suits deployments with several hosts, where a local Whoosh index cannot be shared.

A search is two SQL queries: the translated query (forum.search.postgres_query) on the boards the
reader may see, grouped by thread and ranked by each thread's best ts_rank (or newest first when
no word was asked, or when newest is asked for), which gives every matching thread (the total is
their number); then, for the threads of one page only, their best few documents. Documents
follow every change in the writer's transaction, so board ids and hidden or deleted posts are
current in the rows themselves and the total counts exactly what the reader may see. Snippets
come from ts_headline with control characters around matches, which forum.search.snippets turns
into escaped text and <mark>.

Result sets are cached per process like Whoosh's (forum.search.cache), keyed on the value of the
`search_generation` sequence, which every write of documents bumps twice: in its transaction and
just after its commit. Ranking a word found in half of 100k documents takes PostgreSQL about half
a second; a repeated search at the same generation costs one sequence read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import ColumnElement, delete, event, exists, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from forum.boards.models import Thread
from forum.extensions import db
from forum.search.backend import (
    Confirm,
    IndexBatch,
    IndexState,
    SearchDocument,
    SearchHit,
    SearchQuery,
    ThreadMatches,
    chunked,
)
from forum.search.models import GENERATION_SEQUENCE, VECTOR_COLUMN, SearchDocumentRow
from forum.search.postgres_query import CONFIG, VECTOR, compile_search
from forum.search.snippets import START, STOP, marked_snippet

logger = logging.getLogger(__name__)

# Advisory lock keys (two int4 each): one per thread whose documents are being rewritten, and
# one for a rebuild. "SRCH" and "SRCI" in ASCII.
THREAD_LOCKS = 0x53524348
REBUILD_LOCK = (0x53524349, 1)
INSERT_CHUNK = 500
_HEADLINE_OPTIONS = f'HighlightAll=true, StartSel="{START}", StopSel="{STOP}"'
_BUMP_AFTER_COMMIT = "forum.search.bump_generation"
_BUMP = text(f"SELECT nextval('{GENERATION_SEQUENCE}')")


def _bump_after_commit(session: Session) -> None:
    """The second bump of a write: after its commit, on a connection of its own (the session's
    transaction is over). Readers who read the generation before the commit cached results
    under the first bump's value, which nobody reads any more."""
    if session.info.pop(_BUMP_AFTER_COMMIT, False):
        try:
            with session.get_bind().engine.connect() as connection:
                connection.execute(_BUMP)
                connection.commit()
        except Exception:
            # The write is committed: it must not fail now. Entries cached under the first
            # bump's value may then be reused until the next write.
            logger.exception("search: could not move the generation on after a commit")


_listening = False


def _listen() -> None:
    global _listening
    if not _listening:
        event.listen(Session, "after_commit", _bump_after_commit)
        _listening = True


def _row(doc: SearchDocument) -> dict[str, Any]:
    return {
        "key": doc.key,
        "doc_type": doc.doc_type,
        "thread_id": doc.thread_id,
        "post_id": doc.post_id,
        "board_id": doc.board_id,
        "kind": doc.kind,
        "title": doc.title,
        "text": doc.text,
        "tags": " ".join(tag.lower() for tag in doc.tags),
        "author_id": doc.author_id,
        "author_terms": " ".join(doc.author_terms),
        "author_name": doc.author_name,
        "created_at": doc.created_at,
    }


class PostgresBackend:
    """SearchBackend (and InTransactionBackend) over `search_documents`."""

    def __init__(self) -> None:
        self._has_vector = False
        self._has_sequence = False
        _listen()

    # -- state ---------------------------------------------------------------------------

    def _vector_exists(self) -> bool:
        if not self._has_vector:
            self._has_vector = bool(
                db.session.scalar(
                    text(
                        "SELECT 1 FROM information_schema.columns WHERE table_schema ="
                        " current_schema() AND table_name = 'search_documents'"
                        " AND column_name = :column"
                    ),
                    {"column": VECTOR_COLUMN},
                )
            )
        return self._has_vector

    def state(self) -> IndexState:
        """MISSING before `flask db upgrade` made the table, and while the table is empty but
        threads exist (the backend was just switched on: a rebuild fills it)."""
        if not self._vector_exists():
            logger.error("search: search_documents has no %s; run flask db upgrade", VECTOR_COLUMN)
            return IndexState.MISSING
        empty = db.session.execute(
            select(
                exists(select(Thread.id)),
                exists(select(SearchDocumentRow.key)),
            )
        ).one()
        return IndexState.MISSING if empty[0] and not empty[1] else IndexState.READY

    def _sequence_exists(self, session: Session) -> bool:
        if not self._has_sequence:
            self._has_sequence = bool(
                session.scalar(
                    text(
                        "SELECT 1 FROM pg_sequences WHERE schemaname = current_schema()"
                        " AND sequencename = :name"
                    ),
                    {"name": GENERATION_SEQUENCE},
                )
            )
        return self._has_sequence

    def generation(self) -> str | None:
        """Names the documents' content as every host sees it now: the database and the value
        of its `search_generation` sequence. None (nothing cached) before the first write, or
        before the migration that makes the sequence."""
        value = db.session.scalar(
            text(
                "SELECT last_value FROM pg_sequences WHERE schemaname = current_schema()"
                " AND sequencename = :name"
            ),
            {"name": GENERATION_SEQUENCE},
        )
        if value is None:
            return None
        url = db.engine.url
        return f"postgres://{url.host}:{url.port}/{url.database}:{value}"

    def _bump(self, session: Session) -> None:
        if self._sequence_exists(session):
            session.execute(_BUMP)
            session.info[_BUMP_AFTER_COMMIT] = True

    # -- locks ---------------------------------------------------------------------------

    def write_lock(self, timeout: float) -> AbstractContextManager[bool]:
        # Writers lock the threads they rewrite (lock_threads); there is no index-wide writer.
        return nullcontext(True)

    @contextmanager
    def _rebuild_lock(self) -> Iterator[bool]:
        with db.engine.connect() as connection:
            got = bool(connection.scalar(select(func.pg_try_advisory_lock(*REBUILD_LOCK))))
            connection.commit()
            try:
                yield got
            finally:
                if got:
                    connection.scalar(select(func.pg_advisory_unlock(*REBUILD_LOCK)))
                    connection.commit()

    def rebuild_lock(self) -> AbstractContextManager[bool]:
        return self._rebuild_lock()

    def is_rebuilding(self) -> bool:
        return bool(
            db.session.scalar(
                text(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                    " AND classid = :classid AND objid = :objid AND objsubid = 2 AND granted)"
                ),
                {"classid": REBUILD_LOCK[0], "objid": REBUILD_LOCK[1]},
            )
        )

    def lock_threads(self, session: Session, thread_ids: Iterable[int]) -> None:
        ids = sorted(set(thread_ids))
        if ids:
            # In id order, so two writers of the same threads cannot deadlock.
            session.execute(
                text(
                    "SELECT count(pg_advisory_xact_lock(:space, id))"
                    " FROM unnest(CAST(:ids AS integer[])) AS id"
                ),
                {"space": THREAD_LOCKS, "ids": ids},
            )

    # -- writing -------------------------------------------------------------------------

    def apply_in(self, session: Session, batch: IndexBatch) -> None:
        doc = SearchDocumentRow
        self._bump(session)
        for ids in chunked(sorted(batch.threads), INSERT_CHUNK):
            session.execute(delete(doc).where(doc.thread_id.in_(ids)))
        keys = sorted({upsert.key for upsert in batch.upserts} | set(batch.deletes))
        for start in range(0, len(keys), INSERT_CHUNK):
            session.execute(delete(doc).where(doc.key.in_(keys[start : start + INSERT_CHUNK])))
        # The last document given for a key wins.
        rows = {
            each.key: _row(each)
            for each in [*(d for docs in batch.threads.values() for d in docs), *batch.upserts]
        }
        values = list(rows.values())
        for start in range(0, len(values), INSERT_CHUNK):
            statement = insert(doc).values(values[start : start + INSERT_CHUNK])
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=[doc.key],
                    set_={name: statement.excluded[name] for name in values[0] if name != "key"},
                )
            )

    def apply(self, batch: IndexBatch) -> None:
        """Apply a batch in a transaction of its own (changes queued before the switch from
        Whoosh: the queue drain still runs)."""
        if not batch:
            return
        with Session(db.engine) as session, session.begin():
            thread_ids = set(batch.threads) | {doc.thread_id for doc in batch.upserts}
            self.lock_threads(session, thread_ids)
            self.apply_in(session, batch)

    def remove_orphans(self, session: Session) -> int:
        doc = SearchDocumentRow
        result = session.execute(
            delete(doc).where(~exists(select(Thread.id).where(Thread.id == doc.thread_id)))
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def rebuild(self, documents: Iterator[SearchDocument]) -> int:
        """Replace every document with `documents` in one transaction. (forum.search.indexing
        rebuilds through in_transaction.rebuild instead, which lets writers go on.)"""
        count = 0
        with Session(db.engine) as session, session.begin():
            session.execute(delete(SearchDocumentRow))
            batch: list[SearchDocument] = []
            for doc in documents:
                batch.append(doc)
                if len(batch) == INSERT_CHUNK:
                    self.apply_in(session, IndexBatch(upserts=batch))
                    count, batch = count + len(batch), []
            self.apply_in(session, IndexBatch(upserts=batch))
            count += len(batch)
        return count

    # -- reading -------------------------------------------------------------------------

    def validate(self, query: SearchQuery) -> None:
        compile_search(query)

    def _conditions(
        self, query: SearchQuery, board_ids: Iterable[int]
    ) -> tuple[list[ColumnElement[bool]], str | None] | None:
        allowed = sorted(set(board_ids))
        compiled = compile_search(query)
        if compiled is None or not allowed:
            return None
        return [SearchDocumentRow.board_id.in_(allowed), compiled.where], compiled.words

    def threads(
        self,
        query: SearchQuery,
        *,
        board_ids: Iterable[int],
        confirm: Confirm,
        newest: bool = False,
        per_thread: int = 3,
    ) -> ThreadMatches:
        """Threads with hits on `board_ids`, grouped and ordered in SQL. `confirm` is not
        needed: the rows change in the same transactions as the posts and threads they
        describe."""
        found = self._conditions(query, board_ids)
        if found is None:
            return ThreadMatches(thread_ids=[])
        conditions, words = found
        # Read before the search: what it finds is at least this generation's content.
        generation = self.generation()
        doc = SearchDocumentRow
        latest = func.max(doc.created_at)
        if words is not None and not newest:
            best = func.max(func.ts_rank(VECTOR, func.to_tsquery(CONFIG, words)))
            order = [best.desc(), latest.desc(), doc.thread_id.desc()]
        else:
            order = [latest.desc(), doc.thread_id.desc()]
        thread_ids = db.session.scalars(
            select(doc.thread_id).where(*conditions).group_by(doc.thread_id).order_by(*order)
        ).all()
        return ThreadMatches(thread_ids=list(thread_ids), generation=generation)

    def best_posts(
        self,
        query: SearchQuery,
        *,
        thread_ids: Sequence[int],
        board_ids: Iterable[int],
        confirm: Confirm,
        per_thread: int,
        matches: ThreadMatches | None = None,
    ) -> dict[int, list[SearchHit]]:
        """The best `per_thread` hits of each of a page's threads: ranked again, but only
        among those threads' documents."""
        found = self._conditions(query, board_ids)
        if found is None or not thread_ids:
            return {}
        conditions, words = found
        doc = SearchDocumentRow
        order: list[Any] = [doc.created_at.desc(), doc.key]
        if words is not None:
            order.insert(0, func.ts_rank(VECTOR, func.to_tsquery(CONFIG, words)).desc())
        ranked = (
            select(
                doc.key,
                doc.doc_type,
                doc.thread_id,
                doc.post_id,
                doc.board_id,
                doc.title,
                doc.kind,
                doc.author_name,
                doc.created_at,
                func.row_number().over(partition_by=doc.thread_id, order_by=order).label("n"),
            )
            .where(*conditions, doc.thread_id.in_(sorted(set(thread_ids))))
            .subquery()
        )
        rows = db.session.execute(
            select(ranked).where(ranked.c.n <= per_thread).order_by(ranked.c.thread_id, ranked.c.n)
        ).all()
        snippets = self._snippets([row.key for row in rows], words)
        posts: dict[int, list[SearchHit]] = {}
        for row in rows:
            posts.setdefault(row.thread_id, []).append(
                SearchHit(
                    thread_id=row.thread_id,
                    post_id=row.post_id,
                    board_id=row.board_id,
                    doc_type=row.doc_type,
                    title=row.title,
                    kind=row.kind,
                    author_name=row.author_name,
                    created_at=row.created_at,
                    snippet_html=snippets.get(row.key, ""),
                )
            )
        return posts

    @staticmethod
    def _snippets(keys: list[str], words: str | None) -> dict[str, str]:
        """Snippet HTML by document key: the text with its matched words marked."""
        if not keys:
            return {}
        doc = SearchDocumentRow
        # Control characters a text might hold cannot pass for match delimiters.
        plain = func.translate(doc.text, START + STOP, "")
        marked = (
            func.ts_headline(CONFIG, plain, func.to_tsquery(CONFIG, words), _HEADLINE_OPTIONS)
            if words is not None
            else plain
        )
        found = db.session.execute(
            select(doc.key, marked.label("marked")).where(doc.key.in_(keys))
        ).all()
        return {row.key: marked_snippet(row.marked) for row in found}
