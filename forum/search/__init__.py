"""Search: a Whoosh index of threads and posts that follows every change after commit."""

from __future__ import annotations

from flask import Flask

from forum.search import api as _api  # noqa: F401  (registers the API routes)
from forum.search import models as models
from forum.search.cli import search_cli
from forum.search.indexing import install
from forum.search.views import bp
from forum.search.whoosh_backend import WhooshBackend

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
    install(app, WhooshBackend(app.config["SEARCH_INDEX_DIR"]))
    from forum.core.web import register_nav

    register_nav(app, "Search", "search.search", order=10)
