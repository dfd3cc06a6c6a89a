"""Skills and training in numbers, by department: what insights shows and goals measure."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, distinct, func, select

from forum.accounts.models import Department, User
from forum.extensions import db
from forum.people.models import PersonSkill, Skill, SkillKind, SkillStatus


@dataclass
class DepartmentSkills:
    """One department's active people, how many offer at least one skill, and per entry how
    many offer it and how many want training in it (most first, then by name)."""

    department: str  # its name; "No department" for people without one
    slug: str | None
    people: int = 0
    with_skill: int = 0
    offers: list[tuple[str, int]] = field(default_factory=list)
    wants: list[tuple[str, int]] = field(default_factory=list)


NO_DEPARTMENT = "No department"


def skills_by_department(department_id: int | None = None) -> list[DepartmentSkills]:
    """Per department (only `department_id` when given), active people's skills and wanted
    training among the active entries, in four queries. Departments by name, then people
    without one."""
    scope: list[ColumnElement[bool]] = [User.is_active.is_(True)]
    if department_id is not None:
        scope.append(User.department_id == department_id)
    rows: dict[int | None, DepartmentSkills] = {}
    departments = select(Department.id, Department.name, Department.slug).order_by(Department.name)
    if department_id is not None:
        departments = departments.where(Department.id == department_id)
    for ident, name, slug in db.session.execute(departments):
        rows[ident] = DepartmentSkills(department=name, slug=slug)

    def row_of(key: int | None) -> DepartmentSkills:
        return rows.setdefault(key, DepartmentSkills(department=NO_DEPARTMENT, slug=None))

    for key, count in db.session.execute(
        select(User.department_id, func.count(User.id)).where(*scope).group_by(User.department_id)
    ):
        row_of(key).people = count
    picks = (
        select(User.department_id, PersonSkill.kind, Skill.name, func.count(distinct(User.id)))
        .join(PersonSkill, PersonSkill.user_id == User.id)
        .join(Skill, Skill.id == PersonSkill.skill_id)
        .where(*scope, Skill.status == SkillStatus.ACTIVE)
        .group_by(User.department_id, PersonSkill.kind, Skill.name)
    )
    for key, kind, name, count in db.session.execute(picks):
        row = row_of(key)
        (row.offers if kind == SkillKind.OFFERS else row.wants).append((name, count))
    for key, count in db.session.execute(
        select(User.department_id, func.count(distinct(User.id)))
        .join(PersonSkill, PersonSkill.user_id == User.id)
        .join(Skill, Skill.id == PersonSkill.skill_id)
        .where(*scope, Skill.status == SkillStatus.ACTIVE, PersonSkill.kind == SkillKind.OFFERS)
        .group_by(User.department_id)
    ):
        row_of(key).with_skill = count
    for row in rows.values():
        row.offers.sort(key=lambda item: (-item[1], item[0].lower()))
        row.wants.sort(key=lambda item: (-item[1], item[0].lower()))
    ordered = [row for key, row in rows.items() if key is not None]
    if None in rows:
        ordered.append(rows[None])
    return ordered


def count_people(kind: SkillKind, skill_name: str | None = None) -> int:
    """Active people who offer (or want) any active entry, or the entry of this name."""
    query = (
        select(func.count(distinct(User.id)))
        .join(PersonSkill, PersonSkill.user_id == User.id)
        .join(Skill, Skill.id == PersonSkill.skill_id)
        .where(
            User.is_active.is_(True), Skill.status == SkillStatus.ACTIVE, PersonSkill.kind == kind
        )
    )
    if skill_name is not None:
        query = query.where(func.lower(Skill.name) == skill_name.lower())
    return db.session.scalar(query) or 0


def percent_with_skill() -> float | None:
    """Share of active people who offer at least one skill; None when there is nobody."""
    people = db.session.scalar(select(func.count(User.id)).where(User.is_active.is_(True))) or 0
    if not people:
        return None
    return 100.0 * count_people(SkillKind.OFFERS) / people
