"""Bulk work alongside traffic: a 5,000-row CSV registry import through the API of a 4-worker
gunicorn while 8 writers post, edit, react and escalate. The import completes, no request
fails, and every acknowledged write is stored.

tests/registry/test_import_concurrency.py proves the import lets one other client through
between its batches, in one process; this is the served version with the full load."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum.accounts import services as accounts
from forum.extensions import db
from forum.registry.models import SocialProfile
from tests.faults.conftest import soak
from tests.registry.test_import import _people, _rows

pytestmark = pytest.mark.slow

ROWS = 5000
WRITERS = 8
IMPORT_TIMEOUT = 120


def post_csv(url: str, token: str, body: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url + "/api/v1/profiles/import",
        data=body.encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
    )
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, dict(json.loads(response.read()))
    except urllib.error.HTTPError as error:
        return error.code, {"body": error.read().decode(errors="replace")[:2000]}


@pytest.mark.timeout(900)
def test_a_5000_row_import_completes_while_eight_writers_post(
    app: Flask, serve: Callable[..., Any], server_log: Callable[[], str]
) -> None:
    admin = _people()
    _row, token = accounts.create_api_token(admin, "bulk import")
    db.session.commit()
    plan = soak.prepare(app, WRITERS)
    result: dict[str, Any] = {}

    # One request does the whole import: allow it the time docs/deploying.md tells operators
    # to give gunicorn (its default of 30 s is too short for 5,000 rows on a busy machine).
    with serve(GUNICORN_CMD_ARGS=f"--timeout {IMPORT_TIMEOUT}") as server:
        importing = threading.Thread(target=lambda: None)

        def start_import(writers: list[soak.Writer]) -> None:
            nonlocal importing

            def run() -> None:
                result["status"], result["report"] = post_csv(server.url, token, _rows(ROWS))
                # Requests the writers had answered by the time the import's answer came.
                result["answered"] = sum(sum(w.outcome.statuses.values()) for w in writers)

            importing = threading.Thread(target=run)
            importing.start()

        # The writers start, then the import; they write for as long as it runs.
        outcomes = soak.drive(
            server.url,
            plan,
            seconds=0,
            on_start=start_import,
            keep_going=lambda: importing.is_alive(),
        )
        importing.join()

    assert result["status"] == 200, (result, server_log()[-4000:])
    assert result["answered"] >= WRITERS  # served while the import ran
    assert result["report"]["applied"] is True
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SocialProfile)) == ROWS
    summary = soak.summarize(outcomes)
    assert summary["failures"] == []
    assert summary["server_errors"] == 0
    assert soak.LOCKED not in server_log()
    assert soak.check_writes(app, plan, outcomes) == []
