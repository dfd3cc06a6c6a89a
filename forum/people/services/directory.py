"""Finding people: by handle, and the directory with its filters (department, role, skill,
training wanted)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import selectinload

from forum.accounts import services as account_services
from forum.accounts.models import Department, Role, User
from forum.core.errors import NotFound
from forum.core.pagination import Page
from forum.extensions import db
from forum.people.models import PersonSkill, Skill, SkillKind, SkillStatus

PER_PAGE = 30


def person_by_handle(handle: str) -> User:
    """The person with this handle, active or deactivated (old author links keep working).
    Raises NotFound for a handle nobody holds."""
    person = account_services.handles.user_by_handle(handle)
    if person is None:
        raise NotFound("Nobody has that handle.")
    return person


@dataclass(frozen=True)
class DirectoryFilters:
    """What the directory is narrowed to; each filter is ignored when empty or unknown."""

    department: str = ""
    role: str = ""
    skill: str = ""
    training: str = ""

    @property
    def any(self) -> bool:
        return bool(self.department or self.role or self.skill or self.training)


@dataclass(frozen=True)
class DirectoryRow:
    person: User
    offers: list[Skill]
    wants: list[Skill]


def _having(kind: SkillKind, name: str) -> ColumnElement[bool]:
    """Users.id IN (people with an active entry of this name, any case, of this kind)."""
    return User.id.in_(
        select(PersonSkill.user_id)
        .join(Skill, Skill.id == PersonSkill.skill_id)
        .where(
            PersonSkill.kind == kind,
            Skill.status == SkillStatus.ACTIVE,
            func.lower(Skill.name) == " ".join(name.split()).lower(),
        )
    )


def directory(
    filters: DirectoryFilters, *, page: int = 1, per_page: int = PER_PAGE
) -> Page[DirectoryRow]:
    """Active people by name, narrowed by `filters` (`skill` lists who offers it, `training`
    who wants it), with the skills each offers and wants, in three queries."""
    query = select(User).where(User.is_active.is_(True))
    if filters.department:
        query = query.join(Department, Department.id == User.department_id).where(
            Department.slug == filters.department
        )
    if filters.role and filters.role in {r.value for r in Role}:
        query = query.where(User.role == filters.role)
    if filters.skill:
        query = query.where(_having(SkillKind.OFFERS, filters.skill))
    if filters.training:
        query = query.where(_having(SkillKind.WANTS, filters.training))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    people = list(
        db.session.scalars(
            query.options(selectinload(User.department))
            .order_by(func.lower(User.display_name), User.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    picks = picks_of_many([p.id for p in people])
    rows = [
        DirectoryRow(
            person=p,
            offers=picks.get((p.id, SkillKind.OFFERS), []),
            wants=picks.get((p.id, SkillKind.WANTS), []),
        )
        for p in people
    ]
    return Page(items=rows, page=page, per_page=per_page, total=total)


def picks_of_many(user_ids: list[int]) -> dict[tuple[int, SkillKind], list[Skill]]:
    """(user id, kind) -> the active entries, by name, for many people in one query."""
    found: dict[tuple[int, SkillKind], list[Skill]] = {}
    if not user_ids:
        return found
    rows = db.session.execute(
        select(PersonSkill.user_id, PersonSkill.kind, Skill)
        .join(Skill, Skill.id == PersonSkill.skill_id)
        .where(PersonSkill.user_id.in_(user_ids), Skill.status == SkillStatus.ACTIVE)
        .order_by(func.lower(Skill.name))
    )
    for user_id, kind, skill in rows:
        found.setdefault((user_id, SkillKind(kind)), []).append(skill)
    return found
