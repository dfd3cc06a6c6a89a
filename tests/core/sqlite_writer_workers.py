"""Code run in separate processes by tests/core/test_sqlite_writers.py (importable for `spawn`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event, text

from forum.core.db import configure_sqlite, immediate_transactions


def impatient_engine(url: str, *, writer_queue: bool = True) -> Engine:
    """The app's SQLite setup, except that SQLite's busy handler gives up at once: a writer
    that reaches BEGIN IMMEDIATE while another holds the lock fails instead of waiting, so
    only the writer queue can have made it wait."""
    engine = create_engine(url)
    configure_sqlite(engine, writer_queue=writer_queue)

    @event.listens_for(engine, "connect")
    def _no_busy_wait(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    return engine


def write_rows(url: str, label: str, count: int, barrier: Any = None) -> None:
    """Insert `count` rows labelled `label`, one write transaction each."""
    engine = impatient_engine(url)
    try:
        if barrier is not None:
            barrier.wait(timeout=60)
        for n in range(count):
            with immediate_transactions(), engine.begin() as connection:
                connection.execute(
                    text("INSERT INTO entries (label) VALUES (:label)"), {"label": f"{label}{n}"}
                )
                # Read back what was written, so the transaction lasts a moment.
                connection.execute(text("SELECT count(*) FROM entries")).scalar_one()
    finally:
        engine.dispose()
