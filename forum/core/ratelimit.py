"""Request-throttle counters kept in the app's own database, shared by every worker and host.

Flask-Limiter's built-in storages are per-process memory or external services (Redis...). The
default install has neither, yet several gunicorn workers must share one count, so the
default storage (`RATELIMIT_STORAGE_URI=forumdb://`) is this one: a fixed-window counter per
key, updated with one atomic upsert. Point `RATELIMIT_STORAGE_URI` at Redis to move the load
off the database.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import unquote

from flask import has_request_context
from limits.storage import Storage
from sqlalchemy import Float, Integer, String, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.pool import NullPool

from forum.extensions import Model, db

SCHEME = "forumdb"


class RateLimitCounter(Model):
    """One throttle window: how many hits `bucket` has had until `expires_at` (epoch seconds)."""

    __tablename__ = "rate_limit_counters"

    bucket: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Float)


_UPSERT = text(
    "INSERT INTO rate_limit_counters (bucket, hits, expires_at) "
    "VALUES (:bucket, :amount, :expires_at) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "hits = CASE WHEN rate_limit_counters.expires_at <= :now "
    "THEN :amount ELSE rate_limit_counters.hits + :amount END, "
    "expires_at = CASE WHEN rate_limit_counters.expires_at <= :now "
    "THEN :expires_at ELSE rate_limit_counters.expires_at END "
    "RETURNING hits"
)


class DatabaseStorage(Storage):
    """A `limits` storage (fixed windows) on the SQL database whose URL, percent-encoded,
    follows the scheme: `forumdb://<quoted SQLAlchemy URL>` (forum.config builds it)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(
        self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        url = unquote((uri or "").removeprefix(f"{SCHEME}://")) or str(
            options.get("database_url") or ""
        )
        if not url:
            raise ValueError("forumdb:// rate-limit storage needs a database URL")
        # No pool: a connection per check, closed at once. It survives gunicorn's fork and
        # leaves nothing open when the limiter is rebuilt; Redis is the option for heavy load.
        self.engine: Engine = create_engine(url, poolclass=NullPool)
        if self.engine.dialect.name == "sqlite":

            @event.listens_for(self.engine, "connect")
            def _pragmas(dbapi_connection: Any, _record: Any) -> None:
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA busy_timeout=15000")
                cursor.close()

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def _in_request_transaction(self) -> bool:
        """On SQLite a writing request already holds the database's only write lock, so a
        second connection would wait on it until the busy timeout: count inside the request's
        own transaction instead. (A request that fails and rolls back then leaves no hit.)"""
        return self.engine.dialect.name == "sqlite" and has_request_context()

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        values = {"bucket": key[:255], "amount": amount, "expires_at": now + expiry, "now": now}
        if self._in_request_transaction():
            return int(db.session.execute(_UPSERT, values).scalar_one())
        with self.engine.begin() as connection:
            hits = connection.execute(_UPSERT, values).scalar_one()
        return int(hits)

    def get(self, key: str) -> int:
        query = text(
            "SELECT hits FROM rate_limit_counters WHERE bucket = :bucket AND expires_at > :now"
        )
        values = {"bucket": key[:255], "now": time.time()}
        if self._in_request_transaction():
            return int(db.session.execute(query, values).scalar() or 0)
        with self.engine.connect() as connection:
            hits = connection.execute(query, values).scalar()
        return int(hits or 0)

    def get_expiry(self, key: str) -> float:
        with self.engine.connect() as connection:
            expires_at = connection.execute(
                text("SELECT expires_at FROM rate_limit_counters WHERE bucket = :bucket"),
                {"bucket": key[:255]},
            ).scalar()
        return float(expires_at or time.time())

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(text("DELETE FROM rate_limit_counters")).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                text("DELETE FROM rate_limit_counters WHERE bucket = :bucket"),
                {"bucket": key[:255]},
            )
