"""A fair queue for SQLite's write lock: writers of every process wait their turn on a lock file.

SQLite's busy handler polls with growing sleeps (up to 100 ms), so a waiting process sleeps
through the moment the holder commits, and the holder, or a luckier process, takes the lock again:
under load some writers starve for hundreds of milliseconds. A process blocked in flock() on a
lock file beside the database wakes as soon as the holder unlocks, so writers that queue there
before BEGIN IMMEDIATE are served in about the order they arrived, and SQLite's busy handler is
left with nothing to wait for.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from typing import Any, Literal
from urllib.parse import parse_qsl

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine

logger = logging.getLogger(__name__)


class WriterQueue:
    """One database file's queue, as this process sees it: a thread lock in front of a flock,
    so the threads of a process queue on each other and the process queues on the others.

    A turn belongs to the DBAPI connection whose transaction took it, not to a thread: the pool
    may roll back a forgotten connection from whichever thread collects it.
    """

    def __init__(self, lock_path: str, timeout: float) -> None:
        self.lock_path = lock_path
        self.timeout = timeout  # seconds a writer waits for its turn before going ahead anyway
        self._reset()

    def _reset(self) -> None:
        self._gate = threading.Lock()
        self._state = threading.Lock()  # guards the three fields below
        self._owner: int | None = None  # the thread whose transaction holds the turn
        self._holder: object | None = None  # that transaction's DBAPI connection
        self._fd: int | None = None  # the locked lock file; None when the flock timed out
        self._warned = False

    def take_turn(self, connection: object) -> None:
        """Wait for `connection`'s turn to write; on return its BEGIN IMMEDIATE may run.

        A thread that already holds the turn, through its outer transaction on another
        connection, goes ahead at once: it would wait for itself forever. Its nested transaction
        meets SQLite's busy timeout, as it did before the queue. Whoever gets no turn within
        `timeout` seconds goes ahead as well, leaving SQLite's busy timeout to decide.
        """
        # Only this thread ever sets the owner to this thread's id, so no lock is needed to ask.
        if self._owner == threading.get_ident():
            return
        deadline = time.monotonic() + self.timeout
        if not self._gate.acquire(timeout=self.timeout):
            self._warn("a thread of this process held it")
            return
        try:
            fd = self._lock_file(deadline)
        except BaseException:
            self._gate.release()
            raise
        with self._state:
            self._owner, self._holder, self._fd = threading.get_ident(), connection, fd

    def end_turn(self, connection: object) -> None:
        """Hand the turn on if `connection` holds it (its transaction has ended); else nothing."""
        with self._state:
            if connection is not self._holder:
                return
            fd = self._fd
            self._owner = self._holder = self._fd = None
        if fd is not None:
            _unlock_and_close(fd)
        self._gate.release()

    def _lock_file(self, deadline: float) -> int | None:
        try:
            fd = os.open(self.lock_path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as error:
            self._warn(f"the lock file cannot be opened: {error.strerror}")
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            pass
        except BaseException:
            os.close(fd)
            raise
        if _BlockingFlock(fd).wait(deadline - time.monotonic()):
            return fd
        self._warn("another process held it")
        return None

    def _warn(self, why: str) -> None:
        if not self._warned:
            self._warned = True
            logger.warning(
                "SQLite writer queue %s: no turn within %.0f s (%s); going ahead on SQLite's "
                "busy timeout (logged once per process)",
                self.lock_path,
                self.timeout,
                why,
            )

    def _forget_after_fork(self) -> None:
        # The child inherits the parent's turn, if one was held, but not the thread that holds
        # it. Its copy of the locked descriptor is closed without unlocking, since the lock
        # belongs to the parent's open file (flock locks are released by LOCK_UN or the last close).
        if self._fd is not None:
            os.close(self._fd)
        self._reset()


class _BlockingFlock:
    """A blocking flock() with a deadline, run in a short-lived thread.

    flock() has no timeout, polling it with LOCK_NB would bring back the oversleeping this
    module exists to remove, and an alarm signal only interrupts the main thread (gunicorn's
    threaded workers and the tests' servers write from others). So a thread makes the blocking
    call while the caller waits on an Event, which wakes it the moment the lock is granted. A
    caller that gives up hands the descriptor to the thread, which unlocks and closes it as
    soon as its flock() returns.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._done = threading.Event()
        self._mutex = threading.Lock()
        self._state: Literal["waiting", "granted", "failed", "abandoned"] = "waiting"
        threading.Thread(target=self._run, name="sqlite-writer-queue", daemon=True).start()

    def _run(self) -> None:
        outcome: Literal["granted", "failed"] = "granted"
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except OSError:
            outcome = "failed"
        with self._mutex:
            if self._state == "abandoned":
                _unlock_and_close(self._fd)
                return
            self._state = outcome
        self._done.set()

    def wait(self, timeout: float) -> bool:
        """True once the lock is granted; False when `timeout` seconds pass or flock() fails."""
        self._done.wait(max(timeout, 0.0))
        with self._mutex:
            if self._state == "granted":
                return True
            if self._state == "failed":
                os.close(self._fd)
            else:
                self._state = "abandoned"
            return False


def _unlock_and_close(fd: int) -> None:
    # Unlock before closing: a forked child's copy of the descriptor would keep the lock alive.
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class QueuedConnection(sqlite3.Connection):
    """A pysqlite connection that hands its turn on once COMMIT or ROLLBACK has really run.

    SQLAlchemy's `commit` and `rollback` events fire before the driver call, and the pool's
    `reset` and `checkin` events only when a connection goes back to the pool (a connection
    kept checked out would hold the turn between its transactions). The driver's own methods
    are the one place every ending passes after the fact: Connection.commit() and rollback(),
    the pool's rollback on return, and close(), by which an invalidated connection is dropped
    (SQLite rolls back). A COMMIT that failed and left the transaction open keeps the turn
    until the rollback that follows.
    """

    writer_queue: WriterQueue | None = None

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            if self._transaction_ended():
                self._end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            if self._transaction_ended():
                self._end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._end_turn()

    def _transaction_ended(self) -> bool:
        try:
            return not self.in_transaction
        except sqlite3.ProgrammingError:  # closed: SQLite rolled back whatever was open
            return True

    def _end_turn(self) -> None:
        if self.writer_queue is not None:
            self.writer_queue.end_turn(self)


_queues: dict[str, WriterQueue] = {}
_queues_lock = threading.Lock()


def _after_fork_in_child() -> None:
    global _queues_lock
    _queues_lock = threading.Lock()
    for queue in _queues.values():
        queue._forget_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)


def database_file(url: URL) -> str | None:
    """The absolute path of a SQLite URL's database file; None for an in-memory database."""
    database = url.database or ""
    if url.query.get("uri") in ("true", "1") or database.startswith("file:"):
        database, _, inline = database.removeprefix("file:").partition("?")
        if {**url.query, **dict(parse_qsl(inline))}.get("mode") == "memory":
            return None
    if database in ("", ":memory:"):
        return None
    return os.path.abspath(database)


def install(engine: Engine, timeout: float) -> None:
    """Give `engine`'s SQLite connections the queue of their database file (none in memory).

    All engines on one file in a process share its queue, so a thread's nested transaction on
    another engine is still recognized as its own.
    """
    path = database_file(engine.url)
    if path is None:
        return
    with _queues_lock:
        queue = _queues.setdefault(path, WriterQueue(f"{path}.writer-lock", timeout))

    @event.listens_for(engine, "do_connect")
    def _use_queued_connections(_dialect: Any, _record: Any, _args: Any, params: Any) -> None:
        params.setdefault("factory", QueuedConnection)

    @event.listens_for(engine, "connect")
    def _join_queue(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, QueuedConnection):
            dbapi_connection.writer_queue = queue


def take_turn(dbapi_connection: Any) -> None:
    """Before BEGIN IMMEDIATE: wait for this connection's turn (no-op without a queue)."""
    queue = getattr(dbapi_connection, "writer_queue", None)
    if isinstance(queue, WriterQueue):
        queue.take_turn(dbapi_connection)


def end_turn(dbapi_connection: Any) -> None:
    """Give up this connection's turn early, when its BEGIN IMMEDIATE failed."""
    queue = getattr(dbapi_connection, "writer_queue", None)
    if isinstance(queue, WriterQueue):
        queue.end_turn(dbapi_connection)


def queue_of(engine: Engine) -> WriterQueue | None:
    """The queue `engine`'s writers wait in, if it has one (for tests and the benchmark)."""
    path = database_file(engine.url)
    return _queues.get(path) if path is not None else None
