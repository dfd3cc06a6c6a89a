"""Admin page for the list of skills and training: add, rename, retire, restore, and decide on
people's suggestions (every change audited by the services)."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from forum.accounts.permissions import admin_required
from forum.core.forms import require_action, require_valid, submit
from forum.extensions import db
from forum.people import bp, forms
from forum.people.models import SkillStatus
from forum.people.services import skills


def _render(form: forms.SkillForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "people/admin_skills.html",
        form=form,
        suggestions=skills.list_skills(SkillStatus.SUGGESTED),
        active=skills.list_skills(SkillStatus.ACTIVE),
        retired=skills.list_skills(SkillStatus.RETIRED),
    ), status


@bp.route("/admin/skills", methods=["GET", "POST"])
@admin_required
def admin_skills() -> ResponseReturnValue:
    form = forms.SkillForm()
    outcome = submit(
        form,
        lambda: skills.add_skill(current_user, form.name.data or ""),
        success=lambda s: f"Added “{s.name}”.",
    )
    if outcome.saved:
        return redirect(url_for("people.admin_skills"))
    return _render(form, outcome.status)


@bp.post("/admin/skills/<id:skill_id>/rename")
@admin_required
def admin_skill_rename(skill_id: int) -> ResponseReturnValue:
    form = forms.RenameForm()
    require_valid(form)
    skills.rename_skill(current_user, skills.get_skill(skill_id), form.name.data or "")
    db.session.commit()
    return redirect(url_for("people.admin_skills"))


@bp.post("/admin/skills/<id:skill_id>/retire")
@admin_required
def admin_skill_retire(skill_id: int) -> ResponseReturnValue:
    require_action()
    skills.set_retired(current_user, skills.get_skill(skill_id), retired=True)
    db.session.commit()
    return redirect(url_for("people.admin_skills"))


@bp.post("/admin/skills/<id:skill_id>/restore")
@admin_required
def admin_skill_restore(skill_id: int) -> ResponseReturnValue:
    require_action()
    skills.set_retired(current_user, skills.get_skill(skill_id), retired=False)
    db.session.commit()
    return redirect(url_for("people.admin_skills"))


@bp.post("/admin/skills/<id:skill_id>/approve")
@admin_required
def admin_skill_approve(skill_id: int) -> ResponseReturnValue:
    require_action()
    skills.decide_suggestion(current_user, skills.get_skill(skill_id), approve=True)
    db.session.commit()
    return redirect(url_for("people.admin_skills"))


@bp.post("/admin/skills/<id:skill_id>/reject")
@admin_required
def admin_skill_reject(skill_id: int) -> ResponseReturnValue:
    require_action()
    skills.decide_suggestion(current_user, skills.get_skill(skill_id), approve=False)
    db.session.commit()
    return redirect(url_for("people.admin_skills"))
