"""The `insights report` command and the demo strategy seeder."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from forum.accounts.demo import seed as seed_accounts
from forum.extensions import db
from forum.insights import demo, services
from tests.insights import scenario


@pytest.fixture
def s(app: object) -> SimpleNamespace:
    return scenario.build()


def test_report_prints_the_api_numbers(s: SimpleNamespace, runner: Any) -> None:
    result = runner.invoke(
        args=["insights", "report", "--from", "2026-03-02", "--to", "2026-03-15"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["posts_by_kind"]["totals"]["question"] == 4
    assert body["median_minutes_to_first_reply"] == 45.0


def test_report_prints_one_series_as_csv(s: SimpleNamespace, runner: Any) -> None:
    result = runner.invoke(
        args=[
            "insights",
            "report",
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-15",
            "--department",
            "parks",
            "--series",
            "active_contributors_by_department",
        ]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["department,slug,contributors", "Parks,parks,2"]


def test_report_refuses_an_unknown_department(app: object, runner: Any) -> None:
    result = runner.invoke(args=["insights", "report", "--department", "nowhere"])
    assert result.exit_code != 0
    assert "no department" in result.output


def test_demo_strategy_is_seeded_once_with_an_endorsement(app: object) -> None:
    seed_accounts()
    assert "6 goals, 1 endorsement" in demo.seed()
    db.session.commit()
    assert demo.seed() == "strategy already written"
    version = services.current_version()
    assert version is not None and version.number == 1
    titles = [g.title for g in version.goals]
    assert "An enthusiast in every department" in titles
    assert "Median time to a senior reply under 2 hours" in titles
    assert "Every profile reviewed in the last 6 months" in titles
    assert [e.user.display_name for e in version.endorsements] == ["Priya Shah"]
