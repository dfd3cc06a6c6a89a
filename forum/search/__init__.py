"""Search over threads and posts: a Whoosh index kept through a queue (SEARCH_BACKEND=whoosh),
or PostgreSQL full-text search kept in each write's transaction (SEARCH_BACKEND=postgres)."""

from __future__ import annotations

from flask import Blueprint, Flask

from forum.core.work import register_job
from forum.search import models as models
from forum.search.backend import SearchBackend
from forum.search.cli import search_cli
from forum.search.indexer import drain_job
from forum.search.indexing import install
from forum.search.postgres_backend import PostgresBackend
from forum.search.whoosh_backend import WhooshBackend

bp = Blueprint("search", __name__)

from forum.search import api as _api  # noqa: E402, F401  (registers the API routes)
from forum.search import views as _views  # noqa: E402, F401  (registers the HTML routes)

__all__ = ["bp", "init_app"]


def _backend(app: Flask) -> SearchBackend:
    if app.config.get("SEARCH_BACKEND") == "postgres":
        return PostgresBackend()
    return WhooshBackend(app.config["SEARCH_INDEX_DIR"])


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
    install(app, _backend(app))
    # `flask work` also drains now and then: a backstop for whatever the dedicated indexer
    # (`flask search work`) or an inline drain left queued.
    register_job(app, "search.drain", drain_job, every_seconds=10, order=80)
    from forum.core.navigation import register_nav

    register_nav(app, "Search", "search.search", order=10)
