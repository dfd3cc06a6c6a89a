"""Sign in with the organization's OpenID Provider: Authorization Code with PKCE, via Authlib.

Authlib keeps the state, nonce and PKCE verifier in the (signed cookie) session, so any worker
or host can finish a sign-in another one started. It checks the state, exchanges the code,
and validates the ID token: signature from the provider's keys, issuer, audience, nonce and
times. The accounts service decides which local account that identity is (services/sso.py).

Authlib, joserfc and requests are imported only where a sign-in uses them: together they are
about 16 MB in every web worker of a forum that has no provider configured (issue 11).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, abort, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from forum.accounts import bp, forms
from forum.accounts.services import sso
from forum.accounts.signing_in import sign_in_browser
from forum.core.errors import Invalid, NotPermitted
from forum.core.security import safe_next_url
from forum.core.web import base_url
from forum.extensions import db

logger = logging.getLogger(__name__)

CLIENT = "forum.sso_client"
_NEXT = "sso_next"
# The provider and our token endpoint call may each take this long before we give up.
HTTP_TIMEOUT_SECONDS = 10


def init_sso(app: Flask) -> None:
    """Register the provider's client on this app (one per app: tests build several)."""
    issuer = app.config.get("OIDC_ISSUER")
    if not issuer:
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    oauth.register(
        "provider",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": app.config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "default_timeout": HTTP_TIMEOUT_SECONDS,
        },
    )
    app.extensions[CLIENT] = oauth.create_client("provider")


def _client() -> Any:  # Authlib's client classes are untyped
    client = current_app.extensions.get(CLIENT)
    if client is None:
        abort(404)
    return client


def _refused(message: str, status: int) -> ResponseReturnValue:
    """Back to the sign-in page with the reason; nothing of the failed attempt is kept."""
    db.session.rollback()
    logger.warning("single sign-on refused (%s): %s", status, message)
    form = forms.LoginForm()
    return (
        render_template("accounts/login.html", form=form, next_url="/", sso_error=message),
        status,
    )


def _provider_name() -> str:
    return str(current_app.config["OIDC_DISPLAY_NAME"])


@bp.get("/login/sso")
def sso_start() -> ResponseReturnValue:
    import requests

    client = _client()
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url)
    issuer = current_app.config["OIDC_ISSUER"]
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError):
        return _refused(
            f"{_provider_name()} cannot be reached right now. Try again in a minute.", 503
        )
    if metadata.get("issuer") != issuer:
        # OpenID Connect Discovery: the document must name exactly the issuer we asked.
        return _refused(
            f"{_provider_name()} answered as a different issuer than this forum trusts, so "
            "its sign-in cannot be used. Ask an administrator to check OIDC_ISSUER.",
            503,
        )
    session[_NEXT] = next_url
    return client.authorize_redirect(base_url() + url_for("accounts.sso_callback"))


@bp.get("/login/sso/callback")
def sso_callback() -> ResponseReturnValue:
    import requests
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
    from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError

    client = _client()
    config = current_app.config
    issuer = config["OIDC_ISSUER"]
    name = _provider_name()
    try:
        token = client.authorize_access_token(
            leeway=int(config["OIDC_CLOCK_SKEW_SECONDS"]),
            claims_options={"iss": {"essential": True, "values": [issuer]}},
        )
    except MismatchingStateError:
        return _refused(
            "This sign-in link has expired or was already used. Start again below.", 400
        )
    except OAuthError as exc:
        return _refused(f"{name} did not sign you in ({exc.error or 'refused'}). Try again.", 400)
    except ExpiredTokenError:
        return _refused(
            f"The sign-in answer from {name} has expired (the clocks may disagree). "
            "Try again; if it keeps failing, ask an administrator.",
            400,
        )
    except InvalidClaimError as exc:
        reason = "it came from an issuer" if exc.claim == "iss" else "it is meant for a site"
        return _refused(f"The sign-in answer was refused: {reason} this forum does not trust.", 400)
    except (AuthlibBaseError, JoseError):
        return _refused(f"The sign-in answer from {name} could not be verified. Try again.", 400)
    except requests.RequestException:
        return _refused(f"{name} cannot be reached right now. Try again in a minute.", 503)
    claims = dict(token.get("userinfo") or {})
    if config["OIDC_EMAIL_CLAIM"] not in claims:
        claims = _with_userinfo(client, token, claims)
    try:
        identity = sso.identity_from_claims(claims, issuer=issuer, settings=config)
        user = sso.sign_in(identity, config, ip=request.remote_addr)
    except (Invalid, NotPermitted) as exc:
        return _refused(exc.message, exc.status)
    sign_in_browser(user, remember=False, single_sign_on=True)
    return redirect(safe_next_url(session.pop(_NEXT, None)))


def _with_userinfo(client: Any, token: dict[str, Any], claims: dict[str, Any]) -> dict[str, Any]:
    """Providers that keep the email out of the ID token give it at the userinfo endpoint;
    its claims count only for the same subject."""
    import requests
    from authlib.common.errors import AuthlibBaseError

    try:
        info = client.userinfo(token=token)
    except (requests.RequestException, AuthlibBaseError, ValueError):
        return claims
    if info.get("sub") != claims.get("sub"):
        return claims
    return {**info, **claims}
