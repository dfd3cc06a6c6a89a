"""The uploads part of /api/v1: storing a file to show in a post."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from forum.api import api_route, bp, current_api_user
from forum.extensions import db
from forum.uploads import schemas, services
from forum.uploads.views import received_file


@api_route(
    bp,
    "/uploads",
    "POST",
    summary="Upload an image or document to show in a post",
    tag="uploads",
    body=schemas.UploadIn,
    request_content_type="multipart/form-data",
    response=schemas.UploadOut,
    status=201,
    errors=(413, 415),
)
def uploads_create() -> ResponseReturnValue:
    filename, data = received_file(request)
    upload = services.create_upload(current_api_user(), filename=filename, data=data)
    db.session.commit()
    return schemas.UploadOut.of(upload).model_dump(mode="json"), 201
