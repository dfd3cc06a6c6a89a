"""App-wide request handling: deny-by-default sign-in, input screening, headers, errors, health."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from flask import (
    Flask,
    Response,
    current_app,
    has_request_context,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy import text
from sqlalchemy.exc import DataError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from forum.core import clock, formatting, navigation
from forum.core.errors import ForumError, Invalid
from forum.core.markup_policy import normalize_hosts
from forum.core.security import find_unstorable
from forum.extensions import db, login_manager

logger = logging.getLogger(__name__)

# Links made absolute outside a request (the worker) when FORUM_BASE_URL is unset (development).
DEFAULT_BASE_URL = "http://127.0.0.1:5000"

# Endpoints anyone may reach without signing in; everything else redirects to /login.
PUBLIC_ENDPOINTS = {"static", "healthz", "favicon", "web_manifest"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src {img_src}; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def content_security_policy(image_hosts: Iterable[str]) -> str:
    """The CSP header: images only from the app and IMAGE_HOSTS, as markup renders them, so a
    tracking pixel that got past the renderer would still not load."""
    hosts = " ".join(f"https://{host}" for host in sorted(normalize_hosts(image_hosts)))
    return CSP.format(img_src=" ".join(filter(None, ["'self' data:", hosts])))


ERROR_TITLES = {
    400: "That request could not be understood",
    401: "Please sign in",
    403: "You do not have access to this",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "That conflicts with something that exists",
    413: "That upload is too large",
    422: "That could not be processed",
    429: "Too many requests",
    500: "Something went wrong on our side",
}


def base_url() -> str:
    """The site's public base URL, without a trailing slash, for absolute links.

    FORUM_BASE_URL when set (production must set it, so a forged Host header cannot steer
    links in password-reset or invitation emails). Unset, in development: the request's own
    host, so links work wherever the app is browsed from; outside a request, DEFAULT_BASE_URL.
    """
    configured = current_app.config.get("FORUM_BASE_URL")
    if configured:
        return str(configured).rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return DEFAULT_BASE_URL


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(
    status: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    retry_after: int | None = None,
) -> Response:
    """One error shape: JSON under /api/, an HTML page elsewhere; never internals."""
    if wants_json():
        body: dict[str, object] = {"code": code, "message": message}
        if fields:
            body["fields"] = fields
        response = jsonify({"error": body})
    else:
        title = ERROR_TITLES.get(status, "Error")
        try:
            html = render_template(
                "errors/error.html",
                status=status,
                title=title,
                message=message,
                fields=fields or {},
            )
        except Exception:
            # The error page itself failed (e.g. the database is down): answer plainly.
            logger.exception("error page could not be rendered")
            db.session.rollback()
            html = (
                f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
                f"<p>{escape(message)}</p>"
            )
        response = make_response(html)
    response.status_code = status
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def init_app(app: Flask) -> None:
    clock.init_app(app)
    formatting.init_app(app)
    app.context_processor(navigation.page_chrome)
    app.jinja_env.globals["fixed_url"] = navigation.fixed_url

    @app.before_request
    def _screen_input() -> ResponseReturnValue | None:
        max_length = int(current_app.config["MAX_FIELD_LENGTH"])
        problems = find_unstorable(request.args.items(multi=True), max_length)
        if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
            if request.mimetype == "application/json":
                data = request.get_json(silent=True)
                if data is None and request.get_data():
                    raise Invalid(
                        "The body is not valid UTF-8 JSON.", fields={"body": "Expected UTF-8 JSON."}
                    )
                problems |= find_unstorable(
                    {"": data} if not isinstance(data, dict) else data, max_length
                )
            else:
                problems |= find_unstorable(request.form.items(multi=True), max_length)
                for name, upload in request.files.items():
                    if upload.filename and "\x00" in upload.filename:
                        problems[name] = "The file name contains a NUL character."
        if problems:
            raise Invalid("Some input cannot be stored.", fields=problems)
        return None

    @app.before_request
    def _require_sign_in() -> ResponseReturnValue | None:
        endpoint = request.endpoint
        if (
            endpoint is None
            or endpoint in PUBLIC_ENDPOINTS
            or endpoint in app.extensions.get("forum.public_endpoints", ())
            or endpoint.startswith("api.")
            or is_public_now(app, endpoint)
        ):
            return None
        if not current_user.is_authenticated:
            return redirect(
                url_for(str(login_manager.login_view), next=request.full_path.rstrip("?"))
            )
        return None

    csp = content_security_policy(app.config.get("IMAGE_HOSTS") or ())

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # is_anonymous, not is_authenticated: that reads is_active, and after the view's
        # commit expired the person's row, it would load it again on every write.
        if current_user and not getattr(current_user, "is_anonymous", True):
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response

    def _secure_cookies_over_https(response: Response) -> Response:
        """Mark cookies Secure whenever the request came over https, whatever the static
        configuration says, so one deployment works both behind TLS and in development."""
        if request.is_secure:
            cookies = response.headers.getlist("Set-Cookie")
            if cookies:
                response.headers.remove("Set-Cookie")
                for cookie in cookies:
                    if "; secure" not in cookie.lower():
                        cookie += "; Secure"
                    response.headers.add("Set-Cookie", cookie)
        return response

    # after_request hooks run in reverse order of registration: index 0 runs last, after
    # Flask-Login has set the remember-me cookie.
    app.after_request_funcs.setdefault(None, []).insert(0, _secure_cookies_over_https)
    app.session_interface = HttpsAwareSessionInterface()

    app.add_url_rule("/admin", "admin_hub", navigation.admin_hub)

    # Browsers and phones ask for these at the site root, signed in or not.
    @app.get("/favicon.ico")
    def favicon() -> ResponseReturnValue:
        return send_from_directory(str(app.static_folder), "favicon.ico", max_age=86400)

    @app.get("/manifest.webmanifest")
    def web_manifest() -> ResponseReturnValue:
        return send_from_directory(
            str(app.static_folder),
            "manifest.webmanifest",
            mimetype="application/manifest+json",
            max_age=3600,
        )

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            db.session.rollback()
            logger.exception("health check: database unreachable")
            return jsonify({"status": "error", "database": "unreachable"}), 503
        return jsonify({"status": "ok"})

    @app.errorhandler(ForumError)
    def _forum_error(error: ForumError) -> ResponseReturnValue:
        db.session.rollback()
        return error_response(
            error.status,
            error.code,
            error.message,
            error.fields,
            retry_after=getattr(error, "retry_after", None),
        )

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> ResponseReturnValue:
        return error_response(
            400,
            "csrf",
            "The form expired or was not sent from this site. "
            "Go back, reload the page and try again.",
        )

    @app.errorhandler(DataError)
    def _data_error(error: DataError) -> ResponseReturnValue:
        db.session.rollback()
        logger.warning("database refused a value: %s", type(error.orig).__name__)
        return error_response(
            400,
            "invalid",
            "Some input cannot be stored (too long or contains characters the database refuses).",
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        if status == 429:
            message = "Too many requests. Wait a minute and try again."
            return error_response(429, "rate_limited", message, retry_after=60)
        codes = {
            400: "bad_request",
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
        }
        message = {
            404: "There is nothing here.",
            403: "You do not have access to this.",
            405: "That method is not allowed here.",
            413: "The upload is too large.",
        }.get(status, error.description or "")
        return error_response(status, codes.get(status, "error"), message)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> ResponseReturnValue:
        db.session.rollback()
        # The route pattern, not the path: a path may carry a secret (a reset token, a feed key).
        route = request.url_rule.rule if request.url_rule else "(no route)"
        logger.exception("unhandled error on %s %s", request.method, route)
        return error_response(
            500,
            "internal",
            "Please try again. If it keeps happening, tell an administrator the time it happened.",
        )


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure on https requests even when SESSION_COOKIE_SECURE is off."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            has_request_context() and request.is_secure
        )


def register_public_endpoint(
    app: Flask, *endpoints: str, when: Callable[[Flask], bool] | None = None
) -> None:
    """Let anonymous requests reach `endpoints`, which must authenticate them (or not need to).

    With `when`, only while `when(app)` is true (a setting such as PUBLIC_VERIFY, read at each
    request); otherwise they ask for sign-in like any page.
    """
    if when is None:
        app.extensions.setdefault("forum.public_endpoints", set()).update(endpoints)
        return
    conditions = app.extensions.setdefault("forum.public_endpoint_conditions", {})
    for endpoint in endpoints:
        conditions[endpoint] = when


def may_be_public(app: Flask, endpoint: str) -> bool:
    """Whether `endpoint` was registered as public under a condition (held now or not)."""
    return endpoint in app.extensions.get("forum.public_endpoint_conditions", {})


def is_public_now(app: Flask, endpoint: str) -> bool:
    """Whether `endpoint` is public at this moment (registered with a `when` that holds)."""
    when = app.extensions.get("forum.public_endpoint_conditions", {}).get(endpoint)
    return bool(when is not None and when(app))
