"""Revision 0027 gives every existing account a unique handle and downgrades cleanly."""

from __future__ import annotations

from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from forum.extensions import db
from tests.test_migrations import migration_app  # noqa: F401  (the fixture)


def test_existing_accounts_get_handles_from_their_addresses(
    migration_app: Flask,  # noqa: F811
) -> None:
    upgrade(revision="0026")
    with db.engine.begin() as connection:
        for n, email in enumerate(
            ["Sam@one.example", "sam@two.example", "o'brien+x@example.org", "sam-2@example.org"],
            start=1,
        ):
            connection.execute(
                text(
                    "INSERT INTO users (id, email, display_name, role, is_active, session_token, "
                    "created_at, email_preference) VALUES (:id, :email, 'X', 'member', true, "
                    "'x', '2026-03-01 09:00:00', 'immediately')"
                ),
                {"id": n, "email": email},
            )
    upgrade()
    with db.engine.connect() as connection:
        handles = connection.execute(text("SELECT handle FROM users ORDER BY id")).scalars().all()
    # The fourth address asks for "sam-2", which the second already took.
    assert handles == ["sam", "sam-2", "o-brien-x", "sam-2-2"]
    assert {"skills", "person_skills"} <= set(inspect(db.engine).get_table_names())
    downgrade(revision="0026")
    columns = {c["name"] for c in inspect(db.engine).get_columns("users")}
    assert "handle" not in columns
    assert "skills" not in set(inspect(db.engine).get_table_names())
