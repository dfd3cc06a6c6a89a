"""GET /api/v1/insights: the dashboard's numbers as JSON, with the same permissions."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from forum.accounts.models import Role
from tests.factories import make_department, make_user
from tests.insights import scenario

RANGE = "from=2026-03-02&to=2026-03-15"


@pytest.fixture
def s(app: object) -> SimpleNamespace:
    return scenario.build()


def test_api_returns_the_hand_computed_numbers(
    s: SimpleNamespace, api: Callable[[Any], Any]
) -> None:
    response = api(s.frank).get(f"/api/v1/insights?{RANGE}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["from"], body["to"], body["department"]) == ("2026-03-02", "2026-03-15", None)
    assert body["posts_by_kind"]["totals"] == {
        "win": 1,
        "failure": 1,
        "fix": 0,
        "question": 4,
        "story": 1,
    }
    assert body["posts_by_kind"]["weekly"][0] == {
        "week_starting": "2026-03-02",
        "counts": {"win": 1, "failure": 0, "fix": 0, "question": 1, "story": 0},
    }
    assert {
        row["department"]: row["contributors"] for row in body["active_contributors_by_department"]
    } == {"housing": 3, "libraries": 1, "parks": 2, "waste": 0, None: 1}
    assert [d["department"] for d in body["departments_without_enthusiast"]] == ["housing", "waste"]
    assert body["median_minutes_to_first_reply"] == 45.0
    assert body["median_minutes_to_senior_reply"] == 120.0
    assert body["median_minutes_to_senior_ack"] == 40.0
    assert body["escalations"]["by_urgency"] == {"routine": 1, "urgent": 2, "crisis": 1}
    assert body["percent_solved"] == 40.0
    assert body["profiles_needing_attention"]["by_reason"]["review_overdue"] >= 1
    ladder = {r["rung"]: r["people"] for r in body["engagement_ladder"]["rungs"]}
    assert ladder == {
        "reading": 1,
        "reacting": 1,
        "replying": 1,
        "posting": 4,
        "helping": 1,
        "leading": 1,
    }
    assert body["engagement_ladder"]["movement"] == {
        "up": 1,
        "down": 1,
        "same": 2,
        "joined": 5,
        "dropped_off": 1,
    }
    assert {"from": "replying", "to": "posting", "people": 1} in body["engagement_ladder"][
        "transitions"
    ]


def test_api_department_filter(s: SimpleNamespace, api: Callable[[Any], Any]) -> None:
    body = api(s.carol).get(f"/api/v1/insights?{RANGE}&department=parks").get_json()
    assert body["department"] == "parks"
    assert body["posts_by_kind"]["totals"]["question"] == 1
    assert body["median_minutes_to_first_reply"] == 37.5


def test_api_permissions(s: SimpleNamespace, api: Callable[[Any], Any]) -> None:
    assert api(s.alice).get("/api/v1/insights").status_code == 403
    enthusiast = api(s.bob)
    assert enthusiast.get(f"/api/v1/insights?{RANGE}").get_json()["department"] == "parks"
    response = enthusiast.get(f"/api/v1/insights?{RANGE}&department=housing")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_api_rejects_bad_parameters(app: object, api: Callable[[Any], Any]) -> None:
    client = api(make_user(Role.ADMIN, department=make_department()))
    response = client.get("/api/v1/insights?from=yesterday")
    assert response.status_code == 400
    assert "from" in response.get_json()["error"]["fields"]
    assert client.get("/api/v1/insights?from=2026-03-10&to=2026-03-01").status_code == 400
    assert client.get("/api/v1/insights?department=nowhere").status_code == 400
    assert client.get("/api/v1/insights?colour=blue").status_code == 400


def test_api_needs_a_token(client: Any) -> None:
    assert client.get("/api/v1/insights").status_code == 401


def test_api_is_in_the_openapi_document(app: object, client: Any) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/insights"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "to", "department"}
    schema = document["components"]["schemas"]["InsightsOut"]
    for key in (
        "posts_by_kind",
        "active_contributors_by_department",
        "departments_without_enthusiast",
        "median_minutes_to_first_reply",
        "median_minutes_to_senior_ack",
        "profiles_needing_attention",
        "engagement_ladder",
    ):
        assert key in schema["properties"]
