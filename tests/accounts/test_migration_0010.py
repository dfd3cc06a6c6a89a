"""Revision 0010 keeps existing reset links usable and downgrades without losing accounts."""

from __future__ import annotations

from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from forum.extensions import db
from tests.test_migrations import migration_app  # noqa: F401  (the fixture)


def test_existing_reset_links_get_their_address_and_count_as_emailed(
    migration_app: Flask,  # noqa: F811
) -> None:
    upgrade(revision="0009")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, display_name, role, is_active, session_token, "
                "created_at, email_preference) VALUES (1, 'sam@example.org', 'Sam', 'member', "
                "true, 'x', '2026-03-01 09:00:00', 'immediately')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO password_reset_tokens (user_id, token_hash, created_at, expires_at) "
                "VALUES (1, 'h', '2026-03-01 09:00:00', '2026-03-01 10:00:00')"
            )
        )
    upgrade()
    with db.engine.begin() as connection:
        row = connection.execute(
            text("SELECT email, emailed_at, created_at FROM password_reset_tokens")
        ).one()
        assert row.email == "sam@example.org" and row.emailed_at == row.created_at
        connection.execute(
            text(
                "INSERT INTO password_reset_tokens (email, token_hash, created_at, expires_at) "
                "VALUES ('nobody@example.org', 'h2', '2026-03-01 09:00:00', "
                "'2026-03-01 10:00:00')"
            )
        )
    downgrade(revision="0009")
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT user_id FROM password_reset_tokens")).all() == [(1,)]
