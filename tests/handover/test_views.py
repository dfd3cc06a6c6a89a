"""Hand-over pages: a department change on the admin page opens one; admins pass items on and
close it; the registry and insights show open hand-overs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum.accounts.models import AuditAction, AuditEvent
from forum.extensions import db
from forum.handover import services
from tests.factories import make_department, reload
from tests.handover.factories import make_leaver_world


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    return make_leaver_world(profiles=2)


def _move(client: FlaskClient, world: dict[str, Any], slug: str) -> Any:
    leaver = world["leaver"]
    return client.post(
        f"/admin/users/{leaver.id}",
        data={"role": "enthusiast", "department": slug, "is_active": "y"},
    )


def test_changing_department_on_the_admin_page_opens_a_handover(
    world: dict[str, Any], login: Callable[..., FlaskClient]
) -> None:
    client = login(world["admin"])
    new = make_department(name="Parks and Leisure")

    saved = _move(client, world, new.slug)
    listing = client.get("/admin/handovers")
    handover = services.open_handover_for(world["leaver"].id)
    assert handover is not None
    page = client.get(f"/admin/handovers/{handover.id}")

    assert saved.status_code == 302
    assert reload(world["leaver"]).department_id == new.id
    assert handover.reason == "department_changed"
    assert [d.id for d in handover.departments] == [world["dept"].id]
    assert "Lee Leaving" in listing.get_data(as_text=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for profile in [*world["owned"], world["backed"]]:
        assert profile.display_name in html
    assert "Profiles owned" in html and "Profiles backed up" in html
    assert db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == AuditAction.HANDOVER_OPENED)
    )


def test_admin_passes_items_on_and_closes_only_when_nothing_is_held(
    world: dict[str, Any], login: Callable[..., FlaskClient]
) -> None:
    client = login(world["admin"])
    _move(client, world, make_department().slug)
    handover = services.open_handover_for(world["leaver"].id)
    assert handover is not None
    url = f"/admin/handovers/{handover.id}"
    first, second = world["owned"]

    one = client.post(
        url + "/reassign",
        data={"kind": "profile_owner", "item_id": str(first.id), "to_user": str(world["heir"].id)},
    )
    refused = client.post(url + "/close")
    kind = client.post(
        url + "/reassign", data={"kind": "profile_owner", "to_user": str(world["heir"].id)}
    )
    rest = client.post(url + "/reassign", data={"to_user": str(world["heir"].id)})
    closed = client.post(url + "/close", follow_redirects=True)

    assert one.status_code == 302
    assert reload(first).owner_id == world["heir"].id
    assert refused.status_code == 409
    assert "still holds 2 items" in refused.get_data(as_text=True)
    assert kind.status_code == 302 and reload(second).owner_id == world["heir"].id
    assert rest.status_code == 302
    assert reload(world["backed"]).backup_owner_id == world["heir"].id
    assert closed.status_code == 200
    assert "closed" in closed.get_data(as_text=True)
    assert reload(handover).state == "closed"


def test_a_bulk_hand_over_reports_what_an_items_own_rule_refused(
    world: dict[str, Any], login: Callable[..., FlaskClient]
) -> None:
    client = login(world["admin"])
    _move(client, world, make_department().slug)
    handover = services.open_handover_for(world["leaver"].id)
    assert handover is not None

    page = client.post(
        f"/admin/handovers/{handover.id}/reassign",
        data={"kind": "profile_backup", "to_user": str(world["other"].id)},
        follow_redirects=True,
    )

    html = page.get_data(as_text=True)
    assert "Not handed over" in html and world["backed"].display_name in html
    assert reload(world["backed"]).backup_owner_id == world["leaver"].id


def test_registry_and_insights_show_open_handovers(
    world: dict[str, Any], login: Callable[..., FlaskClient]
) -> None:
    client = login(world["admin"])
    client.post(
        f"/admin/users/{world['leaver'].id}",
        data={"role": "enthusiast", "department": world["dept"].slug},
    )

    registry = client.get("/profiles").get_data(as_text=True)
    insights = client.get("/insights").get_data(as_text=True)

    assert "Open hand-overs" in registry
    assert "Lee Leaving" in registry and "3 profile roles still to hand over" in registry
    assert "Open hand-overs" in insights
    assert '/admin/handovers">1</a>' in insights


def test_people_who_are_not_admins_cannot_open_the_pages(
    world: dict[str, Any], login: Callable[..., FlaskClient]
) -> None:
    client = login(world["heir"])

    assert client.get("/admin/handovers").status_code == 403
