"""Uploads: screenshots and documents in posts, checked by content, re-encoded without
metadata, served from their own path as visible as the threads that use them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, request

from forum.uploads import models as models

bp = Blueprint("uploads", __name__)

from forum.uploads import api as _api  # noqa: E402, F401  (registers the API route)
from forum.uploads import views as _views  # noqa: E402, F401  (registers the HTML routes)

__all__ = ["bp", "init_app", "models"]

# The requests that may carry a file: UPLOAD_MAX_BYTES, plus room for the form's text fields.
UPLOAD_ENDPOINTS = frozenset(
    {"uploads.upload_create", "api.uploads_create", "boards.thread_new", "boards.post_reply"}
)
FORM_ROOM_BYTES = 1024 * 1024


def _allow_upload_size() -> None:
    """Let the requests that carry files be as large as an upload; every other request keeps
    MAX_CONTENT_LENGTH. Runs before anything reads the body."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        limit = int(current_app.config["UPLOAD_MAX_BYTES"]) + FORM_ROOM_BYTES
        request.max_content_length = max(limit, int(current_app.config["MAX_CONTENT_LENGTH"]))


def _record_uses(post: Any, **extra: Any) -> None:
    from forum.uploads import services

    if "author" in extra:  # post_created
        services.record_uses(post, extra["author"], is_new=True)
    elif extra.get("editor") is not None:  # post_edited
        services.record_uses(post, extra["editor"])


def _hide_uses(post: Any, **_extra: Any) -> None:
    from forum.uploads import services

    services.show_uses(post, False)


def _show_uses(post: Any, **_extra: Any) -> None:
    from forum.uploads import services

    services.show_uses(post, post.is_visible)


def _follow_merge(thread: Any, **extra: Any) -> None:
    from forum.uploads import services

    if getattr(thread, "merged_into_id", None):
        services.follow_merge(thread.id, thread.merged_into_id)
    if "posts" in (extra.get("changes") or ()):
        services.follow_posts(thread.id)


def init_app(app: Flask) -> None:
    from forum.boards import composer, signals
    from forum.core import slots
    from forum.core.web import register_public_endpoint
    from forum.core.work import register_job
    from forum.uploads.cli import cleanup_job, uploads_cli
    from forum.uploads.composer import attach, composer_fields

    app.register_blueprint(bp)
    # The files take a session or an API token (checked by the views; signed out: /login).
    register_public_endpoint(app, "uploads.file", "uploads.thumbnail")
    app.cli.add_command(uploads_cli)
    # First, before the request's input is screened (which reads the body).
    app.before_request_funcs.setdefault(None, []).insert(0, _allow_upload_size)
    signals.post_created.connect(_record_uses, weak=False)
    signals.post_edited.connect(_record_uses, weak=False)
    signals.post_deleted.connect(_hide_uses, weak=False)
    signals.post_hidden.connect(_hide_uses, weak=False)
    signals.post_restored.connect(_show_uses, weak=False)
    signals.thread_updated.connect(_follow_merge, weak=False)
    composer.register_attacher(app, attach)
    slots.register(app, slots.COMPOSER, composer_fields)
    register_job(app, "uploads.cleanup", cleanup_job, every_seconds=3600, order=90)
