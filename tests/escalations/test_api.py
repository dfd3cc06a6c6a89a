"""The escalations API: shapes, permissions, one per thread, and the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from forum.escalations.models import EscalationState
from forum.extensions import db
from tests.escalations.factories import make_board, make_escalation, make_staff, make_thread
from tests.factories import make_department, make_user

ESCALATION_KEYS = {
    "id",
    "state",
    "urgency",
    "thread_id",
    "reason",
    "created_at",
    "acknowledged_at",
    "resolved_at",
    "level",
    "timeline",
}


@pytest.fixture
def setup(app: Flask) -> dict[str, Any]:
    dept = make_department()
    staff = make_staff(dept)
    thread = make_thread(make_board(staff["admin"], department=dept), title="Library closure")
    return {"dept": dept, "thread": thread, **staff}


def test_post_escalation_returns_201_with_the_escalation(
    setup: dict[str, Any], api: Callable[[Any], Any]
) -> None:
    client = api(setup["member"])
    thread = setup["thread"]

    response = client.post(
        f"/api/v1/threads/{thread.id}/escalations",
        json={
            "reason": "Local paper is asking.",
            "urgency": "urgent",
            "post_id": thread.posts[0].id,
        },
    )

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body.keys() >= ESCALATION_KEYS
    assert body["state"] == "open" and body["urgency"] == "urgent"
    assert body["thread_id"] == thread.id and body["level"] == 1
    assert body["acknowledged_at"] is None and body["resolved_at"] is None
    assert [e["kind"] for e in body["timeline"]] == ["opened", "alerted"]

    again = client.post(
        f"/api/v1/threads/{thread.id}/escalations",
        json={"reason": "Now on TV.", "urgency": "crisis"},
    )
    assert again.status_code == 201
    assert again.get_json()["id"] == body["id"]
    assert again.get_json()["urgency"] == "crisis"


def test_post_escalation_validates_and_hides_invisible_threads(
    setup: dict[str, Any], api: Callable[[Any], Any]
) -> None:
    client = api(setup["member"])
    bad = client.post(
        f"/api/v1/threads/{setup['thread'].id}/escalations",
        json={"reason": "x", "urgency": "panic"},
    )
    assert bad.status_code == 400
    assert "urgency" in bad.get_json()["error"]["fields"]
    assert (
        client.post("/api/v1/threads/999999/escalations", json={"reason": "x"}).status_code == 404
    )
    assert (
        client.post(
            f"/api/v1/threads/{setup['thread'].id}/escalations",
            json={"reason": "x", "profile_id": 424242},
        ).status_code
        == 404
    )


def test_list_is_for_seniors_and_filters(setup: dict[str, Any], api: Callable[[Any], Any]) -> None:
    escalation = make_escalation(setup["thread"], actor=setup["member"])
    assert api(setup["member"]).get("/api/v1/escalations").status_code == 403

    client = api(setup["senior"])
    body = client.get("/api/v1/escalations").get_json()
    assert [item["id"] for item in body["items"]] == [escalation.id]
    assert body["items"][0].keys() >= ESCALATION_KEYS
    assert client.get("/api/v1/escalations?urgency=crisis").get_json()["items"] == []
    assert client.get("/api/v1/escalations?state=resolved").get_json()["items"] == []
    assert client.get(f"/api/v1/escalations?department={setup['dept'].slug}").get_json()["items"]
    assert client.get("/api/v1/escalations?department=nope").status_code == 400


def test_get_acknowledge_resolve_and_reassign(
    setup: dict[str, Any], api: Callable[[Any], Any]
) -> None:
    escalation = make_escalation(setup["thread"], actor=setup["member"])
    base = f"/api/v1/escalations/{escalation.id}"
    senior = api(setup["senior"])

    assert api(setup["member"]).get(base).status_code == 200
    assert api(make_user(department=setup["dept"])).get(base).status_code == 403
    assert api(setup["member"]).post(f"{base}/acknowledge").status_code == 403

    acked = senior.post(f"{base}/acknowledge")
    assert acked.status_code == 200
    assert acked.get_json()["state"] == "acknowledged"
    assert acked.get_json()["acknowledged_at"] is not None
    assert senior.post(f"{base}/acknowledge").status_code == 409

    moved = senior.post(f"{base}/reassign", json={"assignee_id": setup["other_senior"].id})
    assert moved.status_code == 200
    assert moved.get_json()["assigned_to"]["id"] == setup["other_senior"].id
    assert (
        senior.post(f"{base}/reassign", json={"assignee_id": setup["member"].id}).status_code == 400
    )

    resolved = senior.post(f"{base}/resolve", json={"note": "Statement issued."})
    assert resolved.status_code == 200
    assert resolved.get_json()["state"] == "resolved"
    assert resolved.get_json()["resolution_note"] == "Statement issued."
    db.session.refresh(escalation)
    assert escalation.state == EscalationState.RESOLVED
    assert api(setup["senior"]).get("/api/v1/escalations/424242").status_code == 404


def test_escalation_routes_are_in_the_openapi_document(app: Flask, client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/threads/{thread_id}/escalations" in paths
    for suffix in ("", "/acknowledge", "/resolve", "/reassign"):
        assert f"/api/v1/escalations/{{escalation_id}}{suffix}" in paths
    assert "get" in paths["/api/v1/escalations"]
