"""HTTP rules of the public verify answers (/verify, /verify/<key>, /api/v1/verify): who may
ask while PUBLIC_VERIFY is on, the per-IP throttle, caching headers and CORS."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from forum.extensions import limiter

# Endpoints that PUBLIC_VERIFY opens to people who are not signed in.
PUBLIC_VERIFY_ENDPOINTS = ("registry.public_verify", "registry.badge", "api.verify")
# Seconds a browser or shared cache may keep a public answer; "not ours" is kept for less, so
# an account registered a moment ago is soon confirmed.
FOUND_MAX_AGE = 300
NOT_FOUND_MAX_AGE = 60


def public_verify_on(app: Flask) -> bool:
    return bool(app.config.get("PUBLIC_VERIFY"))


def signed_in() -> bool:
    """A member of staff asks: a bearer token on the API (which never reads the session
    cookie), a session on the pages."""
    if request.blueprint == "api":
        return g.get("api_user") is not None
    return bool(current_user and not getattr(current_user, "is_anonymous", True))


def _verify_limit() -> str:
    return str(current_app.config["VERIFY_RATE_LIMIT"])


# One count per client IP for the page and the API together; staff are not counted (an office
# shares one address, and staff verify all day).
verify_rate_limit = limiter.shared_limit(
    _verify_limit,
    scope="public-verify",
    key_func=get_remote_address,
    methods=["GET"],
    exempt_when=signed_in,
)


def mark_not_ours() -> None:
    """The answer being sent is "not ours" (the page says so with a 200): cache it briefly."""
    g.public_verify_not_ours = True


def cache_headers(response: Response, *, vary: str) -> Response:
    """Public answers may be cached (shorter for "not ours"); a signed-in answer, an error or a
    throttled request is never stored. `vary` names what tells anonymous and staff apart."""
    response.vary.add(vary)
    if signed_in():
        response.headers["Cache-Control"] = "private, no-store"
    elif response.status_code == 404 or (
        response.status_code == 200 and g.get("public_verify_not_ours")
    ):
        response.headers["Cache-Control"] = f"public, max-age={NOT_FOUND_MAX_AGE}"
    elif response.status_code == 200:
        response.headers["Cache-Control"] = f"public, max-age={FOUND_MAX_AGE}"
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


def cors_headers(response: Response) -> Response:
    """Any site may read the answer from a browser, without cookies or credentials."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    return response
