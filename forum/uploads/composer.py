"""The uploads' part of the boards' composer: the file and description fields in the writing
forms (the `boards.composer` slot), and the attacher that stores a file sent with the form and
appends its Markdown (boards.composer.register_attacher)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from forum.boards.composer import Attached
from forum.core import slots
from forum.core.errors import ForumError
from forum.extensions import db
from forum.uploads import services
from forum.uploads.views import received_file


def attach(user: Any) -> Attached:
    """Store the file of a writing form, if one was chosen, and give its Markdown: an image
    with the description from "Describe the image" (required for images), a document as a link.

    The upload is committed at once, before the post is checked: when the post is refused (a
    missing title), the form comes back with the Markdown in its text, and the file it points
    to must still exist. A file no post ends up using is removed by the cleanup job."""
    chosen = request.files.get("file")
    if chosen is None or not chosen.filename:
        return Attached()
    alt = (request.form.get("alt") or "").strip()
    try:
        filename, data = received_file(request)
        upload = services.create_upload(user, filename=filename, data=data, description=alt)
    except ForumError as error:
        db.session.rollback()
        fields = error.fields or {"file": error.message}
        return Attached(errors=dict(fields), status=error.status)
    db.session.commit()
    return Attached(markdown=services.markdown_for(upload, alt))


def composer_fields(user: Any, errors: dict[str, str]) -> str | None:
    """The file input and the description field, inside the writing form."""
    if not getattr(user, "is_authenticated", False):
        return None
    config = current_app.config
    types = ["PNG", "JPEG", "WebP", "GIF", *(t.upper() for t in config["UPLOAD_DOCUMENT_TYPES"])]
    return slots.render(
        "uploads/_composer.html",
        errors=errors,
        kinds=", ".join(types[:-1]) + " or " + types[-1],
        max_mb=int(config["UPLOAD_MAX_BYTES"]) // (1024 * 1024),
        accept=",".join(
            ["image/png", "image/jpeg", "image/webp", "image/gif"]
            + [f"application/{t}" for t in config["UPLOAD_DOCUMENT_TYPES"]]
        ),
        alt=request.form.get("alt", "") if request.method == "POST" and errors else "",
    )
