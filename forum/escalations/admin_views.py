"""Admin pages for escalation policies: the list with a new-policy form, one policy, its levels."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from forum.accounts import services as account_services
from forum.accounts.models import Role
from forum.accounts.permissions import admin_required
from forum.alerts.services import endpoints as webhook_endpoints
from forum.boards import services as board_services
from forum.core.errors import Conflict, Invalid
from forum.core.forms import require_action, submit
from forum.escalations import bp, forms
from forum.escalations.models import EscalationPolicy, EscalationPolicyLevel
from forum.escalations.services import policies
from forum.extensions import db


def _ids(values: list[str] | None) -> set[int]:
    return {int(v) for v in values or [] if str(v).isdigit()}


def _policy_form(policy: EscalationPolicy | None = None, *, sent: bool = True) -> forms.PolicyForm:
    """The policy form with its choices: as sent, or (`sent=False`) filled from `policy`."""
    form = forms.PolicyForm() if sent else forms.PolicyForm(formdata=None, obj=policy)
    form.departments.choices = [(str(d.id), d.name) for d in account_services.list_departments()]
    form.boards.choices = [(str(b.id), b.name) for b in board_services.all_boards()]
    form.webhook_endpoints.choices = [
        (str(e.id), e.name + ("" if e.is_active else " (switched off)"))
        for e in webhook_endpoints.list_endpoints()
    ]
    if policy is not None and not sent:
        form.urgencies.data = list(policy.urgencies or [])
        form.departments.data = [str(d.id) for d in policy.departments]
        form.boards.data = [str(b.id) for b in policy.boards]
        form.webhook_endpoints.data = [str(e.id) for e in policy.webhook_endpoints]
    return form


def _level_form() -> forms.LevelForm:
    form = forms.LevelForm()
    form.users.choices = [
        (str(u.id), f"{u.display_name} ({u.role_enum.label})")
        for u in account_services.list_users(include_inactive=False)
        if u.has_role(Role.ENTHUSIAST)
    ]
    form.department.choices = [("", "None")] + [
        (str(d.id), d.name) for d in account_services.list_departments()
    ]
    return form


def _save_policy(form: forms.PolicyForm, policy: EscalationPolicy | None) -> EscalationPolicy:
    department_ids, board_ids = _ids(form.departments.data), _ids(form.boards.data)
    endpoint_ids = _ids(form.webhook_endpoints.data)
    return policies.save_policy(
        current_user,
        policy,
        name=form.name.data or "",
        description=form.description.data or "",
        position=form.position.data or 0,
        is_active=bool(form.is_active.data),
        urgencies=form.urgencies.data or [],
        departments=[d for d in account_services.list_departments() if d.id in department_ids],
        boards=[b for b in board_services.all_boards() if b.id in board_ids],
        webhook_endpoints=[e for e in webhook_endpoints.list_endpoints() if e.id in endpoint_ids],
        repeat_count=form.repeat_count.data or 0,
    )


def _add_level(form: forms.LevelForm, policy: EscalationPolicy) -> EscalationPolicyLevel:
    user_ids = _ids(form.users.data)
    department_ids = _ids([form.department.data or ""])
    return policies.add_level(
        current_user,
        policy,
        users=[u for u in account_services.list_users(include_inactive=False) if u.id in user_ids],
        department=next(
            (d for d in account_services.list_departments() if d.id in department_ids), None
        ),
        includes_thread_department=bool(form.includes_thread_department.data),
        timeout_minutes=form.timeout_minutes.data,
    )


def _policy_page(
    policy: EscalationPolicy,
    status: int,
    *,
    form: forms.PolicyForm | None = None,
    level_form: forms.LevelForm | None = None,
) -> ResponseReturnValue:
    return render_template(
        "escalations/admin_policy.html",
        policy=policy,
        form=form or _policy_form(policy, sent=False),
        level_form=level_form or _level_form(),
    ), status


@bp.route("/admin/escalation-policies", methods=["GET", "POST"])
@admin_required
def admin_policies() -> ResponseReturnValue:
    form = _policy_form()
    outcome = submit(
        form,
        lambda: _save_policy(form, None),
        success="Policy created: now add its levels.",
        catch=(Invalid, Conflict),
    )
    if outcome.saved:
        return redirect(url_for("escalations.admin_policy", policy_id=outcome.value.id))
    return render_template(
        "escalations/admin_policies.html", policies=policies.list_policies(), form=form
    ), outcome.status


@bp.route("/admin/escalation-policies/<id:policy_id>", methods=["GET", "POST"])
@admin_required
def admin_policy(policy_id: int) -> ResponseReturnValue:
    policy = policies.get_policy(policy_id)
    form = _policy_form(policy, sent=request.method == "POST")
    outcome = submit(
        form,
        lambda: _save_policy(form, policy),
        success="Policy saved.",
        catch=(Invalid, Conflict),
    )
    if outcome.saved:
        return redirect(url_for("escalations.admin_policy", policy_id=policy.id))
    return _policy_page(policy, outcome.status, form=form)


@bp.post("/admin/escalation-policies/<id:policy_id>/levels")
@admin_required
def admin_level_add(policy_id: int) -> ResponseReturnValue:
    policy = policies.get_policy(policy_id)
    level_form = _level_form()
    outcome = submit(
        level_form, lambda: _add_level(level_form, policy), success="Level added.", catch=(Invalid,)
    )
    if outcome.saved:
        return redirect(url_for("escalations.admin_policy", policy_id=policy.id))
    return _policy_page(policy, 400, level_form=level_form)


@bp.post("/admin/escalation-policies/<id:policy_id>/levels/<id:level_id>/delete")
@admin_required
def admin_level_delete(policy_id: int, level_id: int) -> ResponseReturnValue:
    policy = policies.get_policy(policy_id)
    require_action()
    policies.remove_level(current_user, policy, level_id)
    db.session.commit()
    flash("Level removed.", "success")
    return redirect(url_for("escalations.admin_policy", policy_id=policy.id))


@bp.post("/admin/escalation-policies/<id:policy_id>/delete")
@admin_required
def admin_policy_delete(policy_id: int) -> ResponseReturnValue:
    policy = policies.get_policy(policy_id)
    require_action()
    policies.delete_policy(current_user, policy)
    db.session.commit()
    flash("Policy deleted.", "success")
    return redirect(url_for("escalations.admin_policies"))
