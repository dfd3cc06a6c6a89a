"""HTML routes for one's own settings: profile, time zone, away and cover, password, sign-ins
and API tokens."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm

from forum.accounts import bp, forms, services
from forum.accounts.models import User
from forum.accounts.services import sessions
from forum.accounts.signing_in import open_session, signed_in
from forum.core.clock import organization_zone_name
from forum.core.db import utcnow
from forum.core.forms import require_action, submit
from forum.core.ids import parse_id
from forum.extensions import db


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
