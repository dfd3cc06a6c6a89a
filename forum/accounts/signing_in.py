"""What every way of signing a browser in shares: the sign-in session, the known-device
cookie, and the sign-in page shown when only single sign-on is offered."""

from __future__ import annotations

from flask import Response, after_this_request, current_app, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_login import login_user
from flask_wtf import FlaskForm

from forum.accounts.models import User
from forum.accounts.services import sessions, signin, twofactor
from forum.core.db import utcnow
from forum.extensions import db


def open_session(user: User, *, remember: bool) -> None:
    """Record a sign-in session for this device, in the request's transaction."""
    sessions.start(
        user,
        remember=remember,
        lifetime=current_app.config["REMEMBER_COOKIE_DURATION"],
        ip=request.remote_addr,
        user_agent=request.user_agent.string,
    )


# The person who passed the password step and owes the two-factor code (twofactor_views).
PENDING_KEY = "two_factor_pending"
# Set at sign-in when the organization requires two-factor sign-in of the person and they have
# not set it up: pages send them to set it up (twofactor_views).
ENROL_KEY = "must_enrol_two_factor"


def begin_second_step(user: User, *, remember: bool, next_url: str) -> None:
    """The first sign-in step passed (the password, or a one-click email link): this browser
    owes the person's two-factor code (accounts.login_two_factor) before it is signed in. A
    password change or deactivation meanwhile voids the step (the stamp)."""
    session[PENDING_KEY] = {
        "user": user.id,
        "stamp": user.session_token,
        "since": utcnow().isoformat(),
        "remember": remember,
        "next": next_url,
    }


def signed_in(user: User, *, remember: bool, single_sign_on: bool = False) -> None:
    """After the commit: hand the session to Flask-Login, mark the browser as a known device
    of the person (which spares it the sign-in delays later), and note whether they must set
    up two-factor sign-in first (not after single sign-on: the provider's own second factor
    covers it)."""
    config = current_app.config
    login_user(user, remember=remember)
    session.pop(PENDING_KEY, None)
    if not single_sign_on and twofactor.must_enrol(user):
        session[ENROL_KEY] = True
    else:
        session.pop(ENROL_KEY, None)
    cookie = signin.known_device_cookie(
        user, config, request.cookies.get(signin.KNOWN_DEVICE_COOKIE)
    )

    @after_this_request
    def _mark_known_device(response: Response) -> Response:
        response.set_cookie(
            signin.KNOWN_DEVICE_COOKIE,
            cookie,
            max_age=int(config["KNOWN_DEVICE_DAYS"]) * 86400,
            httponly=True,
            samesite="Lax",
            secure=bool(config["REMEMBER_COOKIE_SECURE"]),
        )
        return response


def sign_in_browser(user: User, *, remember: bool, single_sign_on: bool = False) -> None:
    """Open a sign-in session for this device, commit, and sign the browser in."""
    open_session(user, remember=remember)
    db.session.commit()
    signed_in(user, remember=remember, single_sign_on=single_sign_on)


def password_sign_in_off(
    form: FlaskForm, next_url: str, *, explain: bool = False
) -> ResponseReturnValue:
    """Only single sign-on is offered: the sign-in page without the password form. A password
    (or a reset request) posted anyway is refused, not checked."""
    message = (
        "Sign-in with a password is turned off here: use "
        f"{current_app.config['OIDC_DISPLAY_NAME']}."
    )
    status = 403 if request.method == "POST" else 200
    shown = message if status == 403 or explain else None
    return render_template(
        "accounts/login.html", form=form, next_url=next_url, sso_error=shown
    ), status
