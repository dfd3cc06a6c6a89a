"""The /api/v1 blueprint: bearer-token auth, JSON errors, and the generated OpenAPI document."""

from __future__ import annotations

from flask import Flask

from forum.api import meta as _meta  # noqa: F401  (registers /openapi.json)
from forum.api.blueprint import bp, current_api_user, register_authenticator
from forum.api.spec import api_route, parse_body, parse_query

__all__ = [
    "api_route",
    "bp",
    "current_api_user",
    "init_app",
    "parse_body",
    "parse_query",
    "register_authenticator",
]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
