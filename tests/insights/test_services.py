"""Strategy rules: who saves and endorses, versions kept, goals judged against targets and trend."""

from __future__ import annotations

import datetime as dt

import pytest

from forum.accounts.models import Role
from forum.core.errors import Conflict, Invalid, NotPermitted
from forum.extensions import db
from forum.insights import services
from forum.insights.services import GoalInput
from tests.factories import make_department, make_user
from tests.insights import factories as f
from tests.insights.factories import at

REVISIT = dt.date(2026, 9, 1)


def goal(
    key: str = "departments_without_enthusiast", comparison: str = "at_most", target: float = 0
) -> GoalInput:
    return GoalInput(
        title="An enthusiast in every department",
        metric_key=key,
        comparison=comparison,
        target=target,
        revisit_on=REVISIT,
    )


def test_seniors_and_admins_save_and_every_save_is_a_new_version(app: object) -> None:
    admin, senior = make_user(Role.ADMIN), make_user(Role.SENIOR)
    with pytest.raises(NotPermitted):
        services.save_strategy(make_user(Role.ENTHUSIAST), vision="Be useful", goals=[goal()])
    first = services.save_strategy(senior, vision="Be useful", goals=[goal()], now=at(1))
    second = services.save_strategy(admin, vision="Be more useful", goals=[goal()], now=at(2))
    db.session.commit()
    assert (first.number, second.number) == (1, 2)
    assert services.current_version().vision == "Be more useful"
    assert services.get_version(1).vision == "Be useful"
    assert [v.number for v in services.list_versions()] == [2, 1]


@pytest.mark.parametrize(
    ("vision", "goals", "field"),
    [
        ("", [goal()], "vision"),
        ("Vision", [], "goals"),
        ("Vision", [goal(key="made_up")], "goals.0.metric_key"),
        ("Vision", [goal(comparison="roughly")], "goals.0.comparison"),
        ("Vision", [goal()] * 9, "goals"),
    ],
)
def test_bad_strategies_are_refused_with_field_messages(
    app: object, vision: str, goals: list[GoalInput], field: str
) -> None:
    with pytest.raises(Invalid) as error:
        services.save_strategy(make_user(Role.ADMIN), vision=vision, goals=goals)
    assert field in error.value.fields


def test_seniors_endorse_once_and_members_cannot(app: object) -> None:
    version = services.save_strategy(make_user(Role.ADMIN), vision="V", goals=[goal()])
    senior = make_user(Role.SENIOR)
    with pytest.raises(NotPermitted):
        services.endorse(make_user(Role.ENTHUSIAST), version)
    endorsement = services.endorse(senior, version, now=at(3))
    assert endorsement.created_at == at(3)
    with pytest.raises(Conflict):
        services.endorse(senior, version)
    assert services.has_endorsed(senior, version)


def test_goal_shows_value_against_target_and_trend_since_the_last_revisit(app: object) -> None:
    parks, housing = make_department(), make_department()
    admin = make_user(Role.ADMIN)
    make_user(Role.ENTHUSIAST, department=parks)
    quiet = make_user(Role.ENTHUSIAST, department=housing)
    # Saved on 1 March: both departments lack an active enthusiast (baseline 2).
    version = services.save_strategy(
        admin, vision="V", goals=[goal(), goal("active_contributors", "at_least", 5)], now=at(1)
    )
    assert [g.baseline_value for g in version.goals] == [2.0, 0.0]
    f.make_thread(quiet, at(5))
    statuses = services.goal_statuses(version, now=at(10))
    coverage, contributors = statuses
    assert (coverage.value, coverage.met, coverage.trend, coverage.change) == (
        1.0,
        False,
        "better",
        -1.0,
    )
    assert (contributors.value, contributors.met, contributors.trend) == (1.0, False, "better")
    assert coverage.revisit_due is False
    assert (
        services.goal_statuses(version, now=dt.datetime(2026, 9, 1, tzinfo=dt.UTC))[0].revisit_due
        is True
    )


def test_a_metric_without_data_has_no_trend(app: object) -> None:
    version = services.save_strategy(
        make_user(Role.ADMIN),
        vision="V",
        goals=[goal("median_minutes_to_first_reply", "at_most", 60)],
    )
    (status,) = services.goal_statuses(version)
    assert (status.value, status.met, status.trend) == (None, None, None)


def test_who_sees_which_insights(app: object) -> None:
    parks, housing = make_department(slug="parks"), make_department(slug="housing")
    senior = make_user(Role.SENIOR, department=housing)
    enthusiast = make_user(Role.ENTHUSIAST, department=parks)
    assert services.insights_department(senior, None) is None
    assert services.insights_department(senior, "parks") == parks
    assert services.insights_department(enthusiast, None) == parks
    assert services.insights_department(enthusiast, "parks") == parks
    with pytest.raises(NotPermitted):
        services.insights_department(enthusiast, "housing")
    with pytest.raises(NotPermitted):
        services.insights_department(make_user(Role.MEMBER, department=parks), None)
    with pytest.raises(NotPermitted):
        services.insights_department(make_user(Role.ENTHUSIAST), None)
    with pytest.raises(Invalid):
        services.insights_department(senior, "nowhere")
