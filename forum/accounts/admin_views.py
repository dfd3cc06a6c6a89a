"""HTML routes of the admin pages for people and departments (admins only)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from forum.accounts import audit, forms, mail, services, signin
from forum.accounts.models import Department, Role, User
from forum.accounts.permissions import require_role
from forum.accounts.views import _absolute, _apply_errors, _department_choices, _department_from, bp
from forum.core.errors import ForumError
from forum.extensions import db


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
        invitation, token = services.invite(
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
    mail.queue_email(
        invitation.email,
        subject="You are invited to the staff forum",
        text=(
            f"{current_user.display_name} invited you to the staff forum.\n\n"
            "Create your account with the link below (valid "
            f"{current_app.config['INVITATION_TTL_HOURS']} hours, works once)."
        ),
        url=url_for("accounts.accept_invitation", token=token),
        link_label="Create your account",
        dedupe_key=f"invitation:{invitation.id}",
    )
    db.session.commit()
    link = _absolute("accounts.accept_invitation", token=token)
    flash(f"Invitation to {invitation.email} is on its way.", "success")
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
    return render_template(
        "accounts/admin_user_edit.html",
        user=user,
        form=form,
        unlock_form=forms.EmptyForm(),
        sign_in_status=signin.sign_in_status(user, current_app.config),
        events=audit.events_about("user", user.id, limit=10),
    ), status


@bp.post("/admin/users/<id:user_id>/unlock")
def admin_user_unlock(user_id: int) -> ResponseReturnValue:
    user = db.get_or_404(User, user_id)
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    cleared = signin.unlock(current_user, user, ip=request.remote_addr)
    db.session.commit()
    flash(
        f"Sign-in delays lifted for {user.display_name} ({cleared} failed attempts cleared).",
        "success",
    )
    return redirect(url_for("accounts.admin_user_edit", user_id=user.id))


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
