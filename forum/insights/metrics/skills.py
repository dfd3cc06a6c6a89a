"""Skills and training metrics: the people capability's numbers, as goals can measure them.

Besides the fixed keys, every active entry of the skills list gives two keys a goal may use:
`skill_offered:<id>` (people offering it) and `training_wanted:<id>` (people wanting training
in it); an entry retired or removed since leaves its goals unmeasured, like a retired key.
"""

from __future__ import annotations

from forum.people import services as people_services
from forum.people.models import SkillKind, SkillStatus

OFFERED = "skill_offered"
WANTED = "training_wanted"


def skill_metric_keys() -> list[tuple[str, str, SkillKind, str]]:
    """(key, label, kind, skill name) for every active entry, offered then wanted."""
    entries = people_services.skills.active_skills()
    keys = [
        (f"{OFFERED}:{s.id}", f"People offering {s.name}", SkillKind.OFFERS, s.name)
        for s in entries
    ]
    keys += [
        (f"{WANTED}:{s.id}", f"People wanting training in {s.name}", SkillKind.WANTS, s.name)
        for s in entries
    ]
    return keys


def parse_skill_key(key: str) -> tuple[SkillKind, str] | None:
    """The kind and the active entry's name a per-skill key measures; None for any other key."""
    prefix, _, ident = key.partition(":")
    kind = {OFFERED: SkillKind.OFFERS, WANTED: SkillKind.WANTS}.get(prefix)
    if kind is None or not ident.isdigit():
        return None
    skill = people_services.skills.find_skill(int(ident))
    if skill is None or skill.status_enum is not SkillStatus.ACTIVE:
        return None
    return kind, skill.name


def by_department(
    department_id: int | None = None,
) -> list[people_services.numbers.DepartmentSkills]:
    """Per department, the skills active people offer and the training they want."""
    return people_services.numbers.skills_by_department(department_id)


def people_count(kind: SkillKind, name: str | None = None) -> float:
    return float(people_services.numbers.count_people(kind, name))


def percent_with_skill() -> float | None:
    return people_services.numbers.percent_with_skill()
