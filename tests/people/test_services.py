"""People services: picks, suggestions' limits, and skills in numbers by department."""

from __future__ import annotations

from typing import Any

import pytest

from forum.accounts import services as account_services
from forum.accounts.models import Role
from forum.core.errors import Conflict, Invalid, NotPermitted
from forum.extensions import db
from forum.people.models import SkillKind
from forum.people.services import numbers, skills
from tests.factories import make_department, make_user
from tests.people.factories import make_skill, pick


def test_picks_replace_the_active_ones_and_refuse_unknown_entries(app: Any) -> None:
    a, b = make_skill("A"), make_skill("B")
    person = make_user()
    pick(person, offers=[a, b], wants=[a])
    pick(person, offers=[b])
    assert {k: [s.name for s in v] for k, v in skills.picks_of(person).items()} == {
        SkillKind.OFFERS: ["B"],
        SkillKind.WANTS: [],
    }
    with pytest.raises(Invalid):
        skills.set_picks(person, offers=[a.id + b.id + 100], wants=[])


def test_only_admins_manage_the_list_and_names_stay_unique(app: Any) -> None:
    with pytest.raises(NotPermitted):
        skills.add_skill(make_user(Role.SENIOR), "TikTok")
    make_skill("TikTok")
    with pytest.raises(Conflict):
        skills.suggest_skill(make_user(), "tiktok")
    with pytest.raises(Invalid):
        skills.add_skill(make_user(Role.ADMIN), "x" * 81)


def test_one_person_has_at_most_five_suggestions_waiting(app: Any) -> None:
    person = make_user()
    for n in range(skills.MAX_WAITING_SUGGESTIONS):
        skills.suggest_skill(person, f"Idea {n}")
    with pytest.raises(Invalid):
        skills.suggest_skill(person, "One idea too many")


def test_skills_by_department_count_active_people_and_active_entries(app: Any) -> None:
    housing = make_department(name="Housing")
    parks = make_department(name="Parks")
    tiktok, plain, retired = make_skill("TikTok"), make_skill("Plain English"), make_skill("Fax")
    one, two = make_user(department=housing), make_user(department=housing)
    gone = make_user(department=housing)
    pick(one, offers=[tiktok, retired], wants=[plain])
    pick(two, offers=[tiktok])
    pick(gone, offers=[plain])
    make_user(department=parks)
    pick(make_user(), wants=[tiktok])  # no department
    admin = make_user(Role.ADMIN)
    account_services.admin_update_user(admin, gone, is_active=False)
    skills.set_retired(admin, retired, retired=True)
    db.session.commit()
    rows = {row.department: row for row in numbers.skills_by_department()}
    assert (rows["Housing"].people, rows["Housing"].with_skill) == (2, 2)
    assert rows["Housing"].offers == [("TikTok", 2)]
    assert rows["Housing"].wants == [("Plain English", 1)]
    assert (rows["Parks"].people, rows["Parks"].offers, rows["Parks"].wants) == (1, [], [])
    assert rows[numbers.NO_DEPARTMENT].wants == [("TikTok", 1)]
    assert [r.department for r in numbers.skills_by_department(housing.id)] == ["Housing"]
    assert numbers.count_people(SkillKind.OFFERS, "tiktok") == 2
