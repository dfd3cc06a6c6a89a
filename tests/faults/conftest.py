"""The app under real gunicorn (4 workers) on the test database, for the load and fault tests.

The server and the test's own app share the database, the instance directory and the search
index, so the test can prepare data, drive the server over HTTP on 127.0.0.1 and then check
what the workers wrote, in-process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

BENCH = Path(__file__).resolve().parent.parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import loadgen  # noqa: E402
import soak  # noqa: E402

WORKERS = 4


@pytest.fixture
def serve(app: Flask, tmp_path: Path) -> Callable[..., Any]:
    """Start gunicorn on the test database: `with serve() as server: ... server.url`."""
    env = {
        **soak.server_env(app.config["SQLALCHEMY_DATABASE_URI"], Path(app.instance_path)),
        "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
        "PYTHONPATH": os.pathsep.join([str(BENCH.parent), os.environ.get("PYTHONPATH", "")]),
    }
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    def start(workers: int = WORKERS, **extra_env: str) -> Any:
        return loadgen.gunicorn(
            "wsgi:app", env={**env, **extra_env}, workers=workers, log=tmp_path / "gunicorn.log"
        )

    return start


@pytest.fixture
def server_log(tmp_path: Path) -> Callable[[], str]:
    return lambda: (tmp_path / "gunicorn.log").read_text(errors="replace")
