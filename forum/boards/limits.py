"""Throttles on writing to the boards, shared by the pages and the API: posting, editing and
previewing, counted per person."""

from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user

from forum.extensions import limiter


def posting_key() -> str:
    """Rate-limit posting per person (pages and API), not per IP: offices share addresses."""
    user = g.get("api_user") or current_user
    if user is not None and getattr(user, "is_authenticated", False):
        return f"poster:{user.id}"
    return f"ip:{request.remote_addr}"


def posting_limit() -> str:
    return str(current_app.config.get("POST_RATE_LIMIT", "12 per minute; 200 per day"))


def editing_limit() -> str:
    return str(current_app.config.get("EDIT_RATE_LIMIT", "12 per minute; 200 per day"))


def preview_limit() -> str:
    return str(current_app.config.get("PREVIEW_RATE_LIMIT", "30 per minute; 1000 per day"))


post_rate_limit = limiter.limit(posting_limit, key_func=posting_key, methods=["POST"])
# Edits and previews render Markdown like posting does, so they are throttled like it too.
edit_rate_limit = limiter.limit(editing_limit, key_func=posting_key, methods=["POST", "PATCH"])
preview_rate_limit = limiter.limit(preview_limit, key_func=posting_key, methods=["POST"])
