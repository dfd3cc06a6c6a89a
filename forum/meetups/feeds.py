"""The private Atom feed of upcoming meet-ups, opened by the same key as the boards' feeds.

Feed readers cannot sign in, so the link carries the person's id and their feed key
(forum.boards.feeds): it shows what that person may see, and stops working when their password
changes or they are deactivated. Times in a feed are UTC, as feeds have no single reader.
"""

from __future__ import annotations

from flask import render_template, url_for
from flask.typing import ResponseReturnValue

from forum.accounts.models import User
from forum.boards.feeds import feed_key, reader
from forum.core.db import utcnow
from forum.core.web import base_url
from forum.meetups import bp, services


def feed_url(user: User) -> str:
    return url_for("meetups.feed", user_id=user.id, key=feed_key(user))


@bp.get("/feeds/<id:user_id>/<key>/meetups.xml")
def feed(user_id: int, key: str) -> ResponseReturnValue:
    user = reader(user_id, key)
    now = utcnow()
    meetups = services.upcoming(user, now=now)
    updated = max((m.updated_at for m in meetups), default=now)
    body = render_template(
        "meetups/feed.xml",
        meetups=meetups,
        updated=updated,
        base=base_url(),
        feed_url=url_for("meetups.feed", user_id=user_id, key=key),
    )
    return (
        body,
        200,
        {
            "Content-Type": "application/atom+xml; charset=utf-8",
            "Cache-Control": "private, max-age=300",
        },
    )
