"""HTML routes for signing in and out, sign-up, invitations and password resets (one's own
settings are in settings_views.py)."""

from __future__ import annotations

import logging

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user

from forum.accounts import bp, forms, services
from forum.accounts.models import User
from forum.accounts.services import resets, sessions, signin
from forum.accounts.signing_in import (
    begin_second_step,
    open_session,
    password_sign_in_off,
    sign_in_browser,
    signed_in,
)
from forum.core.errors import Invalid, Throttled
from forum.core.forms import require_action, submit
from forum.core.security import safe_next_url
from forum.extensions import db, limiter

logger = logging.getLogger(__name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    next_url = safe_next_url(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = forms.LoginForm()
    status = 200
    if not current_app.config["PASSWORD_SIGN_IN"]:
        return password_sign_in_off(form, next_url)
    if form.validate_on_submit():
        try:
            user = signin.authenticate(
                form.email.data or "",
                form.password.data or "",
                ip=request.remote_addr,
                settings=current_app.config,
                known_device=request.cookies.get(signin.KNOWN_DEVICE_COOKIE),
            )
        except Throttled as exc:
            db.session.rollback()
            return (
                render_template(
                    "accounts/login.html", form=form, next_url=next_url, throttled=exc.message
                ),
                429,
                {"Retry-After": str(exc.retry_after)},
            )
        except Invalid as exc:
            db.session.commit()  # keep the failed attempt: it feeds the throttle
            form.password.errors = [exc.message]
            status = 400
        else:
            remember = bool(form.remember.data)
            if services.twofactor.is_enabled(user):
                db.session.commit()  # the forgiven failures; not signed in yet
                begin_second_step(user, remember=remember, next_url=next_url)
                return redirect(url_for("accounts.login_two_factor"))
            signin.signed_in(user, ip=request.remote_addr)
            sign_in_browser(user, remember=remember)
            return redirect(next_url)
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form, next_url=next_url), status


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    require_action()
    # End the session on the server: a copy of the session or remember-me cookie is dead now.
    sessions.end_current(current_user)
    db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.login"))


def _signup_limit() -> str:
    return str(current_app.config["SIGNUP_RATE_LIMIT"])


# Each sign-up (or accepted invitation) creates an account and hashes a password: per client
# IP, so a script cannot fill the staff list or burn CPU. Sign-in and resets count in the
# database instead (services/signin.py, services/resets.py).
signup_rate_limit = limiter.limit(_signup_limit, key_func=get_remote_address, methods=["POST"])


@bp.route("/signup", methods=["GET", "POST"])
@signup_rate_limit
def signup() -> ResponseReturnValue:
    domains = current_app.config["ALLOWED_EMAIL_DOMAINS"]
    if not domains:
        # Closed: say so, with no form to fill in for nothing.
        status = 403 if request.method == "POST" else 200
        return render_template("accounts/signup_closed.html"), status
    form = forms.SignUpForm()
    form.department.choices = forms.department_choices(services.list_departments(), "Choose later")

    def sign_up() -> User:
        user = services.sign_up(
            form.email.data or "",
            display_name=form.display_name.data or "",
            password=form.password.data or "",
            department=services.department_for_form(form.department.data),
            allowed_domains=domains,
            min_password_length=current_app.config["PASSWORD_MIN_LENGTH"],
        )
        open_session(user, remember=False)
        return user

    outcome = submit(form, sign_up, success="Welcome! Your account is ready.")
    if outcome.saved:
        signed_in(outcome.value, remember=False)
        return redirect(url_for("boards.index"))
    return render_template("accounts/signup.html", form=form, domains=domains), outcome.status


@bp.route("/invite/<token>", methods=["GET", "POST"])
@signup_rate_limit
def accept_invitation(token: str) -> ResponseReturnValue:
    invitation = services.invitation_for_token(token)
    if services.user_by_email(invitation.email) is not None:
        # Another invitation to this address was accepted first.
        return render_template("accounts/invitation_used.html", invitation=invitation), 409
    form = forms.AcceptInvitationForm()

    def accept() -> User:
        user = services.accept_invitation(
            token,
            display_name=form.display_name.data or "",
            password=form.password.data or "",
            min_password_length=current_app.config["PASSWORD_MIN_LENGTH"],
        )
        if current_user.is_authenticated:
            sessions.end_current(current_user)
        open_session(user, remember=False)
        return user

    outcome = submit(form, accept, success="Welcome! Your account is ready.")
    if outcome.saved:
        if current_user.is_authenticated:
            logout_user()
        signed_in(outcome.value, remember=False)
        return redirect(url_for("boards.index"))
    return render_template(
        "accounts/accept_invitation.html", form=form, invitation=invitation
    ), outcome.status


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password() -> ResponseReturnValue:
    if not current_app.config["PASSWORD_SIGN_IN"]:
        return password_sign_in_off(forms.LoginForm(), "/", explain=True)
    form = forms.ForgotPasswordForm()
    try:
        outcome = submit(
            form,
            lambda: resets.request_reset(
                form.email.data or "", ip=request.remote_addr, settings=current_app.config
            ),
            catch=(Invalid,),
        )
    except Throttled as exc:
        return (
            render_template("accounts/forgot_password.html", form=form, throttled=exc.message),
            429,
            {"Retry-After": str(exc.retry_after)},
        )
    if outcome.saved:
        flash("If that address has an account, a reset link is on its way.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form), outcome.status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    resets.reset_token_record(token)
    form = forms.ResetPasswordForm()
    outcome = submit(
        form,
        lambda: resets.complete_reset(
            token,
            form.password.data or "",
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
            ip=request.remote_addr,
        ),
        success="Your password is changed. Sign in with the new one.",
    )
    if outcome.saved:
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), outcome.status
