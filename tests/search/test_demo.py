"""The search demo seeder: the demo's threads are findable once `seed-demo` has committed."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from forum.accounts.demo import DEMO_PASSWORD


def _search_as_demo_admin(client: FlaskClient, q: str) -> str:
    signed_in = client.post(
        "/login", data={"email": "admin@example.org", "password": DEMO_PASSWORD}
    )
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_demo_threads_are_findable_once_the_seed_commits(
    runner: FlaskCliRunner, client: FlaskClient
) -> None:
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "search index changes queued (applied on commit)" in first.output
    if client.application.config["SEARCH_BACKEND"] == "whoosh":
        # PostgreSQL full-text search writes its documents in the seed's transaction: no queue.
        assert "0 search index changes queued" not in first.output
    assert "Facebook page hijack scare" in _search_as_demo_admin(client, "hijack")

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "0 search index changes queued (applied on commit)" in again.output


def test_without_inline_indexing_the_seed_names_the_indexer(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient
) -> None:
    app.config["SEARCH_INDEX_INLINE"] = False  # as in production: only the indexer drains
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    assert "(`flask --app wsgi search work` applies them)" in seeded.output
    drained = runner.invoke(args=["search", "drain"])
    assert drained.exit_code == 0, drained.output
    assert "Facebook page hijack scare" in _search_as_demo_admin(client, "hijack")
