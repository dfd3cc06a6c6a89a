"""Insights of skills and training: the dashboard's table by department, the API field, and
strategy goals measured by skills metrics (fixed and per skill)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forum.accounts.models import Role
from forum.extensions import db
from forum.insights import metrics, services
from forum.insights.services import GoalInput
from forum.people.services import skills
from tests.factories import make_department, make_user
from tests.people.factories import make_skill, pick

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)


def _world() -> dict[str, Any]:
    housing = make_department(slug="housing", name="Housing")
    parks = make_department(slug="parks", name="Parks")
    tiktok, plain = make_skill("TikTok"), make_skill("Plain English")
    pick(make_user(department=housing), offers=[tiktok], wants=[plain])
    pick(make_user(department=housing), wants=[plain])
    pick(make_user(department=parks), offers=[tiktok, plain])
    make_user(department=parks)
    return {"housing": housing, "tiktok": tiktok, "plain": plain}


def test_the_dashboard_shows_skills_and_training_by_department(app: Any, login: Any) -> None:
    _world()
    client = login(make_user(Role.SENIOR))
    html = client.get("/insights").get_data(as_text=True)
    section = html.split('id="skills-heading"')[1]
    assert '<th scope="row">Housing</th>' in section
    assert (
        'href="/people?training=Plain+English&amp;department=housing">Plain English</a> (2)'
        in section
    )
    assert 'href="/people?skill=TikTok&amp;department=parks">TikTok</a> (1)' in section
    csv = client.get("/insights/skills_by_department.csv").get_data(as_text=True)
    assert "Housing,housing,wants,Plain English,2" in csv


def test_an_enthusiast_sees_their_own_department_only(app: Any, login: Any, api: Any) -> None:
    world = _world()
    enthusiast = make_user(Role.ENTHUSIAST, department=world["housing"])
    body = api(enthusiast).get("/api/v1/insights").get_json()
    assert [row["department"] for row in body["skills_by_department"]] == ["housing"]
    housing = body["skills_by_department"][0]
    assert (housing["people"], housing["with_skill"]) == (3, 1)
    assert housing["wants"] == [{"skill": "Plain English", "people": 2}]


def test_a_goal_can_target_the_people_offering_a_skill(app: Any) -> None:
    world = _world()
    key = f"skill_offered:{world['tiktok'].id}"
    assert key in {m.key for m in metrics.metric_choices()}
    version = services.save_strategy(
        make_user(Role.SENIOR),
        vision="Everyone can find someone who knows TikTok.",
        goals=[
            GoalInput("Three TikTok helpers", key, "at_least", 3, dt.date(2026, 9, 1)),
            GoalInput(
                "A third offer a skill",
                "percent_people_with_skill",
                "at_least",
                35,
                dt.date(2026, 9, 1),
            ),
        ],
        now=NOW,
    )
    db.session.commit()
    # Two of the seven active people offer a skill (the four above, the two admins who made the
    # list and the senior who saves).
    assert [g.baseline_value for g in version.goals] == [2.0, 28.6]
    pick(make_user(), offers=[world["tiktok"]])
    tiktok, share = services.goal_statuses(version, now=NOW)
    assert (tiktok.metric.label, tiktok.value, tiktok.met, tiktok.trend) == (
        "People offering TikTok",
        3.0,
        True,
        "better",
    )
    assert (share.value, share.met, share.trend) == (37.5, True, "better")


def test_the_strategy_form_offers_per_skill_metrics_and_saves_them(app: Any, login: Any) -> None:
    world = _world()
    client = login(make_user(Role.ADMIN))
    key = f"training_wanted:{world['plain'].id}"
    assert f'value="{key}"' in client.get("/strategy/edit").get_data(as_text=True)
    response = client.post(
        "/strategy/edit",
        data={
            "vision": "Train who asks.",
            "goals-0-title": "Plain English training for all who want it",
            "goals-0-metric_key": key,
            "goals-0-comparison": "at_most",
            "goals-0-target": "0",
            "goals-0-revisit_on": "2026-09-01",
        },
    )
    assert response.status_code == 302
    assert "People wanting training in Plain English" in client.get("/strategy").get_data(
        as_text=True
    )


def test_a_goal_on_a_retired_skill_is_no_longer_measured(app: Any) -> None:
    world = _world()
    key = f"skill_offered:{world['tiktok'].id}"
    version = services.save_strategy(
        make_user(Role.ADMIN),
        vision="V",
        goals=[GoalInput("Helpers", key, "at_least", 3, dt.date(2026, 9, 1))],
        now=NOW,
    )
    skills.set_retired(make_user(Role.ADMIN), world["tiktok"], retired=True)
    db.session.commit()
    assert metrics.find_metric(key) is None
    assert services.goal_statuses(version, now=NOW) == []
