"""Plain factory functions with sequence-numbered unique fields, and the read-back helpers.

Factories commit, as a request would: a request or CLI command runs in its own session (see
tests/conftest.py) and sees only committed rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy import inspect as inspect_model
from sqlalchemy.orm import Session

from forum.accounts import services as account_services
from forum.accounts.models import Department, Role, User
from forum.extensions import db

T = TypeVar("T")
PASSWORD = "correct horse battery"
# Set in a session's `info` from a flush until the transaction ends.
_FLUSHED = "tests_flushed_uncommitted"
_sequence = itertools.count(1)


def next_id() -> int:
    return next(_sequence)


def make_department(**overrides: Any) -> Department:
    n = next_id()
    department = Department(
        slug=overrides.pop("slug", f"dept-{n}"),
        name=overrides.pop("name", f"Department {n}"),
        **overrides,
    )
    db.session.add(department)
    db.session.commit()
    return department


def make_user(role: Role = Role.MEMBER, **overrides: Any) -> User:
    n = next_id()
    user = account_services.create_user(
        overrides.pop("email", f"person{n}@example.org"),
        display_name=overrides.pop("display_name", f"Person {n}"),
        role=role,
        department=overrides.pop("department", None),
        password=overrides.pop("password", PASSWORD),
    )
    for key, value in overrides.items():
        setattr(user, key, value)
    db.session.commit()
    return user


def watch_uncommitted_flushes() -> None:
    """Note in each session when it has flushed rows it has not committed yet (see_committed)."""
    if event.contains(Session, "after_flush", _note_flush):
        return
    event.listen(Session, "after_flush", _note_flush)
    event.listen(Session, "after_commit", _forget_flush)
    event.listen(Session, "after_rollback", _forget_flush)


def _note_flush(session: Session, _context: Any) -> None:
    session.info[_FLUSHED] = True


def _forget_flush(session: Session) -> None:
    session.info.pop(_FLUSHED, None)


def see_committed() -> None:
    """End the test's transaction: what the test reads next is what is committed now.

    The test client and CLI runner call this before each request or command. Call it yourself
    after anything else wrote to the database (a live server, a worker thread or process)
    before reading back through `db.session`. It refuses when the test itself changed rows
    without committing them: nothing outside the test's session would ever see those.
    """
    if not has_app_context():
        return
    session = db.session()
    changed = [instance for instance in session.dirty if session.is_modified(instance)]
    if session.new or changed or session.deleted or session.info.get(_FLUSHED):
        raise AssertionError(
            "The test changed rows without committing them; commit first (the factories do): "
            "requests, CLI commands and workers have sessions of their own."
        )
    # Nothing of the test's is lost: this ends a read transaction and expires what was loaded.
    session.rollback()


def reload(instance: T) -> T:
    """The committed state of `instance`'s row, read afresh (it must still exist)."""
    see_committed()
    identity = inspect_model(instance).identity
    found = db.session.get(type(instance), identity)
    assert found is not None, f"{type(instance).__name__} {identity} is no longer in the database"
    return found


@contextmanager
def sql_statements(*, transaction_control: bool = True) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block; without BEGIN, SAVEPOINT
    and RELEASE when `transaction_control` is False (they vary with the driver)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        control = statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE"))
        if transaction_control or not control:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
