"""Search tables: the queue of index changes, and the documents the PostgreSQL backend searches."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DDL, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.db import UTCDateTime, utcnow
from forum.extensions import Model


class SearchDocType(enum.StrEnum):
    """What a queued change is about: a whole thread (its own document and every reply's) or
    one post."""

    THREAD = "thread"
    POST = "post"


class SearchAction(enum.StrEnum):
    # Make the index match the database for this document (add, update, or remove it when it is
    # gone, deleted or hidden).
    INDEX = "index"
    # Remove the document whatever the database says.
    DELETE = "delete"


class SearchQueueItem(Model):
    """One pending index change. Rows are added in the same transaction as the change they
    describe, so they commit or roll back with it, and are deleted only after the index
    commit that applied them succeeded."""

    __tablename__ = "search_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[SearchDocType] = mapped_column(String(20))
    doc_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[SearchAction] = mapped_column(String(20), default=SearchAction.INDEX)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<SearchQueueItem {self.id} {self.action} {self.doc_type}:{self.doc_id}>"


class SearchDocumentRow(Model):
    """One searchable document (a SearchDocument) kept in the database, for
    SEARCH_BACKEND=postgres. Written in the same transaction as the change it follows.

    On PostgreSQL the table also has `search_vector`, a tsvector generated from the title (weight
    A, thread documents only), the tags (B, thread documents only, so a plain word finds a
    tagged thread once) and the text (C), with a GIN index on it. They are
    created by DDL only there (see POSTGRES_ONLY_DDL), so they are not mapped here."""

    __tablename__ = "search_documents"

    # "thread:<id>" or "post:<id>" (forum.search.documents).
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(20))
    thread_id: Mapped[int] = mapped_column(Integer, index=True)
    post_id: Mapped[int] = mapped_column(Integer)
    board_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    # The thread's title on every document (shown); searchable on thread documents only.
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    # Space-separated, lower case: what `tag:` and `author:` match, word for word.
    tags: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(Integer)
    author_terms: Mapped[str] = mapped_column(Text)
    author_name: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)

    def __repr__(self) -> str:
        return f"<SearchDocumentRow {self.key}>"


# The text search configuration of documents and queries. 'english' stems (`jams` finds `jam`)
# and drops stop words, as the Whoosh index's StemmingAnalyzer does; 'simple' would not stem.
TS_CONFIG = "english"
VECTOR_COLUMN = "search_vector"
VECTOR_INDEX = "ix_search_documents_search_vector"
POSTGRES_ONLY_DDL = (
    f"ALTER TABLE search_documents ADD COLUMN {VECTOR_COLUMN} tsvector GENERATED ALWAYS AS ("
    f"setweight(to_tsvector('{TS_CONFIG}', CASE WHEN doc_type = 'thread' THEN title"
    " ELSE '' END), 'A')"
    f" || setweight(to_tsvector('{TS_CONFIG}', CASE WHEN doc_type = 'thread' THEN tags"
    " ELSE '' END), 'B')"
    f" || setweight(to_tsvector('{TS_CONFIG}', text), 'C')) STORED",
    f"CREATE INDEX {VECTOR_INDEX} ON search_documents USING gin ({VECTOR_COLUMN})",
)


# Bumped (nextval) by every write of documents, inside its transaction and again just after it
# commits: a sequence is not transactional and takes no row lock, so writers never wait on it.
# Its value names the documents' content for the per-process result cache (forum.search.cache):
# a reader who read the value before a writer's commit and cached what it found under that value
# is never reused once the after-commit bump moved the value on.
GENERATION_SEQUENCE = "search_generation"


def is_postgres_only(name: str | None) -> bool:
    """Whether a schema object is one of the PostgreSQL-only ones above, which schema
    comparisons (autogenerate, the migrations test) leave alone."""
    return name in {VECTOR_COLUMN, VECTOR_INDEX}


for _statement in POSTGRES_ONLY_DDL:
    # create_all (tests, fresh databases) makes them too; migrations 0016 and 0030 do the same.
    event.listen(
        SearchDocumentRow.__table__,
        "after_create",
        DDL(_statement).execute_if(dialect="postgresql"),
    )
# Migration 0021 makes it in existing databases.
event.listen(
    SearchDocumentRow.__table__,
    "after_create",
    DDL(f"CREATE SEQUENCE IF NOT EXISTS {GENERATION_SEQUENCE}").execute_if(dialect="postgresql"),
)
