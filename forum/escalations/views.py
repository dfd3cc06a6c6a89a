"""HTML routes: escalate a thread, the seniors' inbox, one escalation, and the admin policies."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from forum.accounts import services as account_services
from forum.accounts.models import Role, User
from forum.accounts.permissions import require_role
from forum.alerts import endpoints as webhook_endpoints
from forum.boards import services as board_services
from forum.core.db import utcnow
from forum.core.errors import ForumError, Invalid, NotFound
from forum.core.ids import id_arg
from forum.core.pagination import page_number
from forum.core.security import safe_next_url
from forum.escalations import bp, forms, inbox, policies, routing, services
from forum.escalations.models import Escalation, EscalationState, Urgency
from forum.extensions import db
from forum.registry.services import profile_for_reference


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


# --- Escalating a thread ----------------------------------------------------------------------


@bp.route("/t/<id:thread_id>/escalate", methods=["GET", "POST"])
@login_required
def escalate(thread_id: int) -> ResponseReturnValue:
    thread = board_services.get_visible_thread(current_user, thread_id)
    form = forms.EscalateForm()
    if request.method == "GET":
        form.post_id.data = id_arg("post")
        form.profile_id.data = id_arg("profile")
    existing = services.open_escalation_for_thread(thread.id)
    post = None
    if form.post_id.data:
        try:
            post = board_services.get_visible_post(current_user, form.post_id.data)
        except NotFound:
            post = None
    if request.method == "GET" or not form.validate_on_submit():
        status = 200 if request.method == "GET" else 400
        return render_template(
            "escalations/escalate.html", thread=thread, form=form, post=post, existing=existing
        ), status
    try:
        profile = (
            profile_for_reference(form.profile_id.data, current_user)
            if form.profile_id.data
            else None
        )
    except NotFound:
        form.profile_id.errors = ["No registered profile has that number."]
        return render_template(
            "escalations/escalate.html", thread=thread, form=form, post=post, existing=existing
        ), 400
    try:
        escalation, created = services.escalate(
            thread,
            actor=current_user,
            reason=form.reason.data or "",
            urgency=form.urgency.data or Urgency.ROUTINE,
            post=post,
            profile=profile,
        )
    except ForumError as exc:
        if exc.status not in {400, 409}:
            raise
        db.session.rollback()
        _apply_errors(form, exc)
        return render_template(
            "escalations/escalate.html", thread=thread, form=form, post=post, existing=existing
        ), exc.status
    db.session.commit()
    flash(
        "Escalated: senior people have been alerted."
        if created
        else "Added to the open escalation of this thread.",
        "success",
    )
    return redirect(url_for("escalations.detail", escalation_id=escalation.id))


# --- The inbox --------------------------------------------------------------------------------


def _inbox_filter() -> tuple[inbox.InboxFilter, dict[str, str]]:
    args = request.args
    chosen: dict[str, str] = {}
    state = EscalationState.OPEN
    if args.get("state") in {s.value for s in EscalationState}:
        state = EscalationState(args["state"])
    urgency = None
    if args.get("urgency") in {u.value for u in Urgency}:
        urgency = Urgency(args["urgency"])
        chosen["urgency"] = urgency.value
    department_id = None
    if args.get("department"):
        department = account_services.department_by_slug(args["department"])
        if department is not None:
            department_id = department.id
            chosen["department"] = department.slug
    age = args.get("age") if args.get("age") in inbox.AGES else None
    if age:
        chosen["age"] = age
    assigned_to_id = None
    if args.get("mine") == "1":
        assigned_to_id = current_user.id
        chosen["mine"] = "1"
    return inbox.InboxFilter(
        state=state,
        urgency=urgency,
        department_id=department_id,
        age=age,
        assigned_to_id=assigned_to_id,
    ), chosen


@bp.get("/inbox", endpoint="inbox")
@login_required
def inbox_view() -> ResponseReturnValue:
    require_role(current_user, Role.SENIOR)
    filters, chosen = _inbox_filter()
    page = inbox.list_escalations(current_user, filters, page=page_number(request.args.get("page")))
    return render_template(
        "escalations/inbox.html",
        page=page,
        filters=filters,
        chosen=chosen,
        counts=inbox.counts(current_user),
        departments=account_services.list_departments(),
        urgencies=list(Urgency),
        states=list(EscalationState),
        ages=inbox.AGE_LABELS,
        now=utcnow(),
        ack_form=forms.AcknowledgeForm(),
    )


# --- One escalation ---------------------------------------------------------------------------


def _detail(escalation: Escalation, status: int = 200, **given: FlaskForm) -> ResponseReturnValue:
    reassign_form = given.get("reassign_form") or forms.ReassignForm()
    if services.can_handle(current_user):
        reassign_form.assignee.choices = [
            (str(u.id), u.display_name) for u in routing.staff_for_reassignment()
        ]
        if escalation.assigned_to_id and not reassign_form.assignee.data:
            reassign_form.assignee.data = str(escalation.assigned_to_id)
    return render_template(
        "escalations/detail.html",
        escalation=escalation,
        events=services.timeline(current_user, escalation),
        now=utcnow(),
        can_handle=services.can_handle(current_user),
        can_reopen=services.can_reopen(current_user, escalation),
        ack_form=forms.AcknowledgeForm(),
        resolve_form=given.get("resolve_form") or forms.ResolveForm(),
        reopen_form=given.get("reopen_form") or forms.ReopenForm(),
        note_form=given.get("note_form") or forms.NoteForm(),
        reassign_form=reassign_form,
    ), status


@bp.get("/escalations/<id:escalation_id>")
@login_required
def detail(escalation_id: int) -> ResponseReturnValue:
    return _detail(services.get_escalation(current_user, escalation_id))


def _back(escalation: Escalation) -> ResponseReturnValue:
    default = url_for("escalations.detail", escalation_id=escalation.id)
    return redirect(safe_next_url(request.form.get("next"), default))


@bp.post("/escalations/<id:escalation_id>/acknowledge")
@login_required
def acknowledge(escalation_id: int) -> ResponseReturnValue:
    escalation = services.get_escalation(current_user, escalation_id)
    form = forms.AcknowledgeForm()
    if not form.validate_on_submit():
        raise Invalid("The form expired; reload the page and try again.")
    services.acknowledge(escalation, actor=current_user)
    db.session.commit()
    flash("Acknowledged: it is yours now.", "success")
    return _back(escalation)


@bp.post("/escalations/<id:escalation_id>/resolve")
@login_required
def resolve(escalation_id: int) -> ResponseReturnValue:
    escalation = services.get_escalation(current_user, escalation_id)
    form = forms.ResolveForm()
    if not form.validate_on_submit():
        return _detail(escalation, 400, resolve_form=form)
    services.resolve(escalation, actor=current_user, note=form.note.data or "")
    db.session.commit()
    flash("Resolved.", "success")
    return _back(escalation)


@bp.post("/escalations/<id:escalation_id>/reopen")
@login_required
def reopen(escalation_id: int) -> ResponseReturnValue:
    escalation = services.get_escalation(current_user, escalation_id)
    form = forms.ReopenForm()
    if not form.validate_on_submit():
        return _detail(escalation, 400, reopen_form=form)
    services.reopen(escalation, actor=current_user, reason=form.reason.data or "")
    db.session.commit()
    flash("Reopened: senior people have been alerted again.", "success")
    return _back(escalation)


@bp.post("/escalations/<id:escalation_id>/reassign")
@login_required
def reassign(escalation_id: int) -> ResponseReturnValue:
    escalation = services.get_escalation(current_user, escalation_id)
    require_role(current_user, Role.SENIOR)
    form = forms.ReassignForm()
    form.assignee.choices = [(str(u.id), u.display_name) for u in routing.staff_for_reassignment()]
    if not form.validate_on_submit():
        return _detail(escalation, 400, reassign_form=form)
    assignee = db.session.get(User, int(form.assignee.data or 0))
    if assignee is None:
        raise Invalid(fields={"assignee": "No such person."})
    services.reassign(escalation, actor=current_user, assignee=assignee, note=form.note.data or "")
    db.session.commit()
    flash(f"Assigned to {assignee.display_name}.", "success")
    return _back(escalation)


@bp.post("/escalations/<id:escalation_id>/notes")
@login_required
def add_note(escalation_id: int) -> ResponseReturnValue:
    escalation = services.get_escalation(current_user, escalation_id)
    require_role(current_user, Role.SENIOR)
    form = forms.NoteForm()
    if not form.validate_on_submit():
        return _detail(escalation, 400, note_form=form)
    services.add_note(escalation, actor=current_user, note=form.note.data or "")
    db.session.commit()
    flash("Note added.", "success")
    return _back(escalation)


# --- Admin: escalation policies -----------------------------------------------------------------


def _policy_form_choices(form: forms.PolicyForm) -> None:
    form.departments.choices = [(str(d.id), d.name) for d in account_services.list_departments()]
    form.boards.choices = [(str(b.id), b.name) for b in board_services.all_boards()]
    form.webhook_endpoints.choices = [
        (str(e.id), e.name + ("" if e.is_active else " (switched off)"))
        for e in webhook_endpoints.list_endpoints()
    ]


def _level_form_choices(form: forms.LevelForm) -> None:
    form.users.choices = [
        (str(u.id), f"{u.display_name} ({u.role_enum.label})")
        for u in account_services.list_users(include_inactive=False)
        if u.has_role(Role.ENTHUSIAST)
    ]
    form.department.choices = [("", "None")] + [
        (str(d.id), d.name) for d in account_services.list_departments()
    ]


def _ids(values: list[str] | None) -> set[int]:
    return {int(v) for v in values or [] if str(v).isdigit()}


def _save_policy(form: forms.PolicyForm, policy: object = None) -> object:
    department_ids, board_ids = _ids(form.departments.data), _ids(form.boards.data)
    endpoint_ids = _ids(form.webhook_endpoints.data)
    return policies.save_policy(
        current_user,
        policy,  # type: ignore[arg-type]
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


@bp.route("/admin/escalation-policies", methods=["GET", "POST"])
@login_required
def admin_policies() -> ResponseReturnValue:
    require_role(current_user, Role.ADMIN)
    form = forms.PolicyForm()
    _policy_form_choices(form)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                policy = _save_policy(form)
            except ForumError as exc:
                if exc.status not in {400, 409}:
                    raise
                db.session.rollback()
                _apply_errors(form, exc)
                status = exc.status
            else:
                db.session.commit()
                flash("Policy created: now add its levels.", "success")
                return redirect(url_for("escalations.admin_policy", policy_id=policy.id))  # type: ignore[attr-defined]
        else:
            status = 400
    return render_template(
        "escalations/admin_policies.html", policies=policies.list_policies(), form=form
    ), status


@bp.route("/admin/escalation-policies/<id:policy_id>", methods=["GET", "POST"])
@login_required
def admin_policy(policy_id: int) -> ResponseReturnValue:
    require_role(current_user, Role.ADMIN)
    policy = policies.get_policy(policy_id)
    form = forms.PolicyForm(obj=None if request.method == "POST" else policy)
    _policy_form_choices(form)
    level_form = forms.LevelForm()
    _level_form_choices(level_form)
    status = 200
    if request.method == "GET":
        form.urgencies.data = list(policy.urgencies or [])
        form.departments.data = [str(d.id) for d in policy.departments]
        form.boards.data = [str(b.id) for b in policy.boards]
        form.webhook_endpoints.data = [str(e.id) for e in policy.webhook_endpoints]
    elif form.validate_on_submit():
        try:
            _save_policy(form, policy)
        except ForumError as exc:
            if exc.status not in {400, 409}:
                raise
            db.session.rollback()
            _apply_errors(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash("Policy saved.", "success")
            return redirect(url_for("escalations.admin_policy", policy_id=policy.id))
    else:
        status = 400
    return render_template(
        "escalations/admin_policy.html",
        policy=policy,
        form=form,
        level_form=level_form,
        delete_form=forms.AcknowledgeForm(),
    ), status


@bp.post("/admin/escalation-policies/<id:policy_id>/levels")
@login_required
def admin_level_add(policy_id: int) -> ResponseReturnValue:
    require_role(current_user, Role.ADMIN)
    policy = policies.get_policy(policy_id)
    level_form = forms.LevelForm()
    _level_form_choices(level_form)
    if level_form.validate_on_submit():
        user_ids = _ids(level_form.users.data)
        department = None
        if level_form.department.data and level_form.department.data.isdigit():
            department = next(
                (
                    d
                    for d in account_services.list_departments()
                    if d.id == int(level_form.department.data)
                ),
                None,
            )
        try:
            policies.add_level(
                current_user,
                policy,
                users=[
                    u
                    for u in account_services.list_users(include_inactive=False)
                    if u.id in user_ids
                ],
                department=department,
                includes_thread_department=bool(level_form.includes_thread_department.data),
                timeout_minutes=level_form.timeout_minutes.data,
            )
        except Invalid as exc:
            db.session.rollback()
            _apply_errors(level_form, exc)
        else:
            db.session.commit()
            flash("Level added.", "success")
            return redirect(url_for("escalations.admin_policy", policy_id=policy.id))
    form = forms.PolicyForm(obj=policy)
    _policy_form_choices(form)
    form.urgencies.data = list(policy.urgencies or [])
    form.departments.data = [str(d.id) for d in policy.departments]
    form.boards.data = [str(b.id) for b in policy.boards]
    form.webhook_endpoints.data = [str(e.id) for e in policy.webhook_endpoints]
    return render_template(
        "escalations/admin_policy.html",
        policy=policy,
        form=form,
        level_form=level_form,
        delete_form=forms.AcknowledgeForm(),
    ), 400


@bp.post("/admin/escalation-policies/<id:policy_id>/levels/<id:level_id>/delete")
@login_required
def admin_level_delete(policy_id: int, level_id: int) -> ResponseReturnValue:
    require_role(current_user, Role.ADMIN)
    policy = policies.get_policy(policy_id)
    if not forms.AcknowledgeForm().validate_on_submit():
        raise Invalid("The form expired; reload the page and try again.")
    policies.remove_level(current_user, policy, level_id)
    db.session.commit()
    flash("Level removed.", "success")
    return redirect(url_for("escalations.admin_policy", policy_id=policy.id))


@bp.post("/admin/escalation-policies/<id:policy_id>/delete")
@login_required
def admin_policy_delete(policy_id: int) -> ResponseReturnValue:
    require_role(current_user, Role.ADMIN)
    policy = policies.get_policy(policy_id)
    if not forms.AcknowledgeForm().validate_on_submit():
        raise Invalid("The form expired; reload the page and try again.")
    policies.delete_policy(current_user, policy)
    db.session.commit()
    flash("Policy deleted.", "success")
    return redirect(url_for("escalations.admin_policies"))
