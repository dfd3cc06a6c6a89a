"""Declarative base with a constraint naming convention, UTC timestamps, and SQLite tuning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

from flask import has_request_context, request
from sqlalchemy import DateTime, Insert, MetaData, Table, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
from sqlalchemy.types import TypeDecorator

from forum.core import sqlite_writers

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def insert_new_rows(model: type[Base], dialect: str) -> Insert:
    """A Core INSERT into `model`'s table that skips any row clashing with a unique key
    (ON CONFLICT DO NOTHING, on SQLite and PostgreSQL: `dialect` is the engine's name).

    `session.execute(insert_new_rows(M, name), rows)` writes rows (dicts with the same keys) in
    one executemany, whereas the ORM's bulk insert splits them into one statement per pattern
    of None values. Nothing joins the session.
    """
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(cast(Table, model.__table__)).on_conflict_do_nothing()


def read_connection(session: Session | scoped_session[Any]) -> Connection:
    """The session's connection, flushed first as the ORM's autoflush would, for the few Core
    reads every page runs (counts, the reader's marks): through the ORM such a read costs
    about three times as much Python as through Core, and far more than SQLite's own work."""
    session.flush()
    return session.connection()


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC: the only clock services default to."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores aware datetimes as UTC and always returns them aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# True: take the write lock at BEGIN; False: never (a block that only reads, even inside a
# writing request); None: decide by the request's method.
_immediate: ContextVar[bool | None] = ContextVar("forum_sqlite_immediate", default=None)


@contextmanager
def immediate_transactions() -> Iterator[None]:
    """Within this block, SQLite transactions take the write lock when they begin.

    Writing HTTP requests get this automatically. CLI commands and workers that read and then
    write (claiming outbox rows, say) wrap their unit of work in it, so they queue on the busy
    timeout instead of failing when another process wrote in between. Elsewhere transactions
    stay deferred, so a process that only reads never holds the write lock.
    """
    token = _immediate.set(True)
    try:
        yield
    finally:
        _immediate.reset(token)


@contextmanager
def read_only_transactions() -> Iterator[None]:
    """Within this block, SQLite transactions begin deferred, even in a writing request.

    For long reads inside a POST (checking a 5,000-row import, say): the caller commits what
    the request wrote so far, then reads here without holding the write lock, so other
    requests keep writing meanwhile. A write inside the block upgrades the lock as usual.
    """
    token = _immediate.set(False)
    try:
        yield
    finally:
        _immediate.reset(token)


# How long a writer waits for SQLite's write lock, and for its turn in the writer queue.
BUSY_TIMEOUT_SECONDS = 15


def configure_sqlite(engine: Engine, *, writer_queue: bool = True) -> None:
    """WAL, foreign keys and a busy timeout on every connection; BEGIN IMMEDIATE for writers.

    pysqlite's own transaction handling is switched off so that writing requests (POST, PUT,
    PATCH, DELETE) and blocks under `immediate_transactions()` take the write lock when their
    transaction starts: concurrent gunicorn workers then queue instead of failing with
    "database is locked" when a read transaction tries to upgrade to a write. With
    `writer_queue` (the SQLITE_WRITER_QUEUE setting) they queue in arrival order on a lock file
    beside the database (forum/core/sqlite_writers.py) before BEGIN IMMEDIATE, rather than on
    SQLite's busy timeout, which lets some writers starve.
    """
    if writer_queue:
        sqlite_writers.install(engine, timeout=BUSY_TIMEOUT_SECONDS)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        wanted = _immediate.get()
        writing = (
            wanted
            if wanted is not None
            else has_request_context() and request.method not in _SAFE_METHODS
        )
        if not writing:
            connection.exec_driver_sql("BEGIN")
            return
        dbapi_connection = connection.connection.dbapi_connection
        sqlite_writers.take_turn(dbapi_connection)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            sqlite_writers.end_turn(dbapi_connection)
            raise
