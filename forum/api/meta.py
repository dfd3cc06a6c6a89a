"""The API's own routes: the OpenAPI document."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ConfigDict

from forum.api.blueprint import bp
from forum.api.spec import api_route, build_document


class OpenApiDocument(BaseModel):
    model_config = ConfigDict(extra="allow")
    openapi: str


@api_route(
    bp,
    "/openapi.json",
    "GET",
    summary="This OpenAPI 3.1 document",
    tag="meta",
    response=OpenApiDocument,
    public=True,
)
def openapi() -> ResponseReturnValue:
    return jsonify(build_document("1"))
