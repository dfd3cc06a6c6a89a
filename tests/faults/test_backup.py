"""`flask --app wsgi backup PATH` while threads keep writing, and `restore` bringing it back.

On SQLite the backup is a database file that passes `PRAGMA integrity_check`; on PostgreSQL
(DATABASE_URL) a pg_dump archive. Either way it holds one moment's state: everything committed
before the command started, every thread with its opening post, nothing half-written. Restore
refuses a database that holds data unless --force, and refuses a damaged file outright.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from forum.accounts.models import User
from forum.boards import services as boards
from forum.boards.models import Board, PostKind, Thread
from forum.core.db import Base, immediate_transactions
from forum.extensions import db
from tests.boards.factories import make_board
from tests.conftest import ON_POSTGRES
from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.slow


def flask(url: str, instance: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `flask --app wsgi ARGS` in its own process against the database at `url`."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "FORUM_ENV": "testing",
        "SECRET_KEY": "backup-test",
        "FORUM_INSTANCE_PATH": str(instance),
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


class WriteLoad:
    """Threads starting threads (each one transaction: thread, opening post, counters) until
    stopped; `acknowledged` lists the ids whose commit returned."""

    def __init__(self, app: Flask, board_id: int, author_id: int, writers: int = 4) -> None:
        self.app, self.board_id, self.author_id = app, board_id, author_id
        self.acknowledged: list[int] = []
        self.errors: list[BaseException] = []
        self.stop = threading.Event()
        self.started = threading.Event()
        self.threads = [threading.Thread(target=self._write) for _ in range(writers)]

    def _write(self) -> None:
        try:
            with self.app.app_context():
                n = 0
                while not self.stop.is_set():
                    n += 1
                    with immediate_transactions():
                        board = db.session.get(Board, self.board_id)
                        author = db.session.get(User, self.author_id)
                        assert board is not None and author is not None
                        thread = boards.create_thread(
                            board,
                            author=author,
                            kind=PostKind.QUESTION,
                            title=f"Written during the backup {n}",
                            body="Load.",
                            tags=[],
                        )
                        thread_id = thread.id  # read now: after the commit it would reload
                        db.session.commit()
                    self.acknowledged.append(thread_id)
                    self.started.set()
                db.session.remove()
        except BaseException as error:
            self.errors.append(error)
            self.started.set()

    def __enter__(self) -> WriteLoad:
        for thread in self.threads:
            thread.start()
        assert self.started.wait(120)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(120)
        assert self.errors == []


@pytest.fixture
def empty_database_url(tmp_path: Path, database_url: str) -> Iterator[str]:
    """A second database with the schema and no rows, to restore into."""
    if not ON_POSTGRES:
        url = f"sqlite:///{tmp_path / 'restored.db'}"
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        yield url
        return
    name = f"{make_url(database_url).database}_restore"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def thread_ids(url: str) -> set[int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        ids = set(connection.scalars(select(Thread.id)))
    engine.dispose()
    return ids


def threads_without_their_posts(url: str) -> int:
    """Threads whose opening post or post count is not in the same snapshot: 0 when whole."""
    engine = create_engine(url)
    with engine.connect() as connection:
        broken = connection.scalar(
            text(
                "SELECT count(*) FROM threads t WHERE t.post_count <> "
                "(SELECT count(*) FROM posts p WHERE p.thread_id = t.id)"
            )
        )
    engine.dispose()
    return int(broken or 0)


def test_backup_under_write_load_then_restore(
    app: Flask, tmp_path: Path, database_url: str, empty_database_url: str
) -> None:
    live_url = app.config["SQLALCHEMY_DATABASE_URI"]
    board, author = make_board(), make_user()
    before = thread_ids(live_url)
    backup = tmp_path / ("forum-backup.db" if not ON_POSTGRES else "forum-backup.dump")

    with WriteLoad(app, board.id, author.id) as load:
        committed_before = set(load.acknowledged) | before
        result = flask(live_url, tmp_path, "backup", str(backup))
        committed_after = set(load.acknowledged)
        assert len(load.acknowledged) > len(committed_before - before)  # still writing
    assert result.returncode == 0, result.stderr
    assert "Backed up" in result.stdout
    assert not list(tmp_path.glob("*.partial"))

    if not ON_POSTGRES:
        with sqlite3.connect(backup) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)

    # Into an empty database (schema, no rows): no --force needed.
    result = flask(empty_database_url, tmp_path, "restore", str(backup))
    assert result.returncode == 0, result.stderr
    assert "search rebuild" in result.stdout
    restored = thread_ids(empty_database_url)
    assert committed_before <= restored  # everything committed before the backup began
    assert restored <= committed_after | thread_ids(live_url)  # nothing invented
    assert threads_without_their_posts(empty_database_url) == 0  # one moment, whole


def test_restore_refuses_a_database_with_data_unless_forced(
    app: Flask, tmp_path: Path, empty_database_url: str
) -> None:
    live_url = app.config["SQLALCHEMY_DATABASE_URI"]
    kept = {make_board().id}
    backup = tmp_path / "backup"
    assert flask(live_url, tmp_path, "backup", str(backup)).returncode == 0
    make_board()  # written after the backup

    live_before = thread_ids(live_url), len(db.session.scalars(select(Board)).all())
    refused = flask(live_url, tmp_path, "restore", str(backup))
    assert refused.returncode == 1
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    db.session.rollback()
    assert (thread_ids(live_url), len(db.session.scalars(select(Board)).all())) == live_before

    # Forced onto a database holding other data: the backup's data replaces it.
    assert flask(empty_database_url, tmp_path, "restore", str(backup)).returncode == 0
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM boards"))
    engine.dispose()
    assert flask(empty_database_url, tmp_path, "restore", str(backup), "--force").returncode == 0
    engine = create_engine(empty_database_url)
    with engine.connect() as connection:
        assert set(connection.scalars(select(Board.id))) == kept
    engine.dispose()


def test_a_damaged_backup_is_refused_and_changes_nothing(
    app: Flask, tmp_path: Path, empty_database_url: str
) -> None:
    make_board()
    backup = tmp_path / "backup"
    live_url = app.config["SQLALCHEMY_DATABASE_URI"]
    assert flask(live_url, tmp_path, "backup", str(backup)).returncode == 0
    assert flask(empty_database_url, tmp_path, "restore", str(backup)).returncode == 0
    restored = thread_ids(empty_database_url), _boards(empty_database_url)

    damaged = tmp_path / "damaged"
    data = bytearray(backup.read_bytes())
    data[: len(data) // 2] = b"\x00" * (len(data) // 2)
    damaged.write_bytes(bytes(data))
    for path in (damaged, tmp_path / "missing"):
        result = flask(empty_database_url, tmp_path, "restore", "--force", str(path))
        assert result.returncode == 1, result.stdout
        assert "Error:" in result.stderr
    assert (thread_ids(empty_database_url), _boards(empty_database_url)) == restored


def _boards(url: str) -> set[int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        ids = set(connection.scalars(select(Board.id)))
    engine.dispose()
    return ids
