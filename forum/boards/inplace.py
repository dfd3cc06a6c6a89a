"""Answers for static/js/boards.js: the same form POSTs, answered for an update in place.

Without JavaScript a reply or a reaction is a form POST answered with a redirect to the post
(POST/redirect/GET). boards.js sends the same forms with `X-Requested-With: fetch`; those get
a short answer instead, and the script updates the page without loading a new one.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from forum.accounts.models import User
from forum.boards import services
from forum.boards.models import Post

HEADER = "X-Requested-With"
VALUE = "fetch"


def wanted() -> bool:
    """True for a request from boards.js, which updates the page itself."""
    return request.headers.get(HEADER) == VALUE


def created(location: str) -> Response:
    """A new reply: 201 with the post's address; the script loads that page and shows it."""
    return Response(status=201, headers={"Location": location, "Cache-Control": "no-store"})


def reactions(viewer: User, post: Post) -> dict[str, Any]:
    """Every reaction count of `post`, and which of them `viewer` gave, after a toggle."""
    summary = services.reaction_summary([post.id], viewer)[post.id]
    return {
        "post_id": post.id,
        "reactions": [
            {"kind": item.kind.value, "count": item.count, "mine": item.mine} for item in summary
        ],
    }
