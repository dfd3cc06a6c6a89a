"""Canary: the test fixtures only see what a request or CLI command committed.

A view that flushes but forgets to commit must fail its test. Each request and each CLI
command runs in its own app context and session, removed at teardown as in production, so
what was only flushed is rolled back before the test reads it back.
"""

from __future__ import annotations

import click
import pytest
from flask import Flask
from flask.cli import with_appcontext
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts.models import Department
from forum.core.web import register_public_endpoint
from forum.extensions import db
from tests import factories


def _add_department(slug: str) -> None:
    db.session.add(Department(slug=slug, name=slug.title()))
    db.session.flush()


def _department_named(slug: str) -> Department | None:
    return db.session.scalar(select(Department).where(Department.slug == slug))


@pytest.fixture
def canary_app(app: Flask) -> Flask:
    """The test app with a view and a command that commit, and twins that only flush."""

    def flush_only() -> tuple[str, int]:
        _add_department("flushed-by-view")
        return "", 201

    def flush_and_commit() -> tuple[str, int]:
        _add_department("committed-by-view")
        db.session.commit()
        return "", 201

    app.add_url_rule("/canary/flush-only", view_func=flush_only, methods=["POST"])
    app.add_url_rule("/canary/commit", view_func=flush_and_commit, methods=["POST"])
    register_public_endpoint(app, "flush_only", "flush_and_commit", "session_identity")

    @click.command("canary-flush-only")
    @with_appcontext
    def flush_only_command() -> None:
        _add_department("flushed-by-command")

    @click.command("canary-commit")
    @with_appcontext
    def commit_command() -> None:
        _add_department("committed-by-command")
        db.session.commit()

    app.cli.add_command(flush_only_command)
    app.cli.add_command(commit_command)
    return app


def test_a_view_that_only_flushes_leaves_nothing_behind(
    canary_app: Flask, client: FlaskClient
) -> None:
    assert client.post("/canary/flush-only").status_code == 201
    assert _department_named("flushed-by-view") is None

    assert client.post("/canary/commit").status_code == 201
    assert _department_named("committed-by-view") is not None


def test_a_command_that_only_flushes_leaves_nothing_behind(canary_app: Flask) -> None:
    runner = canary_app.test_cli_runner()
    assert runner.invoke(args=["canary-flush-only"]).exit_code == 0
    assert _department_named("flushed-by-command") is None

    assert runner.invoke(args=["canary-commit"]).exit_code == 0
    assert _department_named("committed-by-command") is not None


def test_a_request_does_not_see_what_the_test_has_not_committed(
    canary_app: Flask, client: FlaskClient
) -> None:
    factories.make_department(slug="committed-by-test")
    _add_department("flushed-by-test")
    with pytest.raises(AssertionError, match="without committing"):
        client.post("/canary/commit")
    db.session.rollback()


def test_each_request_has_its_own_session(canary_app: Flask, client: FlaskClient) -> None:
    sessions: list[Session] = []  # kept alive, so no two share an id()

    @canary_app.get("/canary/session")
    def session_identity() -> str:
        sessions.append(db.session())
        return ""

    client.get("/canary/session")
    client.get("/canary/session")
    assert sessions[0] is not sessions[1]
    assert db.session() not in sessions
