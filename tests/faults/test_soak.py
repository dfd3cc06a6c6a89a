"""A short concurrency soak (bench/soak.py runs the full 30 s): gunicorn with 4 workers and 8
writers posting, editing, reacting and escalating on the test database (SQLite, or PostgreSQL
when DATABASE_URL says so). No 5xx, no "database is locked", every acknowledged write stored as
acknowledged, and the search index agreeing with the database afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.faults.conftest import soak

pytestmark = pytest.mark.slow

SECONDS = 6
WRITERS = 8


@pytest.mark.timeout(600)
def test_writers_on_four_workers_lose_nothing_and_search_agrees(
    app: Flask, serve: Callable[..., Any], server_log: Callable[[], str]
) -> None:
    plan = soak.prepare(app, WRITERS)
    with serve() as server:
        assert len(server.worker_pids()) == 4
        outcomes = soak.drive(server.url, plan, SECONDS)
    summary = soak.summarize(outcomes)
    assert summary["failures"] == []
    assert summary["server_errors"] == 0
    assert soak.LOCKED not in server_log()
    # Every writer got through with every kind of write.
    for outcome in outcomes:
        assert outcome.posts and outcome.reactions and outcome.escalations, summary
    assert soak.check_writes(app, plan, outcomes) == []
    assert soak.check_search(app) == []
