"""HTML routes of two-factor sign-in: the second sign-in step, enrolment and turning it off
in one's settings, the admins' requirement, and the redirect to enrolment it causes."""

from __future__ import annotations

import datetime as dt

import segno
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
from flask_login import current_user, login_required

from forum.accounts import bp, forms
from forum.accounts.models import Role, User
from forum.accounts.permissions import admin_required
from forum.accounts.services import signin, twofactor
from forum.accounts.signing_in import ENROL_KEY, PENDING_KEY, sign_in_browser
from forum.core.db import utcnow
from forum.core.errors import Invalid, Throttled
from forum.core.forms import require_action, submit
from forum.core.security import safe_next_url
from forum.extensions import db

# Pages a person who must set up two-factor sign-in may still open.
ENROL_ENDPOINTS = frozenset(
    {
        "accounts.two_factor",
        "accounts.two_factor_begin",
        "accounts.two_factor_confirm",
        "accounts.logout",
        "static",
    }
)


def _pending_user() -> tuple[User, dict[str, object]] | None:
    """The person who passed the password step in this browser, while the step is fresh."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    try:
        since = dt.datetime.fromisoformat(str(pending["since"]))
        user = db.session.get(User, int(pending["user"]))
    except (KeyError, TypeError, ValueError):
        return None
    fresh = utcnow() - since < dt.timedelta(seconds=current_app.config["TWO_FACTOR_STEP_SECONDS"])
    # A password change or deactivation since the first step voids it.
    if (
        user is None
        or not fresh
        or not user.is_active
        or pending.get("stamp") != user.session_token
    ):
        return None
    return user, pending


@bp.route("/login/two-factor", methods=["GET", "POST"])
def login_two_factor() -> ResponseReturnValue:
    found = _pending_user()
    if found is None:
        session.pop(PENDING_KEY, None)
        flash("Sign in with your password first.", "info")
        return redirect(url_for("accounts.login"))
    user, pending = found
    form = forms.TwoFactorCodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            twofactor.verify_sign_in(
                user,
                form.code.data or "",
                ip=request.remote_addr,
                settings=current_app.config,
                known_device=request.cookies.get(signin.KNOWN_DEVICE_COOKIE),
            )
        except Throttled as exc:
            db.session.rollback()
            return (
                render_template("accounts/login_two_factor.html", form=form, throttled=exc.message),
                429,
                {"Retry-After": str(exc.retry_after)},
            )
        except Invalid as exc:
            db.session.commit()  # keep the failed attempt: it feeds the throttle
            form.code.errors = [exc.fields.get("code", exc.message)]
            status = 400
        else:
            session.pop(PENDING_KEY, None)
            sign_in_browser(user, remember=bool(pending.get("remember")))
            return redirect(safe_next_url(str(pending.get("next") or "")))
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login_two_factor.html", form=form), status


def _two_factor_page(status: int = 200, **context: object) -> ResponseReturnValue:
    user: User = current_user  # type: ignore[assignment]
    record = twofactor.enrolment(user)
    enabled = record is not None and record.confirmed_at is not None
    uri = (
        twofactor.provisioning_uri(record, current_app.config["TWO_FACTOR_ISSUER"])
        if record is not None and not enabled
        else None
    )
    return render_template(
        "accounts/two_factor.html",
        record=record,
        enabled=enabled,
        uri=uri,
        # An SVG image in a data: URI (the CSP allows data: images): no script, no extra route.
        qr_code=segno.make(uri, error="m").svg_data_uri(scale=5) if uri else None,
        remaining=twofactor.remaining_recovery_codes(user) if enabled else 0,
        required=twofactor.applies_to(user),
        confirm_form=context.pop("confirm_form", None) or forms.TwoFactorConfirmForm(),
        disable_form=context.pop("disable_form", None) or forms.TwoFactorDisableForm(),
        **context,
    ), status


@bp.get("/settings/two-factor")
@login_required
def two_factor() -> ResponseReturnValue:
    return _two_factor_page()


@bp.post("/settings/two-factor/begin")
@login_required
def two_factor_begin() -> ResponseReturnValue:
    require_action()
    twofactor.begin_enrolment(current_user)
    db.session.commit()
    return redirect(url_for("accounts.two_factor"))


@bp.post("/settings/two-factor/confirm")
@login_required
def two_factor_confirm() -> ResponseReturnValue:
    form = forms.TwoFactorConfirmForm()
    outcome = submit(
        form,
        lambda: twofactor.confirm_enrolment(current_user, form.code.data or ""),
        success="Two-factor sign-in is on.",
    )
    if not outcome.saved:
        return _two_factor_page(outcome.status, confirm_form=form)
    session.pop(ENROL_KEY, None)
    # Shown once, on this response only: the database keeps their hashes.
    return _two_factor_page(201, recovery_codes=outcome.value)


@bp.post("/settings/two-factor/disable")
@login_required
def two_factor_disable() -> ResponseReturnValue:
    form = forms.TwoFactorDisableForm()
    outcome = submit(
        form,
        lambda: twofactor.disable(current_user, form.password.data or "", form.code.data or ""),
        success="Two-factor sign-in is off.",
    )
    if not outcome.saved:
        return _two_factor_page(outcome.status, disable_form=form)
    return redirect(url_for("accounts.two_factor"))


@bp.route("/admin/two-factor", methods=["GET", "POST"])
@admin_required
def admin_two_factor() -> ResponseReturnValue:
    form = forms.TwoFactorPolicyForm(data={"required": twofactor.is_required()})
    outcome = submit(
        form,
        lambda: twofactor.set_required(current_user, bool(form.required.data)),
        success="Two-factor requirement saved.",
    )
    if outcome.saved:
        return redirect(url_for("accounts.admin_two_factor"))
    return render_template(
        "accounts/admin_two_factor.html",
        form=form,
        people=twofactor.people_it_applies_to(),
        Role=Role,
    ), outcome.status


@bp.before_app_request
def _send_to_enrolment() -> ResponseReturnValue | None:
    """A person the organization requires two-factor sign-in of sets it up before anything
    else (the flag is set at sign-in, so pages do no query for it)."""
    if not session.get(ENROL_KEY) or request.endpoint in ENROL_ENDPOINTS:
        return None
    if request.blueprint == "api" or not current_user.is_authenticated:
        return None
    if request.method == "GET":
        flash("Your organization requires two-factor sign-in: set it up to continue.", "info")
    return redirect(url_for("accounts.two_factor"))
