"""HTML routes for uploads: the files themselves, and the composer's upload for drag and drop
and paste (a CSRF-protected POST answered with JSON)."""

from __future__ import annotations

from flask import Request, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from forum.core.errors import ForumError, Invalid
from forum.extensions import db, limiter, login_manager
from forum.uploads import bp, forms, services
from forum.uploads.models import Upload

# A served file may not run anything, even opened on its own: no scripts, no plugins, no forms.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def received_file(req: Request) -> tuple[str | None, bytes]:
    """The name and bytes of the `file` field; Invalid when there is none. Reads at most one
    byte over UPLOAD_MAX_BYTES, so the service can say it is too large."""
    upload = req.files.get("file")
    if upload is None or (not upload.filename and not upload.content_length):
        raise Invalid("Send the file in the form field `file`.", fields={"file": "Choose a file."})
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    return upload.filename, upload.stream.read(limit + 1)


def _me() -> object:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _reader() -> object | None:
    """Who opens a file: the signed-in person, or the owner of an API bearer token (scripts
    fetch what they uploaded); None for anyone else."""
    if getattr(current_user, "is_authenticated", False):
        return _me()
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        authenticate = current_app.extensions["forum.api_authenticator"]
        return authenticate(secret.strip())
    return None


def upload_rate_limit() -> str:
    return str(current_app.config["UPLOAD_RATE_LIMIT"])


def uploader_key() -> str:
    """Throttle the composer's uploads per person (offices share addresses)."""
    user_id = getattr(current_user, "id", None)
    return f"uploader:{user_id}" if user_id is not None else f"ip:{request.remote_addr}"


def _serve(upload: Upload, *, thumbnail: bool) -> ResponseReturnValue:
    data = services.read_file(upload, thumbnail=thumbnail)
    content_type = (upload.thumbnail_type if thumbnail else None) or upload.content_type
    response = Response(data, mimetype=content_type)
    disposition = "inline" if upload.is_image else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{upload.name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.set_etag(f"{upload.storage_key}{'-t' if thumbnail else ''}")
    return response.make_conditional(request)


def _open(upload_id: int, name: str, *, thumbnail: bool) -> ResponseReturnValue:
    reader = _reader()
    if reader is None and "Authorization" not in request.headers:
        return login_manager.unauthorized()  # signed out in a browser: sign in first
    upload = services.get_visible_upload(reader, upload_id, name)  # type: ignore[arg-type]
    return _serve(upload, thumbnail=thumbnail and bool(upload.thumbnail_key))


@bp.get("/uploads/<id:upload_id>/<name>")
def file(upload_id: int, name: str) -> ResponseReturnValue:
    return _open(upload_id, name, thumbnail=False)


@bp.get("/uploads/<id:upload_id>/thumb/<name>")
def thumbnail(upload_id: int, name: str) -> ResponseReturnValue:
    return _open(upload_id, name, thumbnail=True)


@bp.post("/uploads")
@limiter.limit(upload_rate_limit, key_func=uploader_key, methods=["POST"])
def upload_create() -> ResponseReturnValue:
    """The composer's scripts send a dropped or pasted file here, with the form's CSRF token,
    and insert the Markdown it answers. Errors are JSON in the API's shape."""
    form = forms.UploadForm()
    try:
        if not form.validate_on_submit():
            raise Invalid(
                "The form expired or has no file; reload the page and try again.",
                fields={name: "; ".join(errors) for name, errors in form.errors.items()},
            )
        filename, data = received_file(request)
        upload = services.create_upload(_me(), filename=filename, data=data)  # type: ignore[arg-type]
    except ForumError as error:
        db.session.rollback()
        body: dict[str, object] = {"code": error.code, "message": error.message}
        if error.fields:
            body["fields"] = error.fields
        return jsonify({"error": body}), error.status
    db.session.commit()
    alt = (form.alt.data or "").strip()
    return jsonify(
        id=upload.id,
        url=services.file_path(upload),
        thumbnail_url=services.thumbnail_path(upload),
        is_image=upload.is_image,
        markdown=services.markdown_for(upload, alt),
    ), 201
