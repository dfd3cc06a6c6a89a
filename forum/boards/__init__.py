"""Discussion boards: boards, threads, posts, moderation, unread tracking and notifications."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

from forum.boards import models as models
from forum.boards import signals as signals

bp = Blueprint("boards", __name__)

# The HTML routes, split by noun, and the API routes attach themselves to `bp` (and the API's).
from forum.boards import admin_views as _admin_views  # noqa: E402, F401
from forum.boards import api as _api  # noqa: E402, F401
from forum.boards import deletion_views as _deletion_views  # noqa: E402, F401
from forum.boards import draft_views as _draft_views  # noqa: E402, F401
from forum.boards import moderation_views as _moderation_views  # noqa: E402, F401
from forum.boards import post_views as _post_views  # noqa: E402, F401
from forum.boards import thread_views as _thread_views  # noqa: E402, F401
from forum.boards import tidy_views as _tidy_views  # noqa: E402, F401
from forum.boards import views as _views  # noqa: E402, F401

__all__ = ["bp", "init_app", "models", "signals"]


def moderation_link(user: Any) -> str | None:
    """The header link to the moderation queue, with its count, for anyone who moderates (the
    queue is otherwise reached only from a flag notification)."""
    from forum.boards import services
    from forum.core import slots

    if not getattr(user, "is_authenticated", False):
        return None
    boards = services.moderated_board_ids(user)
    if boards is not None and not boards:
        return None
    return slots.render("boards/_moderation_link.html", count=services.open_flag_count(user))


def init_app(app: Flask) -> None:
    from forum.accounts.permissions import is_admin
    from forum.alerts.redaction import register_ref_check
    from forum.boards.cli import boards_cli
    from forum.boards.services import disclosure
    from forum.core import slots
    from forum.core.navigation import register_nav

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
    slots.register(app, slots.HEADER, moderation_link, order=40)
    from forum.boards.services import unsubscribing

    # Watch emails carry List-Unsubscribe: their link ends the watch.
    unsubscribing.init_app(app)
    register_nav(app, "Boards", "boards.admin_boards", order=89, visible=is_admin, section="admin")
