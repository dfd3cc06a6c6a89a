"""Shared fixtures: one schema per test session, emptied between tests, on SQLite or PostgreSQL.

Set DATABASE_URL (postgresql+psycopg://…) to run the whole suite against PostgreSQL.
"""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, make_url, text

from forum import create_app
from forum.config import normalize_database_url
from forum.core.db import Base
from forum.extensions import db, limiter
from tests import factories

factories.watch_uncommitted_flushes()

# One Chromium for the whole suite (tests/browser/fixtures.py); a real SMTP server per test
# (`smtp`, `smtp_port` in tests/alerts/servers.py).
pytest_plugins = ["tests.browser.fixtures", "tests.alerts.servers"]

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith(("postgres", "postgresql"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The session's database, with the schema built once from the models."""
    if ON_POSTGRES:
        url = _worker_database(normalize_database_url(POSTGRES_URL))
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'forum-test.db'}"
    engine = create_engine(url)
    if ON_POSTGRES:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    import forum.capabilities  # noqa: F401  (every model registered)

    Base.metadata.create_all(engine)
    engine.dispose()
    return url


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets a database of its own, `<name>_<worker>`, made on
    the same server; a run without workers uses the database DATABASE_URL names."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", autouse=True)
def _close_every_engine() -> Iterator[None]:
    """Tests build extra apps (two "hosts", a broken database...). Close their pooled
    connections at the end, so no driver warns about connections left open at exit."""
    yield
    import gc

    from sqlalchemy.engine import Engine

    for engine in [obj for obj in gc.get_objects() if isinstance(obj, Engine)]:
        engine.dispose()


def _empty_all_tables(url: str) -> None:
    engine = create_engine(url)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text(
                    "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
                )
            )
        else:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for table in tables:
                connection.exec_driver_sql(f'DELETE FROM "{table}"')
            connection.exec_driver_sql("DELETE FROM sqlite_sequence") if _has_sequence(
                connection
            ) else None
    engine.dispose()


def _has_sequence(connection: Any) -> bool:
    return bool(
        connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'"
        ).first()
    )


def base_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "FORUM_ENV": "testing",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": None,
        "WEBHOOK_ALLOW_PRIVATE": True,
        "FORUM_BASE_URL": "http://forum.test",
    }


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """Override entries of this dict in a test module's own fixture to change the app."""
    return base_config(database_url, tmp_path)


class RequestPerContextClient(FlaskClient):
    """A test client whose every request runs as it would under a server.

    The test holds an app context of its own, with its own `db.session` (the factories and the
    assertions use it). Each request runs outside it, in an empty context: Flask pushes a new app
    context, so the view gets a new session and a new `g`, and the session is removed at
    teardown, rolling back whatever the view flushed but did not commit. Before the request the
    test's own transaction ends (see `factories.see_committed`), so the test holds no lock or
    stale snapshot meanwhile and reads afterwards show only what was committed.
    """

    def run_wsgi_app(self, environ: Any, buffered: bool = False) -> Any:
        factories.see_committed()
        return contextvars.Context().run(super().run_wsgi_app, environ, buffered)


class CommandPerContextRunner(FlaskCliRunner):
    """A CLI runner whose commands get their own app context and session, as `flask …` does
    (FlaskGroup pushes a new app context for the command and pops it when the command ends)."""

    def invoke(self, cli: Any = None, args: Any = None, **kwargs: Any) -> Result:
        factories.see_committed()
        return contextvars.Context().run(self._invoke_in_new_app_context, cli, args, **kwargs)

    def _invoke_in_new_app_context(self, cli: Any, args: Any, **kwargs: Any) -> Result:
        with self.app.app_context():
            return super().invoke(cli, args, **kwargs)


def build_app(config: dict[str, Any]) -> Flask:
    """An app whose test clients and CLI runners give each request or command its own session."""
    flask_app = create_app(config)
    flask_app.test_client_class = RequestPerContextClient
    flask_app.test_cli_runner_class = CommandPerContextRunner
    return flask_app


@pytest.fixture
def app(app_config: dict[str, Any], database_url: str) -> Iterator[Flask]:
    """The app, with an app context held for the whole test: the test's own session.

    Requests and CLI commands do not share that session (see RequestPerContextClient); read
    back what they did through it after they return, or with `factories.reload()`.
    """
    flask_app = build_app(app_config)
    with flask_app.app_context():
        limiter.reset()
        yield flask_app
        db.session.remove()
        db.engine.dispose()
    _empty_all_tables(database_url)


@pytest.fixture
def extra_app() -> Iterator[Callable[[dict[str, Any]], Flask]]:
    """Build more apps (other "hosts" or "workers"); their connections close after the test."""
    built: list[Flask] = []

    def build(config: dict[str, Any]) -> Flask:
        built.append(build_app(config))
        return built[-1]

    yield build
    for other in built:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., FlaskClient]:
    """Sign `user` in on the shared test client (through the real /login form)."""

    def sign_in(user: Any, password: str = factories.PASSWORD) -> FlaskClient:
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in


class ApiClient:
    """A test client that sends the user's bearer token with every request."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def __getattr__(self, method: str) -> Callable[..., Any]:
        call = getattr(self.client, method)

        def request(path: str, **kwargs: Any) -> Any:
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return call(path, headers=headers, **kwargs)

        return request


@pytest.fixture
def api(app: Flask) -> Callable[[Any], ApiClient]:
    def for_user(user: Any) -> ApiClient:
        from forum.accounts import services

        _token, secret = services.create_api_token(user, "tests")
        db.session.commit()
        return ApiClient(app.test_client(), secret)

    return for_user


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in page"
    return match.group(1)
