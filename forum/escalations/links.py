"""Links from escalation pages to the things other capabilities show (threads, posts, profiles)."""

from __future__ import annotations

from flask import url_for
from werkzeug.routing import BuildError

from forum.boards import services as board_services
from forum.boards.models import Post, Thread

# The registry's profile page, under whichever endpoint name it registers.
PROFILE_ENDPOINTS = ("registry.profile_detail", "registry.profile", "registry.detail")


def thread_url(thread: Thread) -> str:
    return board_services.thread_path(thread)


def post_url(post: Post) -> str:
    return board_services.post_path(post)


def profile_url(profile_id: int | None) -> str | None:
    """The registry page of a profile, or None while the registry has no page for it."""
    if profile_id is None:
        return None
    for endpoint in PROFILE_ENDPOINTS:
        try:
            return url_for(endpoint, profile_id=profile_id)
        except BuildError:
            continue
    return None
