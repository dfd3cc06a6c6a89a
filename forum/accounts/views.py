"""HTML routes for signing in and out, invitations, passwords and personal settings."""

from __future__ import annotations

import logging

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm

from forum.accounts import bp, forms, services
from forum.accounts.models import User
from forum.accounts.services import resets, sessions, signin
from forum.accounts.signing_in import (
    PENDING_KEY,
    open_session,
    password_sign_in_off,
    sign_in_browser,
    signed_in,
)
from forum.core.clock import organization_zone_name
from forum.core.db import utcnow
from forum.core.errors import Invalid, Throttled
from forum.core.forms import require_action, submit
from forum.core.ids import parse_id
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
                session[PENDING_KEY] = {
                    "user": user.id,
                    "stamp": user.session_token,
                    "since": utcnow().isoformat(),
                    "remember": remember,
                    "next": next_url,
                }
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


def _settings_page(status: int = 200, **forms_given: FlaskForm) -> ResponseReturnValue:
    user: User = current_user  # type: ignore[assignment]
    profile_form = forms_given.get("profile_form") or forms.ProfileForm(
        display_name=user.display_name,
        email_preference=user.email_preference,
        time_zone=user.time_zone or "",
    )
    profile_form.offer_time_zones(organization_zone_name())
    away_form = forms_given.get("away_form") or _stored_away_form(user)
    away_form.cover.choices = _cover_choices(user, away_form.cover.data)
    return render_template(
        "accounts/settings.html",
        profile_form=profile_form,
        away_form=away_form,
        password_form=forms_given.get("password_form") or forms.ChangePasswordForm(),
        token_form=forms_given.get("token_form") or forms.ApiTokenForm(),
        tokens=services.list_api_tokens(user),
        new_token=forms_given.get("new_token_secret"),
        sign_ins=sessions.list_live(user),
        this_sign_in=sessions.current(user),
        describe_device=sessions.describe_device,
        two_factor_on=services.twofactor.is_enabled(user),
    ), status


@bp.get("/settings")
@login_required
def settings() -> ResponseReturnValue:
    return _settings_page()


@bp.post("/settings/profile")
@login_required
def settings_profile() -> ResponseReturnValue:
    form = forms.ProfileForm()
    outcome = submit(
        form,
        lambda: services.update_profile(
            current_user,
            display_name=form.display_name.data or "",
            email_preference=form.email_preference.data or "",
            time_zone=form.time_zone.data or "",
        ),
        success="Settings saved.",
    )
    if outcome.saved:
        return redirect(url_for("accounts.settings"))
    return _settings_page(outcome.status, profile_form=form)


def _stored_away_form(user: User) -> forms.AwayForm:
    """The away form as saved, with a field error when the saved cover can no longer stand in
    (escalations then pass them over)."""
    form = forms.AwayForm(
        away_from=user.away_from, away_until=user.away_until, cover=str(user.cover_user_id or "")
    )
    problem = services.cover_problem(user, user.cover_user)
    if problem is not None:
        form.cover.errors = [problem]
    return form


def _cover_choices(user: User, selected: str | None) -> list[tuple[str, str]]:
    """Nobody, then the colleagues who may cover (marked when away); a chosen person who may
    not is kept in the list, so the page shows that choice next to its error, not "Nobody"."""
    people = services.cover_candidates(user)
    selected_id = parse_id(selected)
    if selected_id is not None and all(p.id != selected_id for p in people):
        chosen = db.session.get(User, selected_id)
        if chosen is not None:
            people.append(chosen)
    today = utcnow().date()
    return [("", "Nobody")] + [
        (
            str(p.id),
            f"{p.display_name} ({p.email})"
            + (f", away until {p.away_until:%d %b}" if p.is_away(today) and p.away_until else "")
            + (", away" if p.is_away(today) and not p.away_until else ""),
        )
        for p in people
    ]


@bp.post("/settings/away")
@login_required
def settings_away() -> ResponseReturnValue:
    form = forms.AwayForm()
    # Any active colleague passes the form, so the service's message says why one cannot cover.
    form.cover.choices = [("", "Nobody")] + [
        (str(u.id), u.display_name) for u in services.list_users(include_inactive=False)
    ]
    outcome = submit(
        form,
        lambda: services.set_away(
            current_user,
            away_from=form.away_from.data,
            away_until=form.away_until.data,
            cover=db.session.get(User, int(form.cover.data)) if form.cover.data else None,
        ),
        success="Away status saved.",
    )
    if not outcome.saved:
        return _settings_page(outcome.status, away_form=form)
    for warning in outcome.value:
        flash(warning, "warning")
    return redirect(url_for("accounts.settings"))


@bp.post("/settings/password")
@login_required
def settings_password() -> ResponseReturnValue:
    form = forms.ChangePasswordForm()
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    this_sign_in = sessions.current(user)
    remembered = bool(this_sign_in and this_sign_in.is_remembered)

    def change() -> None:
        services.change_password(
            user,
            form.current_password.data or "",
            form.new_password.data or "",
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
            ip=request.remote_addr,
        )
        # Every sign-in ended, this one too: continue here under a fresh one.
        open_session(user, remember=remembered)

    outcome = submit(
        form,
        change,
        success="Password changed. Your other devices are signed out and your API tokens revoked.",
    )
    if not outcome.saved:
        return _settings_page(outcome.status, password_form=form)
    signed_in(user, remember=remembered)
    return redirect(url_for("accounts.settings"))


@bp.post("/settings/sessions/<id:session_id>/end")
@login_required
def settings_session_end(session_id: int) -> ResponseReturnValue:
    require_action()
    this_sign_in = sessions.current(current_user)
    sessions.end_one(current_user, session_id)
    db.session.commit()
    if this_sign_in is not None and this_sign_in.id == session_id:
        logout_user()
        flash("You are signed out.", "info")
        return redirect(url_for("accounts.login"))
    flash("That device is signed out.", "success")
    return redirect(url_for("accounts.settings"))


@bp.post("/settings/sessions/end-all")
@login_required
def settings_sessions_end_all() -> ResponseReturnValue:
    require_action()
    sessions.sign_out_everywhere(current_user, ip=request.remote_addr)
    db.session.commit()
    logout_user()
    flash("You are signed out on every device.", "info")
    return redirect(url_for("accounts.login"))


@bp.post("/settings/tokens")
@login_required
def settings_token_create() -> ResponseReturnValue:
    form = forms.ApiTokenForm()
    if not form.validate_on_submit():
        return _settings_page(400, token_form=form)
    _token, secret = services.create_api_token(current_user, form.name.data or "")
    db.session.commit()
    return _settings_page(201, new_token_secret=secret)  # type: ignore[arg-type]


@bp.post("/settings/tokens/<id:token_id>/revoke")
@login_required
def settings_token_revoke(token_id: int) -> ResponseReturnValue:
    require_action()
    services.revoke_api_token(current_user, token_id)
    db.session.commit()
    flash("Token revoked.", "success")
    return redirect(url_for("accounts.settings"))
