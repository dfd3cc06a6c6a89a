"""Private Atom feeds of new activity, for feed readers that cannot sign in.

A feed URL carries the person's id and a key derived from the app secret and their session
token: it shows exactly what that person may see, and it stops working when they change their
password or are deactivated (the session token rotates).
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, current_app, render_template, url_for
from flask.typing import ResponseReturnValue

from forum.accounts.models import User
from forum.boards import services
from forum.core.errors import NotFound
from forum.core.web import base_url
from forum.extensions import db

bp = Blueprint("feeds", __name__)

FEED_ENTRIES = 30


def feed_key(user: User) -> str:
    message = f"feed:{user.id}:{user.session_token}".encode()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def feed_urls(user: User, board_slug: str | None = None) -> str:
    """The private feed link for the activity page, or for one board."""
    key = feed_key(user)
    if board_slug is None:
        return url_for("feeds.activity", user_id=user.id, key=key)
    return url_for("feeds.board", user_id=user.id, key=key, slug=board_slug)


def reader(user_id: int, key: str) -> User:
    """The active owner of a valid feed key; anything else is a plain 404."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or not hmac.compare_digest(feed_key(user), key):
        raise NotFound("No such feed.")
    return user


def _atom(title: str, page_url: str, feed_url: str, threads: list) -> ResponseReturnValue:  # type: ignore[type-arg]
    body = render_template(
        "boards/feed.xml",
        title=title,
        page_url=page_url,
        feed_url=feed_url,
        threads=threads,
        base=base_url(),
    )
    return (
        body,
        200,
        {
            "Content-Type": "application/atom+xml; charset=utf-8",
            "Cache-Control": "private, max-age=300",
        },
    )


@bp.get("/feeds/<id:user_id>/<key>/activity.xml")
def activity(user_id: int, key: str) -> ResponseReturnValue:
    user = reader(user_id, key)
    threads = services.recent_threads(user, per_page=FEED_ENTRIES).items
    return _atom(
        "Staff forum: latest activity",
        url_for("boards.index"),
        url_for("feeds.activity", user_id=user_id, key=key),
        threads,
    )


@bp.get("/feeds/<id:user_id>/<key>/b/<slug>.xml")
def board(user_id: int, key: str, slug: str) -> ResponseReturnValue:
    user = reader(user_id, key)
    found = services.get_visible_board(user, slug)
    threads = services.board_threads(found, per_page=FEED_ENTRIES).items
    threads.sort(key=lambda thread: thread.last_activity_at, reverse=True)
    return _atom(
        f"Staff forum: {found.name}",
        url_for("boards.board_detail", slug=slug),
        url_for("feeds.board", user_id=user_id, key=key, slug=slug),
        threads,
    )
