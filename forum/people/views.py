"""HTML routes: a person's page, the people directory, and one's own skills and training."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from forum.accounts import services as account_services
from forum.accounts.models import Role
from forum.core.clock import today
from forum.core.forms import submit
from forum.core.pagination import page_number
from forum.people import bp, forms, services
from forum.people.models import SkillKind


@bp.get("/u/<handle>")
def person(handle: str) -> ResponseReturnValue:
    found = services.person_by_handle(handle)
    if found.handle != handle:  # /u/Priya.Shah → /u/priya.shah: one address per person
        return redirect(url_for("people.person", handle=found.handle), 301)
    page = services.person_page(found, current_user, today=today())
    return render_template("people/person.html", page=page, is_self=found.id == current_user.id)


def _directory_form() -> tuple[forms.DirectoryForm, services.DirectoryFilters]:
    form = forms.DirectoryForm(request.args)
    entries = [(s.name, s.name) for s in services.skills.active_skills()]
    form.department.choices = [("", "Any department")] + [
        (d.slug, d.name) for d in account_services.list_departments()
    ]
    form.role.choices = [("", "Any role")] + [(r.value, r.label) for r in Role]
    form.skill.choices = [("", "Any skill"), *entries]
    form.training.choices = [("", "Any training"), *entries]
    filters = services.DirectoryFilters(
        department=request.args.get("department", "").strip(),
        role=request.args.get("role", "").strip(),
        skill=request.args.get("skill", "").strip(),
        training=request.args.get("training", "").strip(),
    )
    return form, filters


@bp.get("/people")
def directory() -> ResponseReturnValue:
    form, filters = _directory_form()
    page = services.directory(filters, page=page_number(request.args.get("page")))
    query = {k: v for k, v in vars(filters).items() if v}
    return render_template(
        "people/directory.html", form=form, page=page, query=query, filters=filters
    )


def _picks_form(*, sent: bool) -> forms.PicksForm:
    """The picks form with the list's active entries: as sent, or filled from one's picks."""
    form = forms.PicksForm() if sent else forms.PicksForm(formdata=None)
    form.offers.choices = form.wants.choices = [
        (s.id, s.name) for s in services.skills.active_skills()
    ]
    if not sent:
        picks = services.skills.picks_of(current_user)
        form.offers.data = [s.id for s in picks[SkillKind.OFFERS]]
        form.wants.data = [s.id for s in picks[SkillKind.WANTS]]
    return form


@bp.route("/people/me/skills", methods=["GET", "POST"])
def my_skills() -> ResponseReturnValue:
    """One's own skills offered and training wanted, picked from the list, and a suggestion."""
    form = _picks_form(sent=request.method == "POST")
    outcome = submit(
        form,
        lambda: services.skills.set_picks(
            current_user, offers=form.offers.data or [], wants=form.wants.data or []
        ),
        success="Saved your skills and training.",
    )
    if outcome.saved:
        return redirect(url_for("people.person", handle=current_user.handle))
    return render_template(
        "people/my_skills.html", form=form, suggest=forms.SuggestForm(formdata=None)
    ), outcome.status


@bp.post("/people/me/suggestions")
def suggest() -> ResponseReturnValue:
    """Suggest a new entry for the list; an admin approves or rejects it."""
    form = forms.SuggestForm()
    outcome = submit(
        form,
        lambda: services.skills.suggest_skill(current_user, form.suggestion.data or ""),
        success=lambda s: f"Thanks: “{s.name}” waits for an admin to add it to the list.",
    )
    if outcome.saved:
        return redirect(url_for("people.my_skills"))
    return render_template(
        "people/my_skills.html", form=_picks_form(sent=False), suggest=form
    ), outcome.status
