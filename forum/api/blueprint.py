"""The API blueprint and its bearer-token authentication, applied before every route.

Which token belongs to whom is the accounts capability's business: it registers the function
(`register_authenticator`), so this framework imports no capability.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, current_app, g, request

from forum.core.errors import NotAuthenticated
from forum.core.web import is_public_now, may_be_public
from forum.extensions import csrf, db, limiter

if TYPE_CHECKING:
    # For the annotation only: the user type is what accounts' authenticator returns.
    from forum.accounts.models import User

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens are never sent automatically by a browser, so the API needs no CSRF token;
# it must therefore never accept the session cookie as authentication.
csrf.exempt(bp)

PUBLIC_API_ENDPOINTS = frozenset({"api.openapi"})


def register_authenticator(app: Flask, authenticate: Callable[[str], User | None]) -> None:
    """Name the function that maps a bearer token's secret to its active owner, or None."""
    app.extensions["forum.api_authenticator"] = authenticate


def current_api_user() -> User:
    """The token's owner for this request (set by the before_request hook)."""
    user: User | None = g.get("api_user")
    if user is None:
        raise NotAuthenticated()
    return user


@bp.before_request
def _authenticate() -> None:
    endpoint = request.endpoint or ""
    if endpoint in PUBLIC_API_ENDPOINTS:
        return
    if request.method == "OPTIONS" and may_be_public(current_app, endpoint):
        return  # a CORS preflight never carries credentials; it reads nothing
    header = request.headers.get("Authorization", "")
    if not header.strip() and is_public_now(current_app, endpoint):
        # Public by a setting (register_public_endpoint(..., when=...)): anonymous is fine,
        # and a token sent anyway is still checked below, so a bad one is still a 401.
        return
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise NotAuthenticated("Send Authorization: Bearer <token>.")
    authenticate: Callable[[str], User | None] = current_app.extensions["forum.api_authenticator"]
    user = authenticate(secret.strip())
    if user is None:
        raise NotAuthenticated("The token is unknown, revoked, or its owner is deactivated.")
    if db.session.dirty:
        db.session.commit()  # record last_used_at before the route's own work
    g.api_user = user


def _api_client_key() -> str:
    user = g.get("api_user")
    return f"user:{user.id}" if user is not None else f"ip:{request.remote_addr}"


def _write_limit() -> str:
    return str(current_app.config["API_WRITE_RATE_LIMIT"])


limiter.limit(_write_limit, key_func=_api_client_key, methods=["POST", "PATCH", "PUT", "DELETE"])(
    bp
)
