"""SQLite writers queue on a lock file beside the database, across processes and threads."""

from __future__ import annotations

import fcntl
import logging
import multiprocessing
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Connection, Engine, make_url, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from forum.core import sqlite_writers
from forum.core.db import immediate_transactions, read_only_transactions
from forum.extensions import db
from tests.conftest import base_config
from tests.core import sqlite_writer_workers as workers

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite only"
)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'forum.db'}"


@pytest.fixture
def lock_file(tmp_path: Path) -> Path:
    return tmp_path / "forum.db.writer-lock"


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    engine = workers.impatient_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE entries (id INTEGER PRIMARY KEY, label TEXT)"))
    yield engine
    engine.dispose()


def is_locked(lock_file: Path) -> bool:
    """Whether some writer holds the lock file (asked through a descriptor of our own, which
    flock treats like another process's)."""
    fd = os.open(lock_file, os.O_RDONLY | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def labels(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT label FROM entries ORDER BY id")))


def insert(executor: Connection | Session, label: str) -> None:
    executor.execute(text("INSERT INTO entries (label) VALUES (:label)"), {"label": label})


def test_a_write_transaction_holds_the_lock_file_until_it_commits(
    engine: Engine, lock_file: Path
) -> None:
    with immediate_transactions(), Session(engine) as session, session.begin():
        insert(session, "a")
        assert is_locked(lock_file)
    assert not is_locked(lock_file)
    assert labels(engine) == ["a"]


def _roll_back(session: Session) -> None:
    session.rollback()


def _close(session: Session) -> None:
    session.close()


def _invalidate(session: Session) -> None:
    session.connection().invalidate()
    session.close()


@pytest.mark.parametrize("end", [_roll_back, _close, _invalidate])
def test_the_lock_file_is_released_when_a_transaction_ends_without_commit(
    engine: Engine, lock_file: Path, end: Callable[[Session], None]
) -> None:
    session = Session(engine)
    with immediate_transactions():
        insert(session, "gone")
        assert is_locked(lock_file)
        end(session)
    assert not is_locked(lock_file)
    assert labels(engine) == []


def test_the_lock_file_is_released_after_an_error_inside_the_transaction(
    engine: Engine, lock_file: Path
) -> None:
    def write_then_fail() -> None:
        with immediate_transactions(), engine.begin() as connection:
            insert(connection, "gone")
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        write_then_fail()
    assert not is_locked(lock_file)
    assert labels(engine) == []


def test_the_lock_file_is_released_when_begin_itself_fails(
    engine: Engine, lock_file: Path, tmp_path: Path
) -> None:
    # A writer outside the queue (the sqlite3 shell, say) holds SQLite's lock.
    outsider = sqlite3.connect(tmp_path / "forum.db", isolation_level=None)
    outsider.execute("BEGIN IMMEDIATE")
    try:
        with (
            pytest.raises(OperationalError, match="database is locked"),
            immediate_transactions(),
            engine.begin() as connection,
        ):
            insert(connection, "refused")
        assert not is_locked(lock_file)
    finally:
        outsider.rollback()
        outsider.close()
    with immediate_transactions(), engine.begin() as connection:
        insert(connection, "later")
    assert labels(engine) == ["later"]


def test_a_nested_write_in_the_same_thread_meets_the_busy_timeout_as_before(
    engine: Engine, lock_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    queue = sqlite_writers.queue_of(engine)
    assert queue is not None
    # Were the thread to wait for its own turn, it would give up after this long and warn.
    queue.timeout = 0.5
    with immediate_transactions(), Session(engine) as outer, outer.begin():
        insert(outer, "outer")
        with (
            pytest.raises(OperationalError, match="database is locked"),
            Session(engine) as inner,
            inner.begin(),
        ):
            insert(inner, "inner")
        assert is_locked(lock_file)
    assert not is_locked(lock_file)
    assert labels(engine) == ["outer"]
    assert not [r for r in caplog.records if r.name == sqlite_writers.__name__]


def test_threads_of_one_process_take_turns(engine: Engine, url: str) -> None:
    # SQLite's busy handler gives up at once here, so every write succeeds only if the threads
    # never reach BEGIN IMMEDIATE while another holds the lock.
    threads, each = 4, 20
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def write(label: str) -> None:
        try:
            barrier.wait(timeout=30)
            for n in range(each):
                with immediate_transactions(), engine.begin() as connection:
                    insert(connection, f"{label}{n}")
                    connection.execute(text("SELECT count(*) FROM entries")).scalar_one()
        except BaseException as error:
            errors.append(error)

    running = [threading.Thread(target=write, args=(f"t{n}-",)) for n in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(timeout=60)
    assert errors == []
    assert len(labels(engine)) == threads * each


def test_processes_take_turns(engine: Engine, url: str) -> None:
    context = multiprocessing.get_context("spawn")
    count, each = 3, 20
    barrier = context.Barrier(count)
    processes = [
        context.Process(target=workers.write_rows, args=(url, f"p{n}-", each, barrier))
        for n in range(count)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [process.exitcode for process in processes] == [0] * count
    assert len(labels(engine)) == count * each


def _waiting_for_lock_file(pid: int, lock_file: Path) -> bool:
    """Whether process `pid` is blocked in flock() on the lock file (Linux's /proc/locks lists
    blocked requests with a "->" before the lock they wait behind)."""
    inode = os.stat(lock_file).st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields and fields[fields.index("->") + 1] == "FLOCK":
            owner, device_inode = fields[fields.index("->") + 4 : fields.index("->") + 6]
            if owner == str(pid) and device_inode.rsplit(":", 1)[-1] == str(inode):
                return True
    return False


def test_a_writer_in_another_process_waits_on_the_lock_file_and_goes_once_the_holder_commits(
    engine: Engine, url: str, lock_file: Path
) -> None:
    context = multiprocessing.get_context("spawn")
    with immediate_transactions(), Session(engine) as session, session.begin():
        insert(session, "first")
        other = context.Process(target=workers.write_rows, args=(url, "second", 1))
        other.start()
        assert other.pid is not None
        deadline = time.monotonic() + 60
        while not _waiting_for_lock_file(other.pid, lock_file):
            assert other.is_alive(), "the other writer did not wait for its turn"
            assert time.monotonic() < deadline, "the other writer never queued"
            time.sleep(0.02)
    other.join(timeout=60)
    assert other.exitcode == 0
    assert labels(engine) == ["first", "second0"]


def test_with_the_queue_off_no_lock_file_is_taken(url: str, lock_file: Path) -> None:
    engine = workers.impatient_engine(url, writer_queue=False)
    try:
        with immediate_transactions(), engine.begin() as connection:
            connection.execute(text("CREATE TABLE entries (id INTEGER PRIMARY KEY, label TEXT)"))
            assert type(connection.connection.dbapi_connection) is sqlite3.Connection
    finally:
        engine.dispose()
    assert not lock_file.exists()


@pytest.fixture
def build(
    tmp_path: Path, url: str, extra_app: Callable[[dict[str, object]], Flask]
) -> Callable[..., Flask]:
    def build_with(**overrides: object) -> Flask:
        return extra_app({**base_config(url, tmp_path), **overrides})

    return build_with


@pytest.mark.parametrize(
    ("method", "read_only", "queued"),
    [
        ("GET", False, False),
        ("HEAD", False, False),
        ("POST", True, False),
        ("POST", False, True),
        ("DELETE", False, True),
    ],
)
def test_only_writing_requests_queue(
    build: Callable[..., Flask], lock_file: Path, method: str, read_only: bool, queued: bool
) -> None:
    app = build()
    with app.test_request_context("/", method=method):
        if read_only:
            with read_only_transactions():
                db.session.execute(select(1))
        else:
            db.session.execute(select(1))
        if queued:
            assert is_locked(lock_file)
        else:
            assert not lock_file.exists()
        db.session.rollback()
    assert not is_locked(lock_file)


def test_the_setting_switches_the_queue_off(build: Callable[..., Flask], lock_file: Path) -> None:
    app = build(SQLITE_WRITER_QUEUE=False)
    with app.test_request_context("/", method="POST"):
        db.session.execute(select(1))
        db.session.rollback()
    assert not lock_file.exists()


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("sqlite:///file:shared?mode=memory&cache=shared&uri=true", None),
        ("sqlite:////srv/forum/forum.db", "/srv/forum/forum.db"),
        ("sqlite:///file:/srv/forum/forum.db?mode=rw&uri=true", "/srv/forum/forum.db"),
    ],
)
def test_only_database_files_have_a_queue(database_url: str, expected: str | None) -> None:
    assert sqlite_writers.database_file(make_url(database_url)) == expected


def test_a_writer_waits_no_longer_than_the_timeout_and_warns_once(
    engine: Engine, lock_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    queue = sqlite_writers.queue_of(engine)
    assert queue is not None
    queue.timeout = 0.1
    # A writer that never lets go (a stuck process, say) holds the lock file, not SQLite's lock.
    stuck = os.open(lock_file, os.O_RDONLY | os.O_CREAT)
    fcntl.flock(stuck, fcntl.LOCK_EX)
    try:
        for label in ("a", "b"):
            with immediate_transactions(), engine.begin() as connection:
                insert(connection, label)
    finally:
        os.close(stuck)
    assert labels(engine) == ["a", "b"]
    warnings = [r for r in caplog.records if r.name == sqlite_writers.__name__]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    # The waits given up on get the lock file now, and let it go at once.
    for waiter in threading.enumerate():
        if waiter.name == "sqlite-writer-queue":
            waiter.join(timeout=30)
    assert not is_locked(lock_file)
