"""Search: a Whoosh index of threads and posts that follows every change after commit."""

from __future__ import annotations

from flask import Flask

from forum.core.work import Tick, register_job
from forum.search import api as _api  # noqa: F401  (registers the API routes)
from forum.search import models as models
from forum.search.cli import search_cli
from forum.search.indexing import drain, install
from forum.search.views import bp
from forum.search.whoosh_backend import WhooshBackend

__all__ = ["bp", "init_app"]

# `work` waits at most this long for the index writer (a request may be writing).
DRAIN_LOCK_TIMEOUT_SECONDS = 1.0


def _drain_job(tick: Tick) -> int:
    """Apply index changes still queued (a drain after commit that found the index busy)."""
    return drain(timeout=DRAIN_LOCK_TIMEOUT_SECONDS).applied


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
    install(app, WhooshBackend(app.config["SEARCH_INDEX_DIR"]))
    register_job(app, "search.drain", _drain_job, every_seconds=10, order=80)
    from forum.core.web import register_nav

    register_nav(app, "Search", "search.search", order=10)
