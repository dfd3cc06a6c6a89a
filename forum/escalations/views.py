"""HTML routes: escalate a thread, the seniors' inbox, one escalation with its actions, and the
one-click links of alert emails (acknowledge, open signed in)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from forum.accounts import services as account_services
from forum.accounts.models import Role, User
from forum.accounts.permissions import require_role
from forum.accounts.services.email_links import LinkRefused
from forum.accounts.signing_in import begin_second_step, sign_in_browser
from forum.boards import services as board_services
from forum.boards.models import Thread
from forum.core import slots
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid, NotFound, NotPermitted
from forum.core.forms import ActionForm, require_action, submit
from forum.core.ids import id_arg
from forum.core.pagination import page_number
from forum.core.security import safe_next_url
from forum.escalations import bp, forms, services
from forum.escalations.models import Escalation, EscalationState, Urgency
from forum.escalations.services import inbox, links, routing
from forum.extensions import db
from forum.registry.services import profile_for_reference, profile_named, profile_suggestions

T = TypeVar("T")

# --- The thread page's panel, and escalating a thread -----------------------------------------


def thread_panel(*, thread: Thread, viewer: User) -> str:
    """The thread page's escalation panel (boards' thread-panels slot): the thread's escalation,
    if any, for everyone who can see the thread, and the link to escalate it."""
    return slots.render(
        "escalations/_thread_status.html",
        thread=thread,
        escalation=services.status_line(thread.id),
        viewer=viewer,
        now=utcnow(),
    )


@bp.route("/t/<id:thread_id>/escalate", methods=["GET", "POST"])
@login_required
def escalate(thread_id: int) -> ResponseReturnValue:
    thread = board_services.get_visible_thread(current_user, thread_id)
    form = forms.EscalateForm()
    if request.method == "GET":
        form.post_id.data = id_arg("post")
        profile_id = id_arg("profile")
        if profile_id is not None:
            try:  # shown as its address, the way people recognise it
                form.profile.data = profile_for_reference(profile_id, current_user).canonical_url
            except NotFound:
                form.profile.data = ""
    existing = services.open_escalation_for_thread(thread.id)
    post = None
    if form.post_id.data:
        try:
            post = board_services.get_visible_post(current_user, form.post_id.data)
        except NotFound:
            post = None

    def escalate_thread() -> tuple[Escalation, bool]:
        profile = None
        if form.profile.data:
            try:
                profile = profile_named(form.profile.data, current_user)
            except NotFound:
                raise Invalid(
                    fields={
                        "profile": "That is not one of our registered accounts: paste its "
                        "address or handle as the registry has it, or leave this empty."
                    }
                ) from None
        return services.escalate(
            thread,
            actor=current_user,
            reason=form.reason.data or "",
            urgency=form.urgency.data or Urgency.ROUTINE,
            post=post,
            profile=profile,
        )

    outcome = submit(
        form,
        escalate_thread,
        success=lambda result: (
            "Escalated: senior people have been alerted."
            if result[1]
            else "Added to the open escalation of this thread."
        ),
        catch=(Invalid, Conflict),
    )
    if outcome.saved:
        escalation, _created = outcome.value
        return redirect(url_for("escalations.detail", escalation_id=escalation.id))
    return render_template(
        "escalations/escalate.html",
        thread=thread,
        form=form,
        post=post,
        existing=existing,
        profiles=profile_suggestions(current_user),
    ), outcome.status


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
    require_action()
    services.acknowledge(escalation, actor=current_user)
    db.session.commit()
    flash("Acknowledged: it is yours now.", "success")
    return _back(escalation)


def _handle(
    escalation: Escalation,
    form_name: str,
    form: FlaskForm,
    action: Callable[[], T],
    done: str | Callable[[T], str],
) -> ResponseReturnValue:
    """One handling form of the escalation page: saved, then back where the person was; or the
    page again with the form's errors. A refusal (already resolved…) is the app's error page."""
    outcome = submit(form, action, success=done, catch=())
    if not outcome.saved:
        return _detail(escalation, outcome.status, **{form_name: form})
    return _back(escalation)


@bp.post("/escalations/<id:escalation_id>/resolve")
@login_required
def resolve(escalation_id: int) -> ResponseReturnValue:
    escalation = services.get_escalation(current_user, escalation_id)
    form = forms.ResolveForm()
    return _handle(
        escalation,
        "resolve_form",
        form,
        lambda: services.resolve(escalation, actor=current_user, note=form.note.data or ""),
        "Resolved.",
    )


@bp.post("/escalations/<id:escalation_id>/reopen")
@login_required
def reopen(escalation_id: int) -> ResponseReturnValue:
    escalation = services.get_escalation(current_user, escalation_id)
    form = forms.ReopenForm()
    return _handle(
        escalation,
        "reopen_form",
        form,
        lambda: services.reopen(escalation, actor=current_user, reason=form.reason.data or ""),
        "Reopened: senior people have been alerted again.",
    )


@bp.post("/escalations/<id:escalation_id>/reassign")
@login_required
def reassign(escalation_id: int) -> ResponseReturnValue:
    escalation = services.get_escalation(current_user, escalation_id)
    require_role(current_user, Role.SENIOR)
    form = forms.ReassignForm()
    form.assignee.choices = [(str(u.id), u.display_name) for u in routing.staff_for_reassignment()]

    def assign() -> User:
        assignee = db.session.get(User, int(form.assignee.data or 0))
        if assignee is None:
            raise Invalid(fields={"assignee": "No such person."})
        services.reassign(
            escalation, actor=current_user, assignee=assignee, note=form.note.data or ""
        )
        return assignee

    return _handle(
        escalation,
        "reassign_form",
        form,
        assign,
        lambda assignee: f"Assigned to {assignee.display_name}.",
    )


@bp.post("/escalations/<id:escalation_id>/notes")
@login_required
def add_note(escalation_id: int) -> ResponseReturnValue:
    escalation = services.get_escalation(current_user, escalation_id)
    require_role(current_user, Role.SENIOR)
    form = forms.NoteForm()
    return _handle(
        escalation,
        "note_form",
        form,
        lambda: services.add_note(escalation, actor=current_user, note=form.note.data or ""),
        "Note added.",
    )


# --- One-click links from alert emails ---------------------------------------------------------

# The link is a secret: no Referer carries it off, no cache keeps the page.
LINK_PAGE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def _link_page(status: int = 200, **context: object) -> ResponseReturnValue:
    return (
        render_template("escalations/email_link.html", now=utcnow(), **context),
        status,
        LINK_PAGE_HEADERS,
    )


def _viewer() -> User | None:
    return current_user if current_user.is_authenticated else None  # type: ignore[return-value]


@bp.route("/escalations/link/acknowledge/<token>", methods=["GET", "POST"])
def acknowledge_link(token: str) -> ResponseReturnValue:
    """GET: what the link would acknowledge, with a button (mail clients and link scanners
    fetch links: a GET changes nothing). POST (CSRF-checked: the button's own form): acknowledge
    as the person the email was sent to, never as anyone else (services.links)."""
    try:
        if request.method == "POST":
            require_action()
            escalation = links.acknowledge_by_link(token, viewer=_viewer())
            db.session.commit()
            return _link_page(done="acknowledged", escalation=escalation)
        link = links.read_link(token, links.ACKNOWLEDGE, viewer=_viewer())
    except (LinkRefused, NotPermitted, Conflict) as error:
        db.session.rollback()
        return _link_page(error.status, refused=error.message)
    return _link_page(link=link, action="acknowledge", form=ActionForm())


@bp.route("/escalations/link/open/<token>", methods=["GET", "POST"])
def open_link(token: str) -> ResponseReturnValue:
    """GET: whose link it is, with a button (a scanner fetching it signs nobody in). POST
    (CSRF-checked, so another site cannot sign a browser in as someone else): sign the
    browser in as the link's person, through their two-factor step if they have one, and
    show the thread."""
    viewer = _viewer()
    try:
        if request.method == "POST":
            require_action()
            opened = links.open_by_link(
                token, viewer=viewer, sign_in_links=current_app.config["EMAIL_SIGN_IN_LINKS"]
            )
        else:
            link = links.read_link(token, links.OPEN, viewer=viewer)
    except (LinkRefused, NotPermitted) as error:
        db.session.rollback()
        return _link_page(error.status, refused=error.message)
    if request.method == "GET":
        return _link_page(link=link, action="open", form=ActionForm())
    target = url_for("boards.thread_detail", thread_id=opened.thread.id)
    if viewer is not None:
        db.session.commit()
        return redirect(target)
    if opened.second_step:
        db.session.commit()
        begin_second_step(opened.user, remember=False, next_url=target)
        return redirect(url_for("accounts.login_two_factor"))
    sign_in_browser(opened.user, remember=False)
    return redirect(target)
