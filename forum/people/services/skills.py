"""The list of skills and training: admins add, rename, retire and approve; people pick and
suggest entries."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, select

from forum.accounts.models import AuditAction, Role, User
from forum.accounts.permissions import require_role
from forum.accounts.services import audit
from forum.core.errors import Conflict, Invalid, NotFound
from forum.extensions import db
from forum.people.models import PersonSkill, Skill, SkillKind, SkillStatus

logger = logging.getLogger(__name__)

NAME_MAX = 80
# Suggestions one person may have waiting at once: the admin page stays a short queue.
MAX_WAITING_SUGGESTIONS = 5


def _clean_name(name: str, field: str = "name") -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid(fields={field: "Enter a name."})
    if len(name) > NAME_MAX:
        raise Invalid(fields={field: f"Use at most {NAME_MAX} characters."})
    return name


def _refuse_taken(name: str, *, field: str = "name", except_id: int | None = None) -> None:
    query = select(Skill).where(func.lower(Skill.name) == name.lower())
    if except_id is not None:
        query = query.where(Skill.id != except_id)
    existing = db.session.scalar(query)
    if existing is not None:
        state = {
            SkillStatus.SUGGESTED: " (suggested, waiting for an admin)",
            SkillStatus.RETIRED: " (retired)",
        }.get(existing.status_enum, "")
        raise Conflict(
            f"“{existing.name}” is on the list{state}.", fields={field: "Already listed."}
        )


def _audit(actor: User, skill: Skill, change: str, **details: Any) -> None:
    """Every admin change to the list goes on the audit log, with what changed."""
    audit.record(AuditAction.SKILL_LIST_CHANGED, actor, skill, change=change, **details)


def list_skills(*statuses: SkillStatus) -> list[Skill]:
    """Entries by name, of the given statuses (all when none is given)."""
    query = select(Skill).order_by(func.lower(Skill.name))
    if statuses:
        query = query.where(Skill.status.in_([str(s) for s in statuses]))
    return list(db.session.scalars(query))


def active_skills() -> list[Skill]:
    return list_skills(SkillStatus.ACTIVE)


def find_skill(skill_id: int) -> Skill | None:
    return db.session.get(Skill, skill_id)


def get_skill(skill_id: int) -> Skill:
    """The entry; raises NotFound."""
    skill = db.session.get(Skill, skill_id)
    if skill is None:
        raise NotFound("No such skill.")
    return skill


def skill_named(name: str) -> Skill | None:
    """The active entry of this name, any case; None when there is none."""
    name = " ".join((name or "").split())
    if not name:
        return None
    return db.session.scalar(
        select(Skill).where(
            func.lower(Skill.name) == name.lower(), Skill.status == SkillStatus.ACTIVE
        )
    )


def add_skill(actor: User, name: str) -> Skill:
    """Admins add an entry people can pick at once. Raises NotPermitted, Invalid, Conflict."""
    require_role(actor, Role.ADMIN)
    name = _clean_name(name)
    _refuse_taken(name)
    skill = Skill(name=name, status=SkillStatus.ACTIVE)
    db.session.add(skill)
    db.session.flush()
    _audit(actor, skill, "added", name=name)
    return skill


def rename_skill(actor: User, skill: Skill, name: str) -> Skill:
    """Admins rename an entry; who offers or wants it is kept. Raises NotPermitted, Invalid,
    Conflict."""
    require_role(actor, Role.ADMIN)
    name = _clean_name(name)
    if name == skill.name:
        return skill
    _refuse_taken(name, except_id=skill.id)
    _audit(actor, skill, "renamed", old=skill.name, new=name)
    skill.name = name
    db.session.flush()
    return skill


def set_retired(actor: User, skill: Skill, *, retired: bool) -> Skill:
    """Retire an active entry (it leaves the pickers, pages, directory and insights; people's
    picks are kept) or restore a retired one. Raises NotPermitted, or Invalid for a suggestion
    (approve or reject it instead)."""
    require_role(actor, Role.ADMIN)
    if skill.status_enum is SkillStatus.SUGGESTED:
        raise Invalid("Approve or reject a suggestion first.")
    new = SkillStatus.RETIRED if retired else SkillStatus.ACTIVE
    if skill.status_enum is not new:
        _audit(actor, skill, "retired" if retired else "restored", name=skill.name)
        skill.status = new
        db.session.flush()
    return skill


def suggest_skill(user: User, name: str) -> Skill:
    """Anyone suggests a new entry; it waits for an admin. Raises Invalid (bad name, too many
    waiting) or Conflict (already on the list in any state)."""
    name = _clean_name(name, "suggestion")
    _refuse_taken(name, field="suggestion")
    waiting = db.session.scalar(
        select(func.count(Skill.id)).where(
            Skill.suggested_by_id == user.id, Skill.status == SkillStatus.SUGGESTED
        )
    )
    if (waiting or 0) >= MAX_WAITING_SUGGESTIONS:
        raise Invalid(
            fields={"suggestion": "You have suggestions waiting; wait for an admin to decide."}
        )
    skill = Skill(name=name, status=SkillStatus.SUGGESTED, suggested_by_id=user.id)
    db.session.add(skill)
    db.session.flush()
    logger.info("skill %s suggested by user %s", skill.id, user.id)
    return skill


def decide_suggestion(actor: User, skill: Skill, *, approve: bool) -> Skill | None:
    """Admins approve a suggestion (it becomes an active entry everyone can pick) or reject it
    (it is removed, so the name is free again).
    Returns the entry, or None once rejected. Raises NotPermitted, or Invalid when the entry
    is not a suggestion."""
    require_role(actor, Role.ADMIN)
    if skill.status_enum is not SkillStatus.SUGGESTED:
        raise Invalid("That entry is not waiting for a decision.")
    if approve:
        _audit(actor, skill, "approved", name=skill.name)
        skill.status = SkillStatus.ACTIVE
        db.session.flush()
        return skill
    _audit(actor, skill, "rejected", name=skill.name)
    db.session.delete(skill)
    db.session.flush()
    return None


# --- what people pick ------------------------------------------------------------------------


def picks_of(user: User) -> dict[SkillKind, list[Skill]]:
    """The active entries `user` offers and wants, by name."""
    picks: dict[SkillKind, list[Skill]] = {kind: [] for kind in SkillKind}
    rows = db.session.execute(
        select(PersonSkill.kind, Skill)
        .join(Skill, PersonSkill.skill_id == Skill.id)
        .where(PersonSkill.user_id == user.id, Skill.status == SkillStatus.ACTIVE)
        .order_by(func.lower(Skill.name))
    )
    for kind, skill in rows:
        picks[SkillKind(kind)].append(skill)
    return picks


def set_picks(user: User, *, offers: Iterable[int], wants: Iterable[int]) -> None:
    """Replace what `user` offers and wants among the active entries (picks of retired entries
    stay, hidden). Raises Invalid for an id that is not an active entry."""
    chosen = {SkillKind.OFFERS: set(offers), SkillKind.WANTS: set(wants)}
    active = {skill.id for skill in active_skills()}
    for kind, ids in chosen.items():
        if ids - active:
            raise Invalid(fields={str(kind): "Choose entries from the list."})
    db.session.execute(
        delete(PersonSkill).where(PersonSkill.user_id == user.id, PersonSkill.skill_id.in_(active))
    )
    db.session.add_all(
        PersonSkill(user_id=user.id, skill_id=skill_id, kind=kind)
        for kind, ids in chosen.items()
        for skill_id in sorted(ids)
    )
    db.session.flush()
