"""The schema comes from migrations: upgrade builds it, it matches the models, downgrade undoes it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from forum import create_app
from forum.config import normalize_database_url
from forum.core.db import Base
from forum.extensions import db
from forum.search.models import is_postgres_only
from tests.conftest import ON_POSTGRES, POSTGRES_URL

SCHEMA = "migration_check"


@pytest.fixture
def migration_app(tmp_path: Path) -> Iterator[Flask]:
    if ON_POSTGRES:
        base = normalize_database_url(POSTGRES_URL)
        engine = create_engine(base)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        engine.dispose()
        separator = "&" if "?" in base else "?"
        url = f"{base}{separator}options=-csearch_path%3D{SCHEMA}"
    else:
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path)}
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if ON_POSTGRES:
        engine = create_engine(normalize_database_url(POSTGRES_URL))
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        engine.dispose()


def include_modelled(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (reflected and compare_to is None and is_postgres_only(name))


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_matches_models_and_downgrade_removes_everything(migration_app: Flask) -> None:
    upgrade()
    assert _tables() == set(Base.metadata.tables)
    with db.engine.connect() as connection:
        # As migrations/env.py does: PostgreSQL-only objects made by DDL are not modelled.
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_modelled}
        )
        drift = compare_metadata(context, Base.metadata)
    assert drift == [], drift
    downgrade(revision="base")
    assert _tables() == set()
    upgrade()  # and back up again: the downgrade left nothing behind that blocks it
    assert _tables() == set(Base.metadata.tables)
