"""HTML routes for signing in and out, invitations, passwords, personal settings and admin."""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from forum.accounts import forms, services
from forum.accounts.models import Department, Role, User
from forum.accounts.permissions import require_role
from forum.core.errors import ForumError, Invalid, Throttled
from forum.core.mail import MailError, build_message, send_message
from forum.core.security import safe_next_url
from forum.extensions import db

logger = logging.getLogger(__name__)

bp = Blueprint("accounts", __name__)

PUBLIC_ENDPOINTS = frozenset(
    {
        "accounts.login",
        "accounts.signup",
        "accounts.accept_invitation",
        "accounts.forgot_password",
        "accounts.reset_password",
    }
)


def _apply_errors(form: FlaskForm, error: ForumError) -> None:
    """Show a service's field messages next to the matching inputs, the rest at the top."""
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
        else:
            flash(message, "error")
    if not error.fields:
        flash(error.message, "error")


def _send_account_mail(to: str, subject: str, text: str) -> None:
    """Account mail (invitations, resets) goes out at once; a failure is logged, not shown."""
    config = current_app.config
    try:
        send_message(
            config,
            build_message(config, to=to, subject=subject, text=text),
            current_app.instance_path,
        )
    except MailError as exc:
        logger.warning("account mail could not be sent: %s", exc)


def _department_choices(blank: str = "No department") -> list[tuple[str, str]]:
    return [("", blank)] + [(d.slug, d.name) for d in services.list_departments()]


def _department_from(slug: str | None) -> Department | None:
    if not slug:
        return None
    department = services.department_by_slug(slug)
    if department is None:
        raise Invalid(fields={"department": "Unknown department."})
    return department


def _absolute(endpoint: str, **values: Any) -> str:
    base = current_app.config["FORUM_BASE_URL"].rstrip("/")
    return base + url_for(endpoint, **values)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    next_url = safe_next_url(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = forms.LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.email.data or "",
                form.password.data or "",
                ip=request.remote_addr,
                settings=current_app.config,
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
            db.session.commit()
            login_user(user, remember=bool(form.remember.data))
            return redirect(next_url)
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form, next_url=next_url), status


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    form = forms.EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> ResponseReturnValue:
    domains = current_app.config["ALLOWED_EMAIL_DOMAINS"]
    form = forms.SignUpForm()
    form.department.choices = _department_choices("Choose later")
    status = 200
    if form.validate_on_submit():
        try:
            user = services.sign_up(
                form.email.data or "",
                display_name=form.display_name.data or "",
                password=form.password.data or "",
                department=_department_from(form.department.data),
                allowed_domains=domains,
                min_password_length=current_app.config["PASSWORD_MIN_LENGTH"],
            )
        except ForumError as exc:
            db.session.rollback()
            _apply_errors(form, exc)
            status = exc.status
        else:
            db.session.commit()
            login_user(user)
            flash("Welcome! Your account is ready.", "success")
            return redirect(url_for("boards.index"))
    elif request.method == "POST":
        status = 400
    return render_template("accounts/signup.html", form=form, domains=domains), status


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    invitation = services.invitation_for_token(token)
    form = forms.AcceptInvitationForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(
                token,
                display_name=form.display_name.data or "",
                password=form.password.data or "",
                min_password_length=current_app.config["PASSWORD_MIN_LENGTH"],
            )
        except ForumError as exc:
            db.session.rollback()
            _apply_errors(form, exc)
            status = exc.status
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            login_user(user)
            flash("Welcome! Your account is ready.", "success")
            return redirect(url_for("boards.index"))
    elif request.method == "POST":
        status = 400
    return render_template(
        "accounts/accept_invitation.html", form=form, invitation=invitation
    ), status


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password() -> ResponseReturnValue:
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        issued = services.start_password_reset(
            form.email.data or "", ttl_minutes=current_app.config["PASSWORD_RESET_TTL_MINUTES"]
        )
        db.session.commit()
        if issued is not None:
            user, token = issued
            minutes = current_app.config["PASSWORD_RESET_TTL_MINUTES"]
            _send_account_mail(
                user.email,
                "Reset your forum password",
                f"Hello {user.display_name},\n\nSomeone asked to reset your password. "
                f"Use this link within {minutes} minutes; it works once:\n\n"
                f"{_absolute('accounts.reset_password', token=token)}\n\n"
                "If it was not you, ignore this message: your password is unchanged.\n",
            )
        flash("If that address has an account, a reset link is on its way.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form), (
        400 if request.method == "POST" else 200
    )


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    services.reset_token_record(token)
    form = forms.ResetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.complete_password_reset(
                token,
                form.password.data or "",
                min_length=current_app.config["PASSWORD_MIN_LENGTH"],
            )
        except ForumError as exc:
            db.session.rollback()
            _apply_errors(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash("Your password is changed. Sign in with the new one.", "success")
            return redirect(url_for("accounts.login"))
    elif request.method == "POST":
        status = 400
    return render_template("accounts/reset_password.html", form=form), status


def _settings_page(status: int = 200, **forms_given: FlaskForm) -> ResponseReturnValue:
    user: User = current_user  # type: ignore[assignment]
    profile_form = forms_given.get("profile_form") or forms.ProfileForm(
        display_name=user.display_name, email_preference=user.email_preference
    )
    away_form = forms_given.get("away_form") or forms.AwayForm(
        away_from=user.away_from, away_until=user.away_until, cover=str(user.cover_user_id or "")
    )
    away_form.cover.choices = [("", "Nobody")] + [
        (str(u.id), f"{u.display_name} ({u.email})")
        for u in services.list_users(include_inactive=False)
        if u.id != user.id
    ]
    return render_template(
        "accounts/settings.html",
        profile_form=profile_form,
        away_form=away_form,
        password_form=forms_given.get("password_form") or forms.ChangePasswordForm(),
        token_form=forms_given.get("token_form") or forms.ApiTokenForm(),
        revoke_form=forms.EmptyForm(),
        tokens=services.list_api_tokens(user),
        new_token=forms_given.get("new_token_secret"),
    ), status


@bp.get("/settings")
@login_required
def settings() -> ResponseReturnValue:
    return _settings_page()


@bp.post("/settings/profile")
@login_required
def settings_profile() -> ResponseReturnValue:
    form = forms.ProfileForm()
    if not form.validate_on_submit():
        return _settings_page(400, profile_form=form)
    try:
        services.update_profile(
            current_user,
            display_name=form.display_name.data or "",
            email_preference=form.email_preference.data or "",
        )
    except ForumError as exc:
        db.session.rollback()
        _apply_errors(form, exc)
        return _settings_page(exc.status, profile_form=form)
    db.session.commit()
    flash("Settings saved.", "success")
    return redirect(url_for("accounts.settings"))


@bp.post("/settings/away")
@login_required
def settings_away() -> ResponseReturnValue:
    form = forms.AwayForm()
    form.cover.choices = [("", "Nobody")] + [
        (str(u.id), u.display_name) for u in services.list_users(include_inactive=False)
    ]
    if not form.validate_on_submit():
        return _settings_page(400, away_form=form)
    cover = db.session.get(User, int(form.cover.data)) if form.cover.data else None
    try:
        services.set_away(
            current_user,
            away_from=form.away_from.data,
            away_until=form.away_until.data,
            cover=cover,
        )
    except ForumError as exc:
        db.session.rollback()
        _apply_errors(form, exc)
        return _settings_page(exc.status, away_form=form)
    db.session.commit()
    flash("Away status saved.", "success")
    return redirect(url_for("accounts.settings"))


@bp.post("/settings/password")
@login_required
def settings_password() -> ResponseReturnValue:
    form = forms.ChangePasswordForm()
    if not form.validate_on_submit():
        return _settings_page(400, password_form=form)
    try:
        services.change_password(
            current_user,
            form.current_password.data or "",
            form.new_password.data or "",
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        )
    except ForumError as exc:
        db.session.rollback()
        _apply_errors(form, exc)
        return _settings_page(exc.status, password_form=form)
    db.session.commit()
    # The session token rotated: every other session and remember-me cookie is now void.
    login_user(current_user._get_current_object())  # type: ignore[attr-defined]
    flash("Password changed. Other devices have been signed out.", "success")
    return redirect(url_for("accounts.settings"))


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
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    services.revoke_api_token(current_user, token_id)
    db.session.commit()
    flash("Token revoked.", "success")
    return redirect(url_for("accounts.settings"))


# --- admin -----------------------------------------------------------------------------------


@bp.before_request
def _admin_only() -> None:
    if request.endpoint and request.endpoint.startswith("accounts.admin_"):
        require_role(current_user, Role.ADMIN)


def _invite_form() -> forms.InviteForm:
    form = forms.InviteForm()
    form.department.choices = _department_choices()
    return form


def _admin_users_page(
    status: int = 200, invite_form: forms.InviteForm | None = None, invite_link: str | None = None
) -> ResponseReturnValue:
    return render_template(
        "accounts/admin_users.html",
        users=services.list_users(),
        invite_form=invite_form or _invite_form(),
        invite_link=invite_link,
    ), status


@bp.get("/admin/users")
def admin_users() -> ResponseReturnValue:
    return _admin_users_page()


@bp.post("/admin/users/invite")
def admin_invite() -> ResponseReturnValue:
    form = _invite_form()
    if not form.validate_on_submit():
        return _admin_users_page(400, invite_form=form)
    try:
        _invitation, token = services.invite(
            form.email.data or "",
            role=form.role.data or Role.MEMBER,
            department=_department_from(form.department.data),
            invited_by=current_user,
            ttl_hours=current_app.config["INVITATION_TTL_HOURS"],
        )
    except ForumError as exc:
        db.session.rollback()
        _apply_errors(form, exc)
        return _admin_users_page(exc.status, invite_form=form)
    db.session.commit()
    link = _absolute("accounts.accept_invitation", token=token)
    _send_account_mail(
        form.email.data or "",
        "You are invited to the staff forum",
        f"{current_user.display_name} invited you to the staff forum.\n\n"
        f"Create your account with this link (valid "
        f"{current_app.config['INVITATION_TTL_HOURS']} hours, works once):\n\n{link}\n",
    )
    flash(f"Invitation sent to {form.email.data}.", "success")
    return _admin_users_page(201, invite_link=link)


def _admin_user_form(user: User) -> forms.AdminUserForm:
    form = forms.AdminUserForm(
        role=user.role,
        is_active=user.is_active,
        department=user.department.slug if user.department else "",
    )
    form.department.choices = _department_choices()
    return form


@bp.route("/admin/users/<id:user_id>", methods=["GET", "POST"])
def admin_user_edit(user_id: int) -> ResponseReturnValue:
    user = db.get_or_404(User, user_id)
    form = _admin_user_form(user)
    status = 200
    if form.validate_on_submit():
        try:
            services.admin_update_user(
                current_user,
                user,
                role=form.role.data,
                department=_department_from(form.department.data),
                is_active=bool(form.is_active.data),
            )
        except ForumError as exc:
            db.session.rollback()
            _apply_errors(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(f"{user.display_name} updated.", "success")
            return redirect(url_for("accounts.admin_users"))
    elif request.method == "POST":
        status = 400
    return render_template("accounts/admin_user_edit.html", user=user, form=form), status


@bp.route("/admin/departments", methods=["GET", "POST"])
def admin_departments() -> ResponseReturnValue:
    form = forms.DepartmentForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.create_department(
                current_user, slug=form.slug.data or "", name=form.name.data or ""
            )
        except ForumError as exc:
            db.session.rollback()
            _apply_errors(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash("Department created.", "success")
            return redirect(url_for("accounts.admin_departments"))
    elif request.method == "POST":
        status = 400
    return render_template(
        "accounts/admin_departments.html",
        form=form,
        departments=services.list_departments(),
        member_counts=services.department_member_counts(),
    ), status


@bp.post("/admin/departments/<id:department_id>")
def admin_department_rename(department_id: int) -> ResponseReturnValue:
    department = db.get_or_404(Department, department_id)
    form = forms.DepartmentRenameForm()
    if not form.validate_on_submit():
        flash("Enter a name of at most 200 characters.", "error")
        return redirect(url_for("accounts.admin_departments")), 303
    services.rename_department(current_user, department, name=form.name.data or "")
    db.session.commit()
    flash(f"Department renamed to {department.name}.", "success")
    return redirect(url_for("accounts.admin_departments"))
