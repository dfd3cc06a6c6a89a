"""The hand-over API contract: deactivation opens it, items are listed, reassigned, closed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from forum.accounts.models import AuditAction, AuditEvent
from forum.extensions import db
from forum.registry.models import ProfileChange, SocialProfile
from tests.factories import make_user, reload
from tests.handover.factories import make_leaver_world


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    return make_leaver_world()


def _items(body: dict[str, Any]) -> set[tuple[str, int]]:
    return {(item["kind"], item["id"]) for item in body["items"]}


def test_deactivating_an_owner_through_the_api_lists_what_they_hold(
    world: dict[str, Any], api: Callable[[Any], Any]
) -> None:
    client = api(world["admin"])
    leaver = world["leaver"]

    before = client.get(f"/api/v1/users/{leaver.id}/handover")
    patched = client.patch(f"/api/v1/users/{leaver.id}", json={"active": False})
    after = client.get(f"/api/v1/users/{leaver.id}/handover")

    assert before.status_code == 200
    assert before.get_json()["state"] is None and before.get_json()["items"] == []
    assert patched.status_code == 200, patched.get_json()
    assert reload(leaver).is_active is False
    body = after.get_json()
    assert after.status_code == 200
    assert body["state"] == "open" and body["reason"] == "deactivated"
    assert body["scope"] == "everything"
    assert _items(body) == {("profile_owner", p.id) for p in world["owned"]} | {
        ("profile_backup", world["backed"].id)
    }
    first = next(i for i in body["items"] if i["id"] == world["owned"][0].id)
    assert first["url"] == f"/profiles/{world['owned'][0].id}"
    assert first["label"].startswith(world["owned"][0].display_name)


def test_reassign_one_then_the_rest_in_bulk_then_close(
    world: dict[str, Any], api: Callable[[Any], Any]
) -> None:
    client = api(world["admin"])
    leaver, heir, other = world["leaver"], world["heir"], world["other"]
    first, *rest = world["owned"]
    client.patch(f"/api/v1/users/{leaver.id}", json={"is_active": False})
    base = f"/api/v1/users/{leaver.id}/handover"

    one = client.post(
        base + "/reassign", json={"kind": "profile_owner", "id": first.id, "to_user_id": heir.id}
    )
    early = client.post(base + "/close")
    kind = client.post(base + "/reassign", json={"kind": "profile_owner", "to_user_id": heir.id})
    backup = client.post(base + "/reassign", json={"to_user_id": heir.id})
    closed = client.post(base + "/close")

    assert one.status_code == 200, one.get_json()
    assert [(i["kind"], i["id"]) for i in one.get_json()["reassigned"]] == [
        ("profile_owner", first.id)
    ]
    assert ("profile_owner", first.id) not in _items(one.get_json()["handover"])
    assert early.status_code == 409
    assert "still holds 3 items" in early.get_json()["error"]["message"]
    assert kind.status_code == 200
    assert {i["id"] for i in kind.get_json()["reassigned"]} == {p.id for p in rest}
    assert _items(kind.get_json()["handover"]) == {("profile_backup", world["backed"].id)}
    assert backup.get_json()["handover"]["items"] == []
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["state"] == "closed" and closed.get_json()["items"] == []
    for profile in world["owned"]:
        assert reload(profile).owner_id == heir.id
    assert reload(world["backed"]).backup_owner_id == heir.id
    assert reload(world["backed"]).owner_id == other.id
    # The registry's own history records each owner change, by the admin.
    changes = db.session.scalars(
        db.select(ProfileChange).where(ProfileChange.profile_id == first.id)
    ).all()
    assert any(c.field == "owner" and c.after == heir.email for c in changes)
    actions = [
        e.action
        for e in db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.subject_type == "user", AuditEvent.subject_id == leaver.id)
            .order_by(AuditEvent.id)
        )
    ]
    assert actions.count(AuditAction.HANDOVER_OPENED) == 1
    assert actions.count(AuditAction.HANDOVER_REASSIGNED) == 4
    assert actions[-1] == AuditAction.HANDOVER_CLOSED


def test_an_item_refused_by_its_own_rule_stays_held_and_is_reported(
    world: dict[str, Any], api: Callable[[Any], Any]
) -> None:
    client = api(world["admin"])
    leaver, other = world["leaver"], world["other"]
    client.patch(f"/api/v1/users/{leaver.id}", json={"active": False})

    # `other` backs up the owned profiles and owns the backed one: the registry refuses to
    # make the owner their own backup.
    response = client.post(
        f"/api/v1/users/{leaver.id}/handover/reassign", json={"to_user_id": other.id}
    )

    body = response.get_json()
    assert response.status_code == 200, body
    assert {(r["kind"], r["id"]) for r in body["refused"]} == {
        ("profile_owner", p.id) for p in world["owned"]
    } | {("profile_backup", world["backed"].id)}
    assert "backup" in body["refused"][0]["message"].lower()
    assert len(body["handover"]["items"]) == 4
    assert reload(world["owned"][0]).owner_id == leaver.id


def test_reassigning_to_a_deactivated_person_or_the_leaver_is_refused(
    world: dict[str, Any], api: Callable[[Any], Any]
) -> None:
    client = api(world["admin"])
    leaver = world["leaver"]
    gone = make_user(is_active=False)
    client.patch(f"/api/v1/users/{leaver.id}", json={"active": False})
    url = f"/api/v1/users/{leaver.id}/handover/reassign"

    to_gone = client.post(url, json={"to_user_id": gone.id})
    to_self = client.post(url, json={"to_user_id": leaver.id})
    no_kind = client.post(url, json={"id": world["owned"][0].id, "to_user_id": world["heir"].id})
    not_held = client.post(
        url, json={"kind": "board_moderator", "id": 1, "to_user_id": world["heir"].id}
    )

    assert to_gone.status_code == 400 and "to_user_id" in to_gone.get_json()["error"]["fields"]
    assert to_self.status_code == 400
    assert no_kind.status_code == 400
    assert not_held.status_code == 404
    assert db.session.get(SocialProfile, world["owned"][0].id).owner_id == leaver.id


def test_only_admins_see_a_handover(world: dict[str, Any], api: Callable[[Any], Any]) -> None:
    response = api(world["heir"]).get(f"/api/v1/users/{world['leaver'].id}/handover")
    missing = api(world["admin"]).get("/api/v1/users/999999/handover")

    assert response.status_code == 403
    assert missing.status_code == 404


def test_closing_without_an_open_handover_is_404(
    world: dict[str, Any], api: Callable[[Any], Any]
) -> None:
    response = api(world["admin"]).post(f"/api/v1/users/{world['heir'].id}/handover/close")

    assert response.status_code == 404
