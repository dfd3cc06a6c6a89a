"""`flask --app wsgi backup PATH` and `flask --app wsgi restore PATH`: a consistent copy of the
database taken while the app serves, and bringing it back.

- SQLite: the online backup API (`sqlite3.Connection.backup`) copies every page in one read
  transaction, so the copy is one moment's state even while gunicorn workers write (WAL lets
  them go on meanwhile). The copy is written beside PATH, must pass `PRAGMA integrity_check`,
  and only then replaces PATH: PATH is always either the old file or a whole new database.
- PostgreSQL: `pg_dump --format=custom` (one repeatable-read snapshot), read back with
  `pg_restore --list` before it replaces PATH.

Restore refuses to overwrite a database that holds any row unless `--force` is given, and it
checks the backup first (integrity check, or `pg_restore --list`), so a wrong or damaged file
changes nothing. A forced PostgreSQL restore runs `pg_restore --clean` in a single transaction:
it applies completely or not at all.

The search index is not part of a backup: rebuild it after a restore (`flask --app wsgi search
rebuild`).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Engine

from forum.extensions import db

__all__ = [
    "BackupError",
    "backup",
    "backup_command",
    "is_empty",
    "restore",
    "restore_command",
]

# Bookkeeping tables that do not make a database "hold data" (a freshly migrated one has a row
# in alembic_version and nothing else).
_BOOKKEEPING = frozenset({"alembic_version"})


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


# --- what the commands do -------------------------------------------------------------------


def backup(engine: Engine, path: Path) -> str:
    """Write a consistent snapshot of `engine`'s database to `path`; returns a summary."""
    path = path.expanduser().resolve()
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory.")
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return _backup_sqlite(_sqlite_file(url), path)
    if url.get_backend_name() == "postgresql":
        return _backup_postgres(url, path)
    raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")


def restore(engine: Engine, path: Path, *, force: bool = False) -> str:
    """Replace `engine`'s database with the backup at `path`; returns a summary.

    Refuses (BackupError, nothing changed) when the backup is unreadable, or when the database
    holds data and `force` is False."""
    path = path.expanduser().resolve()
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    url = engine.url
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"Restoring {backend} databases is not supported.")
    # Check the file first: a wrong or damaged backup must not cost the current data.
    if backend == "sqlite":
        _check_sqlite_file(path)
    else:
        _check_postgres_archive(path)
    if not force and not is_empty(engine):
        raise BackupError(
            "The database is not empty: restoring would overwrite its data. Take a backup of "
            "it first, then run restore again with --force."
        )
    engine.dispose()  # this process's pooled connections would otherwise hold old state
    if backend == "sqlite":
        return _restore_sqlite(path, _sqlite_file(url))
    return _restore_postgres(path, url)


def is_empty(engine: Engine) -> bool:
    """True when no table (besides Alembic's bookkeeping) holds a row."""
    with engine.connect() as connection:
        names = inspect(connection).get_table_names()
        for name in names:
            if name in _BOOKKEEPING:
                continue
            quoted = connection.dialect.identifier_preparer.quote(name)
            if connection.execute(text(f"SELECT 1 FROM {quoted} LIMIT 1")).first():  # noqa: S608
                return False
    return True


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_file(url: URL) -> Path:
    name = url.database or ""
    if not name or name == ":memory:" or name.startswith("file::memory:"):
        raise BackupError("An in-memory SQLite database has nothing to back up or restore.")
    return Path(name).expanduser().resolve()


@contextmanager
def _sqlite(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    uri = f"{path.as_uri()}?mode=ro" if read_only else path.as_uri()
    with closing(sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)) as connection:
        # Wait for busy writers rather than fail: the app's connections do the same.
        connection.execute("PRAGMA busy_timeout=30000")
        yield connection


def _integrity(connection: sqlite3.Connection) -> str:
    rows = connection.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(row[0]) for row in rows)


def _check_sqlite_file(path: Path) -> None:
    try:
        with _sqlite(path, read_only=True) as connection:
            verdict = _integrity(connection)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database ({error}).") from None
    if verdict != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {verdict[:200]}")


def _backup_sqlite(source: Path, path: Path) -> str:
    if not source.is_file():
        raise BackupError(f"No SQLite database at {source}.")
    if source == path:
        raise BackupError("The backup cannot overwrite the database it copies.")
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    partial = Path(name)
    try:
        with _sqlite(source, read_only=True) as live, _sqlite(partial) as copy:
            # pages=-1: every page in one step, inside one read transaction, so the copy is a
            # single moment's state; writers in WAL mode carry on meanwhile.
            live.backup(copy, pages=-1)
            # A self-contained file: no -wal companion to forget when it is moved.
            copy.execute("PRAGMA journal_mode=DELETE")
            verdict = _integrity(copy)
            tables = copy.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            ).fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"The copy failed SQLite's integrity check: {verdict[:200]}")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return f"Backed up {source} to {path} ({tables} tables, {path.stat().st_size} bytes)."


def _restore_sqlite(path: Path, target: Path) -> str:
    if path == target:
        raise BackupError("That is the database itself, not a backup of it.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with _sqlite(path, read_only=True) as backup_file, _sqlite(target) as live:
        # The backup API writes the whole database in one transaction under the write lock:
        # serving processes wait on their busy timeout, then see the restored data.
        backup_file.backup(live, pages=-1)
        live.execute("PRAGMA journal_mode=WAL")
        verdict = _integrity(live)
    if verdict != "ok":
        raise BackupError(f"The restored database fails the integrity check: {verdict[:200]}")
    return f"Restored {target} from {path}."


# --- PostgreSQL -----------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client (apt-get install "
            "postgresql-client), of the server's major version or newer."
        )
    return found


def _libpq_env(url: URL) -> dict[str, str]:
    """The connection as libpq environment variables, so no password shows in `ps`."""
    env = dict(os.environ)
    values = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password if isinstance(url.password, str) else None,
        "PGDATABASE": url.database,
    }
    for query_name, variable in (("options", "PGOPTIONS"), ("sslmode", "PGSSLMODE")):
        value = url.query.get(query_name)
        values[variable] = value if isinstance(value, str) else None
    env.update({name: value for name, value in values.items() if value})
    return env


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603  (a fixed tool with our own arguments)
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed ({result.returncode}): {result.stderr.strip()[:2000]}")
    return result


def _check_postgres_archive(path: Path) -> None:
    result = subprocess.run(  # noqa: S603
        [_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(
            f"{path} is not a pg_dump archive in custom format ({result.stderr.strip()[:300]})."
        )


def _backup_postgres(url: URL, path: Path) -> str:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    partial = Path(name)
    try:
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={partial}",
            ],
            _libpq_env(url),
        )
        _check_postgres_archive(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return f"Backed up {url.database} to {path} ({path.stat().st_size} bytes, pg_dump custom)."


def _restore_postgres(path: Path, url: URL) -> str:
    command = [
        _tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        # Drop what the archive is about to create (tables a `db upgrade` made empty, or the
        # data --force replaces), all in one transaction: it applies wholly or not at all.
        "--clean",
        "--if-exists",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={url.database}",
        str(path),
    ]
    _run(command, _libpq_env(url))
    return f"Restored {url.database} from {path}."


# --- the commands ---------------------------------------------------------------------------


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent snapshot of the database to PATH while the app keeps serving
    (SQLite: a database file; PostgreSQL: a pg_dump custom-format archive)."""
    try:
        click.echo(backup(db.engine, path))
    except BackupError as error:
        raise click.ClickException(str(error)) from None


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database that already holds data.")
@with_appcontext
def restore_command(path: Path, force: bool) -> None:
    """Bring back the database from a backup made by `backup`. Refuses to overwrite a
    database that holds data unless --force is given. Rebuild the search index afterwards."""
    try:
        click.echo(restore(db.engine, path, force=force))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo("Now rebuild the search index: flask --app wsgi search rebuild")
