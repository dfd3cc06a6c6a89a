"""The search index deleted, then corrupted, while gunicorn serves and writers write: every page
keeps answering (search included), no write fails, and `flask --app wsgi search rebuild` brings
the index back into agreement with the database.

tests/search/test_indexing.py covers the same damage inside one process; this is the served
version, with four workers racing to notice and repair it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.faults.conftest import loadgen, soak

pytestmark = [
    pytest.mark.slow,
    # Whoosh leaves a file open when it fails to read a damaged index (in this process, at the
    # final check's drain); that is all these ignore.
    pytest.mark.filterwarnings(
        "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
    ),
]

ROOT = Path(__file__).resolve().parent.parent.parent
SECONDS = 6


def delete_index(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)  # workers may be writing into it meanwhile


def corrupt_index(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file() and path.name != "CURRENT" and not path.name.endswith(".lock"):
            try:
                path.write_bytes(b"\x00not an index\xff" * 64)
            except OSError:
                continue  # removed by a rebuild meanwhile


@pytest.mark.timeout(600)
def test_pages_keep_working_and_rebuild_restores_the_index(
    app: Flask, serve: Callable[..., Any], server_log: Callable[[], str]
) -> None:
    plan = soak.prepare(app, 4)
    root = Path(app.config["SEARCH_INDEX_DIR"])
    pages = [
        "/",
        f"/b/{plan.board_slug}",
        f"/t/{plan.shared_thread_id}",
        "/search?q=opening",
        "/search?q=soak+OR+reply",
    ]
    seen: list[tuple[str, str, int]] = []
    outcomes: list[soak.Outcome] = []
    with serve() as server:
        reader = loadgen.Browser(server.url)
        reader.sign_in(plan.writers[0].email, soak.PASSWORD)
        writing = threading.Thread(
            target=lambda: outcomes.extend(soak.drive(server.url, plan, SECONDS))
        )
        writing.start()
        # Damage, read every page, again, for as long as the writers write (once at least).
        while True:
            for name, damage in (("deleted", delete_index), ("corrupted", corrupt_index)):
                damage(root)
                seen += [(name, path, reader.get(path)[0]) for path in pages]
            if not writing.is_alive():
                break
        writing.join()

        rebuild = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "search", "rebuild"],
            cwd=ROOT,
            env={**os.environ, **_server_env(app)},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert rebuild.returncode == 0, rebuild.stderr
        after = [(path, reader.get(path)) for path in pages]

    assert [entry for entry in seen if entry[2] != 200] == []
    assert all(status == 200 for _path, (status, _page) in after)
    found = dict(after)["/search?q=opening"][1]
    # Search answers from the rebuilt index: writer 1's opening post is found again.
    assert f"/t/{plan.writers[1].thread_id}" in found
    summary = soak.summarize(outcomes)
    assert summary["failures"] == []
    log = server_log()
    assert soak.LOCKED not in log
    # The workers noticed both kinds of damage while serving (and repaired them as they went).
    assert "index is missing" in log and "index is corrupt" in log
    assert soak.check_writes(app, plan, outcomes) == []
    assert soak.check_search(app) == []


def _server_env(app: Flask) -> dict[str, str]:
    return {
        **soak.server_env(app.config["SQLALCHEMY_DATABASE_URI"], Path(app.instance_path)),
        "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
    }
