"""HTML routes of the admin pages for people and departments (admins only)."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from forum.accounts import bp, forms, services
from forum.accounts.models import Department, Role, User
from forum.accounts.permissions import admin_required
from forum.accounts.services import audit, signin
from forum.core import mail
from forum.core.forms import require_action, submit
from forum.core.web import base_url
from forum.extensions import db


def _absolute(endpoint: str, **values: Any) -> str:
    return base_url() + url_for(endpoint, **values)


def _invite_form() -> forms.InviteForm:
    form = forms.InviteForm()
    form.department.choices = forms.department_choices(services.list_departments())
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
@admin_required
def admin_users() -> ResponseReturnValue:
    return _admin_users_page()


@bp.post("/admin/users/invite")
@admin_required
def admin_invite() -> ResponseReturnValue:
    form = _invite_form()
    ttl_hours = current_app.config["INVITATION_TTL_HOURS"]

    def invite() -> tuple[str, str]:
        invitation, token = services.invite(
            form.email.data or "",
            role=form.role.data or Role.MEMBER,
            department=services.department_for_form(form.department.data),
            invited_by=current_user,
            ttl_hours=ttl_hours,
        )
        mail.queue_email(
            mail.Email(
                to=invitation.email,
                subject="You are invited to the staff forum",
                text=(
                    f"{current_user.display_name} invited you to the staff forum.\n\n"
                    f"Create your account with the link below (valid {ttl_hours} hours, "
                    "works once)."
                ),
                dedupe_key=f"invitation:{invitation.id}",
                kind="account",
                url=url_for("accounts.accept_invitation", token=token),
                link_label="Create your account",
            )
        )
        return invitation.email, token

    outcome = submit(form, invite, success=lambda sent: f"Invitation to {sent[0]} is on its way.")
    if not outcome.saved:
        return _admin_users_page(outcome.status, invite_form=form)
    link = _absolute("accounts.accept_invitation", token=outcome.value[1])
    return _admin_users_page(201, invite_link=link)


def _admin_user_form(user: User) -> forms.AdminUserForm:
    form = forms.AdminUserForm(
        role=user.role,
        is_active=user.is_active,
        department=user.department.slug if user.department else "",
    )
    form.department.choices = forms.department_choices(services.list_departments())
    return form


@bp.route("/admin/users/<id:user_id>", methods=["GET", "POST"])
@admin_required
def admin_user_edit(user_id: int) -> ResponseReturnValue:
    user = db.get_or_404(User, user_id)
    form = _admin_user_form(user)
    outcome = submit(
        form,
        lambda: services.admin_update_user(
            current_user,
            user,
            role=form.role.data,
            department=services.department_for_form(form.department.data),
            is_active=bool(form.is_active.data),
        ),
        success=lambda _: f"{user.display_name} updated.",
    )
    if outcome.saved:
        return redirect(url_for("accounts.admin_users"))
    return render_template(
        "accounts/admin_user_edit.html",
        user=user,
        form=form,
        sign_in_status=signin.sign_in_status(user, current_app.config),
        events=audit.events_about("user", user.id, limit=10),
    ), outcome.status


@bp.post("/admin/users/<id:user_id>/unlock")
@admin_required
def admin_user_unlock(user_id: int) -> ResponseReturnValue:
    user = db.get_or_404(User, user_id)
    require_action()
    cleared = signin.unlock(current_user, user, ip=request.remote_addr)
    db.session.commit()
    flash(
        f"Sign-in delays lifted for {user.display_name} ({cleared} failed attempts cleared).",
        "success",
    )
    return redirect(url_for("accounts.admin_user_edit", user_id=user.id))


@bp.route("/admin/departments", methods=["GET", "POST"])
@admin_required
def admin_departments() -> ResponseReturnValue:
    form = forms.DepartmentForm()
    outcome = submit(
        form,
        lambda: services.create_department(
            current_user, slug=form.slug.data or "", name=form.name.data or ""
        ),
        success="Department created.",
    )
    if outcome.saved:
        return redirect(url_for("accounts.admin_departments"))
    return render_template(
        "accounts/admin_departments.html",
        form=form,
        departments=services.list_departments(),
        member_counts=services.department_member_counts(),
    ), outcome.status


@bp.post("/admin/departments/<id:department_id>")
@admin_required
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
