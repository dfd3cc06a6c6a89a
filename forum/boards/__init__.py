"""Discussion boards: boards, threads, posts, moderation, unread tracking and notifications."""

from __future__ import annotations

from typing import Any

from flask import Flask

from forum.boards import admin as _admin  # noqa: F401  (registers the admin pages)
from forum.boards import api as _api  # noqa: F401  (registers the API routes)
from forum.boards import models as models
from forum.boards import moderation_views as _moderation  # noqa: F401  (registers routes)
from forum.boards import signals as signals
from forum.boards.views import bp

__all__ = ["bp", "init_app", "models", "signals"]


def _moderates_something(user: Any) -> bool:
    from forum.boards import services

    return bool(getattr(user, "is_authenticated", False)) and bool(
        services.moderated_board_ids(user)
    )


def init_app(app: Flask) -> None:
    from forum.accounts.permissions import is_admin
    from forum.alerts.redaction import register_ref_check
    from forum.boards.cli import boards_cli
    from forum.boards.services import disclosure
    from forum.core.web import register_nav

    app.register_blueprint(bp)
    app.cli.add_command(boards_cli)
    # Stored notices naming a thread are shown only while their reader may still see it.
    register_ref_check(app, "thread", disclosure.readable_thread_ids)
    from forum.boards import feeds
    from forum.core.web import register_public_endpoint

    app.register_blueprint(feeds.bp)
    register_public_endpoint(app, "feeds.activity")
    register_public_endpoint(app, "feeds.board")
    app.jinja_env.globals["feed_url"] = feeds.feed_urls
    register_nav(app, "Flags", "boards.flags", order=80, visible=_moderates_something)
    register_nav(app, "Boards", "boards.admin_boards", order=89, visible=is_admin, section="admin")
