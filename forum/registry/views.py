"""HTML pages of the registry: the table, a profile, register/edit, verify, import, export."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from forum.accounts import services as account_services
from forum.accounts.models import User
from forum.core import slots
from forum.core.db import utcnow
from forum.core.errors import ForumError, Invalid, NotFound, NotPermitted
from forum.core.forms import require_action, require_valid, submit
from forum.core.pagination import Page, page_number
from forum.core.security import new_token
from forum.core.web import base_url
from forum.extensions import db
from forum.registry import bp, forms, permissions, services
from forum.registry.models import ProfileStatus, SocialProfile

logger = logging.getLogger(__name__)

PER_PAGE = 50
_IMPORT_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _profile_form(profile: SocialProfile | None = None) -> forms.ProfileForm:
    form = forms.ProfileForm(data=services.current_values(profile) if profile else None)
    form.platform.choices = [SelectChoice("", "Choose a platform")] + [
        SelectChoice(p.slug, p.name) for p in services.list_platforms()
    ]
    form.department.choices = [SelectChoice("", "Choose a department")] + [
        SelectChoice(d.slug, d.name) for d in account_services.list_departments()
    ]
    if profile is None and request.method == "GET":
        form.department.data = current_user.department.slug if current_user.department else ""
        form.owner.data = current_user.email
        form.review_interval_months.data = 6
    return form


def _staff() -> list[User]:
    return account_services.list_users(include_inactive=False)


def _filters() -> dict[str, object]:
    args = request.args
    return {
        "department": args.get("department") or None,
        "platform": args.get("platform") or None,
        "status": args.get("status") or None,
        "attention": args.get("attention") in {"1", "true", "on"},
        "q": args.get("q") or None,
        "sort": args.get("sort") or "name",
        "descending": args.get("dir") == "desc",
    }


@bp.get("/profiles")
def index() -> ResponseReturnValue:
    filters = _filters()
    try:
        rows = services.list_profiles(**filters)  # type: ignore[arg-type]
    except Invalid as exc:
        flash("; ".join(exc.fields.values()) or exc.message, "error")
        return redirect(url_for("registry.index"))
    page_no = page_number(request.args.get("page"))
    page = Page(
        items=rows[(page_no - 1) * PER_PAGE : page_no * PER_PAGE],
        page=page_no,
        per_page=PER_PAGE,
        total=len(rows),
    )
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "registry/index.html",
        page=page,
        filters=filters,
        query=query,
        counts=services.attention_counts(rows),
        platforms=services.list_platforms(),
        departments=account_services.list_departments(),
        statuses=list(ProfileStatus),
        sorts=services.SORT_LABELS,
        attention_labels=services.ATTENTION_CODES,
        attention_slots=slots.fill(slots.REGISTRY_ATTENTION, viewer=current_user),
    )


@bp.get("/profiles/export.csv")
def export() -> ResponseReturnValue:
    filters = _filters()
    rows = services.list_profiles(**filters)  # type: ignore[arg-type]
    body = "\ufeff" + services.export_csv(row.profile for row in rows)
    stamp = utcnow().strftime("%Y%m%d")
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="social-profiles-{stamp}.csv"'},
    )


@bp.route("/profiles/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    form = _profile_form()
    outcome = submit(
        form,
        lambda: services.register_profile(current_user, form.values()),
        success=lambda profile: (
            "Registered."
            if profile.status == ProfileStatus.ACTIVE
            else "Proposed: a digital enthusiast of the department, a senior or an admin "
            "will approve it."
        ),
    )
    if outcome.saved:
        return redirect(url_for("registry.detail", profile_id=outcome.value.id))
    # Refused as a duplicate: link the record the account already has, to update it instead.
    duplicates = services.lookup(form.url.data or "") if outcome.status == 409 else []
    return render_template(
        "registry/new.html", form=form, staff=_staff(), duplicates=duplicates
    ), outcome.status


@bp.get("/profiles/<id:profile_id>")
def detail(profile_id: int) -> ResponseReturnValue:
    profile = services.get_profile(profile_id)
    today = utcnow().date()
    status_form = forms.StatusForm()
    status_form.status.choices = [
        SelectChoice(s.value, s.label) for s in services.allowed_transitions(current_user, profile)
    ]
    return render_template(
        "registry/detail.html",
        profile=profile,
        attention=services.needs_attention(profile, today),
        review_due=services.review_due_on(profile),
        history=services.history(profile, current_user),
        reviews=services.reviews(profile),
        references=services.references_for(profile, current_user),
        verdict=services.verdict(profile),
        status_form=status_form,
        review_form=forms.ReviewForm(),
        link_form=forms.LinkThreadForm(),
        can_edit=permissions.can_edit(current_user, profile),
        badge_url=(
            base_url() + url_for("registry.badge", badge_key=profile.badge_key)
            if services.badge_available(profile)
            else None
        ),
    )


@bp.route("/profiles/<id:profile_id>/edit", methods=["GET", "POST"])
def edit(profile_id: int) -> ResponseReturnValue:
    profile = services.get_profile(profile_id)
    if not permissions.can_edit(current_user, profile):
        raise NotPermitted(
            "Only the owners, the department's enthusiasts, seniors and admins edit this."
        )
    form = _profile_form(profile)
    outcome = submit(
        form,
        lambda: services.update_profile(current_user, profile, form.values()),
        success=lambda changes: f"Saved ({len(changes)} change{'s' if len(changes) != 1 else ''}).",
    )
    if outcome.saved:
        return redirect(url_for("registry.detail", profile_id=profile.id))
    return render_template(
        "registry/edit.html", form=form, profile=profile, staff=_staff()
    ), outcome.status


@bp.post("/profiles/<id:profile_id>/status")
def change_status(profile_id: int) -> ResponseReturnValue:
    profile = services.get_profile(profile_id)
    form = forms.StatusForm()
    require_valid(form)
    services.change_status(
        current_user, profile, form.status.data or "", reason=form.reason.data or ""
    )
    db.session.commit()
    flash(f"Status is now {profile.status}.", "success")
    return redirect(url_for("registry.detail", profile_id=profile.id))


@bp.post("/profiles/<id:profile_id>/review")
def review(profile_id: int) -> ResponseReturnValue:
    profile = services.get_profile(profile_id)
    form = forms.ReviewForm()
    require_valid(form)
    services.mark_reviewed(current_user, profile, note=form.note.data or "")
    db.session.commit()
    flash("Marked reviewed.", "success")
    return redirect(url_for("registry.detail", profile_id=profile.id))


@bp.post("/profiles/<id:profile_id>/threads")
def link_thread(profile_id: int) -> ResponseReturnValue:
    profile = services.get_profile(profile_id)
    form = forms.LinkThreadForm()
    require_valid(form)
    thread_id = services.parse_thread_reference(form.thread.data or "")
    services.link_thread(profile, thread_id, current_user)
    db.session.commit()
    flash("Thread linked.", "success")
    return redirect(url_for("registry.detail", profile_id=profile.id, _anchor="references"))


@bp.post("/profiles/<id:profile_id>/threads/<id:thread_id>/unlink")
def unlink_thread(profile_id: int, thread_id: int) -> ResponseReturnValue:
    profile = services.get_profile(profile_id)
    require_action()
    services.unlink_thread(profile, thread_id, current_user)
    db.session.commit()
    flash("Thread unlinked.", "success")
    return redirect(url_for("registry.detail", profile_id=profile.id, _anchor="references"))


@bp.get("/profiles/verify")
def verify() -> ResponseReturnValue:
    value = (request.args.get("q") or "").strip()
    matches = services.lookup(value) if value else []
    verdicts = [(profile, services.verdict(profile)) for profile in matches]
    return render_template(
        "registry/verify.html",
        value=value,
        verdicts=verdicts,
        not_found=services.verdict(None, looked_up=value) if value and not matches else None,
    )


def _import_dir() -> Path:
    return Path(current_app.instance_path) / "registry-imports"


def _staged_path(token: str) -> Path:
    if not _IMPORT_TOKEN.match(token or ""):
        raise NotFound("That import has expired; upload the file again.")
    return _import_dir() / f"{current_user.id}-{token}.csv"


@bp.route("/profiles/import", methods=["GET", "POST"])
def import_csv() -> ResponseReturnValue:
    form = forms.ImportForm()
    report = None
    token = ""
    status = 200
    if form.validate_on_submit():
        try:
            text = services.read_csv_upload(form.file.data.read())
            # End the request's own transaction first: the check only reads, so it then
            # runs without SQLite's write lock and the forum keeps serving meanwhile.
            db.session.commit()
            report = services.check_import(current_user, text)
        except ForumError as exc:
            db.session.rollback()
            form.file.errors = [exc.fields.get("file") or exc.message]
            status = exc.status
        else:
            db.session.rollback()
            if not report.error_count and report.rows:
                # Keep the checked file server-side, so "apply" imports exactly it.
                token = new_token(24)
                _import_dir().mkdir(parents=True, exist_ok=True)
                _staged_path(token).write_text(text, encoding="utf-8")
    elif request.method == "POST":
        status = 400
    return render_template(
        "registry/import.html",
        form=form,
        report=report,
        apply_form=forms.ApplyImportForm(token=token),
        token=token,
    ), status


@bp.post("/profiles/import/apply")
def import_apply() -> ResponseReturnValue:
    form = forms.ApplyImportForm()
    if not form.validate_on_submit():
        raise Invalid("The form expired; upload the file again.")
    path = _staged_path(form.token.data or "")
    if not path.is_file():
        raise NotFound("That import has expired; upload the file again.")
    text = services.read_csv_upload(path.read_bytes())
    db.session.commit()  # as in import_csv: the check runs outside the request's transaction
    # Batches commit as they go (the service calls commit), each briefly holding the lock.
    report = services.apply_import(current_user, text, commit=db.session.commit)
    db.session.rollback()
    if not report.applied:
        flash(
            f"Nothing was imported: {report.error_count} rows have errors now. Check the "
            "file again.",
            "error",
        )
        return redirect(url_for("registry.import_csv"))
    path.unlink(missing_ok=True)
    flash(
        f"Imported: {report.count('create')} registered, {report.count('update')} updated, "
        f"{report.count('unchanged')} unchanged.",
        "success",
    )
    if report.error_count:
        rows = ", ".join(str(row.row) for row in report.rows if row.errors)
        flash(
            f"{report.error_count} rows were not imported because the register changed "
            f"after the check (rows {rows}); import the file again to see why.",
            "error",
        )
    return redirect(url_for("registry.index", sort="updated", dir="desc"))
