"""Hand-over rules: what is in scope, each kind passed on through its owner's services."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from forum.accounts import services as account_services
from forum.accounts.models import Role
from forum.alerts.models import Notification
from forum.boards.models import BoardVisibility
from forum.core.errors import Conflict, Invalid
from forum.escalations.models import EscalationEvent, EventKind
from forum.extensions import db
from forum.handover import services
from forum.handover.services import ItemKind
from tests.escalations.factories import make_board, make_escalation, make_policy, make_thread
from tests.factories import make_department, make_user, reload
from tests.registry.factories import make_profile


@pytest.fixture
def people(app: Flask) -> dict[str, Any]:
    old, new = make_department(), make_department()
    admin = make_user(Role.ADMIN)
    senior = make_user(Role.SENIOR, department=old, display_name="Sid Senior")
    heir = make_user(Role.SENIOR, department=old, display_name="Hana Heir")
    return {"old": old, "new": new, "admin": admin, "senior": senior, "heir": heir}


def _holdings(p: dict[str, Any]) -> dict[str, Any]:
    """The senior holds something of every kind, in the old department and outside it."""
    admin, senior, old = p["admin"], p["senior"], p["old"]
    other_dept = make_department()
    dept_board = make_board(admin, department=old, visibility=BoardVisibility.DEPARTMENT)
    staff_board = make_board(admin)
    from forum.boards import services as board_services

    board_services.set_moderators(admin, dept_board, [senior])
    board_services.set_moderators(admin, staff_board, [senior])
    dept_profile = make_profile(actor=admin, department=old, owner=senior)
    other_profile = make_profile(actor=admin, department=other_dept, owner=senior)
    policy = make_policy(admin, levels=[{"users": [senior]}], departments=[old])
    escalation = make_escalation(make_thread(dept_board))
    escalation = reload(escalation)
    from forum.escalations import services as escalation_services

    escalation_services.reassign(escalation, actor=admin, assignee=senior)
    covered = make_user(Role.MEMBER, department=old, cover_user_id=senior.id)
    db.session.commit()
    return {
        "dept_board": dept_board,
        "staff_board": staff_board,
        "dept_profile": dept_profile,
        "other_profile": other_profile,
        "level": policy.levels[0],
        "escalation": escalation,
        "covered": covered,
    }


def _kinds(handover: Any) -> set[tuple[str, int]]:
    return {(item.kind.value, item.id) for item in services.held_items(handover)}


def test_a_department_change_hands_over_only_what_is_tied_to_the_old_department(
    people: dict[str, Any],
) -> None:
    held = _holdings(people)
    senior = people["senior"]

    account_services.admin_update_user(people["admin"], senior, department=people["new"])
    db.session.commit()

    handover = services.open_handover_for(senior.id)
    assert handover is not None and not handover.is_everything
    assert _kinds(handover) == {
        ("profile_owner", held["dept_profile"].id),
        ("policy_level", held["level"].id),
        ("board_moderator", held["dept_board"].id),
        ("escalation", held["escalation"].id),
        ("cover", held["covered"].id),
    }


def test_a_later_deactivation_widens_the_open_handover_to_everything(
    people: dict[str, Any],
) -> None:
    held = _holdings(people)
    senior, admin = people["senior"], people["admin"]
    account_services.admin_update_user(admin, senior, department=people["new"])
    db.session.commit()

    account_services.admin_update_user(admin, senior, is_active=False)
    db.session.commit()

    handover = services.open_handover_for(senior.id)
    assert handover is not None and handover.is_everything
    assert ("profile_owner", held["other_profile"].id) in _kinds(handover)
    assert ("board_moderator", held["staff_board"].id) in _kinds(handover)
    assert db.session.scalar(select(db.func.count()).select_from(type(handover))) == 1


def test_every_kind_passes_on_through_its_own_service(people: dict[str, Any]) -> None:
    held = _holdings(people)
    senior, admin, heir = people["senior"], people["admin"], people["heir"]
    account_services.admin_update_user(admin, senior, is_active=False)
    db.session.commit()
    handover = services.open_handover_for(senior.id)
    assert handover is not None

    outcome = services.reassign_all(admin, handover, to_user_id=heir.id)
    db.session.commit()

    assert outcome.refused == []
    assert services.held_items(handover) == []
    assert reload(held["dept_profile"]).owner_id == heir.id
    assert [u.id for u in reload(held["level"]).users] == [heir.id]
    assert reload(held["dept_board"]).moderator_ids == {heir.id}
    assert reload(held["escalation"]).assigned_to_id == heir.id
    assert reload(held["covered"]).cover_user_id == heir.id
    # The escalation's own timeline says who handed it over.
    event = db.session.scalars(
        select(EscalationEvent)
        .where(EscalationEvent.escalation_id == held["escalation"].id)
        .order_by(EscalationEvent.id.desc())
    ).first()
    assert event is not None and event.kind == EventKind.REASSIGNED
    assert senior.display_name in event.note
    # The person taking over is told, once, in-app.
    notices = db.session.scalars(
        select(Notification).where(Notification.user_id == heir.id, Notification.kind == "handover")
    ).all()
    assert len(notices) == 1 and "Sid Senior" in notices[0].title
    services.close_handover(admin, handover)
    db.session.commit()
    assert reload(handover).state == "closed"


def test_an_item_reassigned_elsewhere_leaves_the_list(people: dict[str, Any]) -> None:
    held = _holdings(people)
    senior, admin, heir = people["senior"], people["admin"], people["heir"]
    account_services.admin_update_user(admin, senior, is_active=False)
    db.session.commit()
    handover = services.open_handover_for(senior.id)
    assert handover is not None
    from forum.registry import services as registry_services

    registry_services.update_profile(admin, held["other_profile"], {"owner": heir.email})
    db.session.commit()

    assert ("profile_owner", held["other_profile"].id) not in _kinds(handover)


def test_closing_while_anything_is_held_is_refused(people: dict[str, Any]) -> None:
    _holdings(people)
    senior, admin = people["senior"], people["admin"]
    account_services.admin_update_user(admin, senior, is_active=False)
    db.session.commit()
    handover = services.open_handover_for(senior.id)
    assert handover is not None

    with pytest.raises(Conflict, match="still holds 7 items"):
        services.close_handover(admin, handover)


def test_an_escalation_cannot_go_to_a_member(people: dict[str, Any]) -> None:
    held = _holdings(people)
    senior, admin = people["senior"], people["admin"]
    member = make_user(Role.MEMBER)
    account_services.admin_update_user(admin, senior, is_active=False)
    db.session.commit()
    handover = services.open_handover_for(senior.id)
    assert handover is not None

    with pytest.raises(Invalid):
        services.reassign_item(
            admin,
            handover,
            kind=ItemKind.ESCALATION,
            item_id=held["escalation"].id,
            to_user_id=member.id,
        )


def test_a_person_without_a_department_opens_nothing_on_joining_one(
    people: dict[str, Any],
) -> None:
    loner = make_user(Role.MEMBER)

    account_services.admin_update_user(people["admin"], loner, department=people["new"])
    db.session.commit()

    assert services.latest_handover_for(loner.id) is None
