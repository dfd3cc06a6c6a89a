"""Escalation alerts tell each reader only what they may see; covers who cannot act are passed
over, and the timeline says why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.alerts.models import Channel, Notification, OutboxMessage
from forum.alerts.services import endpoints as webhook_endpoints
from forum.boards import services as board_services
from forum.boards.models import BoardVisibility
from forum.escalations import services
from forum.escalations.models import EventKind, Urgency
from forum.escalations.services import alerting
from forum.extensions import db
from tests.escalations.factories import T0, make_board, make_escalation, make_policy, make_thread
from tests.factories import make_department, make_user

TITLE = "Storm warning rota: what worked over the weekend"
REASON = "Residents are sharing the rota spreadsheet with names on it."


def texts_for(user: User) -> str:
    """Everything stored for `user`: notices and their queued emails."""
    notices = db.session.scalars(select(Notification).where(Notification.user_id == user.id))
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    return " ".join([f"{n.title} {n.body}" for n in notices] + [str(m.payload) for m in mails])


def escalation_notices(user: User) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.user_id == user.id, Notification.kind == "escalation"
            )
        )
    )


@pytest.fixture
def comms(app: Flask) -> dict[str, Any]:
    """The demo's shape: a communications-only board, Grace (a Parks senior) away with Mia (a
    Parks enthusiast) recorded as her cover before covers were checked, and Sam who escalates."""
    communications, parks = make_department(name="Communications"), make_department(name="Parks")
    admin = make_user(Role.ADMIN)
    priya = make_user(Role.SENIOR, department=communications, display_name="Priya Shah")
    grace = make_user(Role.SENIOR, department=parks, display_name="Grace Lee")
    mia = make_user(Role.ENTHUSIAST, department=parks, display_name="Mia Evans")
    # Legacy data: set directly, as the away form of the time allowed.
    grace.away_from, grace.away_until = (
        T0.date() - dt.timedelta(days=2),
        T0.date() + dt.timedelta(days=12),
    )
    grace.cover_user = mia
    db.session.commit()
    board = make_board(admin, department=communications, visibility=BoardVisibility.DEPARTMENT)
    sam = make_user(Role.ENTHUSIAST, department=communications, display_name="Sam Riley")
    return {
        "admin": admin,
        "priya": priya,
        "grace": grace,
        "mia": mia,
        "sam": sam,
        "board": board,
        "thread": make_thread(board, author=sam, title=TITLE),
    }


def test_a_cover_who_cannot_act_gets_nothing_and_the_timeline_says_why(
    comms: dict[str, Any],
) -> None:
    # The regression (stock demo data): after the ladder climbed, Mia got a notice and an email
    # with the thread's title and the reason, yet the thread was a 404 for her.
    make_policy(
        comms["admin"],
        levels=[{"users": [comms["priya"]]}, {"users": [comms["grace"]]}],
    )
    escalation = make_escalation(
        comms["thread"], actor=comms["sam"], urgency=Urgency.CRISIS, reason=REASON
    )
    services.advance_ladder(T0 + dt.timedelta(minutes=11))
    db.session.commit()

    mia = comms["mia"]
    assert escalation_notices(mia) == []
    assert TITLE not in texts_for(mia) and REASON not in texts_for(mia)
    climbed = next(e for e in escalation.events if e.kind == EventKind.CLIMBED)
    assert climbed.details["skipped"] == [
        {
            "name": "Mia Evans",
            "covering_for": "Grace Lee",
            "why": "they cannot act on escalations (not a senior or an administrator)",
        }
    ]
    # Nobody left at that level: the admins are alerted instead.
    assert climbed.details["recipients"] == [comms["admin"].display_name]


def test_the_timeline_page_shows_the_cover_passed_over(comms: dict[str, Any], login: Any) -> None:
    make_policy(comms["admin"], levels=[{"users": [comms["grace"]]}])
    escalation = make_escalation(comms["thread"], actor=comms["sam"], urgency=Urgency.CRISIS)
    page = login(comms["priya"]).get(f"/escalations/{escalation.id}").get_data(as_text=True)
    assert "Passed over: Mia Evans, covering for Grace Lee, because they cannot act" in page


def test_a_named_person_who_cannot_see_the_thread_is_told_only_that_an_escalation_needs_them(
    comms: dict[str, Any],
) -> None:
    outsider = make_user(Role.ENTHUSIAST, department=make_department(), display_name="Jack")
    make_policy(comms["admin"], levels=[{"users": [comms["priya"], outsider]}])
    escalation = make_escalation(
        comms["thread"], actor=comms["sam"], urgency=Urgency.CRISIS, reason=REASON
    )

    [notice] = escalation_notices(outsider)
    assert notice.title == "[Crisis] An escalation needs you"
    assert notice.body == alerting.BARE_BODY
    assert notice.url == f"/escalations/{escalation.id}"
    [email] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == outsider.email)
    )
    assert "details" not in email.payload
    assert TITLE not in texts_for(outsider) and REASON not in texts_for(outsider)
    assert "Sam Riley" not in texts_for(outsider)
    # Those who may see the thread still get everything.
    [full] = escalation_notices(comms["priya"])
    assert TITLE in full.title and REASON in full.body


def test_webhooks_name_only_threads_on_all_staff_boards(comms: dict[str, Any]) -> None:
    endpoint = webhook_endpoints.create_endpoint(
        comms["admin"],
        name="Comms Slack",
        url="https://hooks.example.org/x",
        format="slack",
        allow_private=True,
    )
    make_policy(comms["admin"], webhook_endpoints=[endpoint], levels=[{"users": [comms["priya"]]}])
    hidden = make_escalation(
        comms["thread"], actor=comms["sam"], urgency=Urgency.CRISIS, reason=REASON
    )
    services.acknowledge(hidden, actor=comms["priya"], now=T0 + dt.timedelta(minutes=1))
    open_thread = make_thread(make_board(comms["admin"]), title="Bin day post went viral")
    shown = make_escalation(open_thread, urgency=Urgency.URGENT, reason="Angry replies.")
    db.session.commit()

    hooks = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == Channel.WEBHOOK)
            .order_by(OutboxMessage.id)
        )
    )
    about_hidden = [h.payload for h in hooks if h.payload["escalation_id"] == hidden.id]
    assert [p["event"] for p in about_hidden] == [
        "escalation.alerted",
        "escalation.acknowledged",
    ]
    for payload in about_hidden:
        assert TITLE not in str(payload) and REASON not in str(payload)
        assert "thread_id" not in payload
        assert payload["url"] == f"/escalations/{hidden.id}"
    assert about_hidden[0]["title"] == "[Crisis] An escalation needs attention"
    [about_shown] = [h.payload for h in hooks if h.payload["escalation_id"] == shown.id]
    assert "Bin day post went viral" in about_shown["title"]
    assert about_shown["fields"]["Reason"] == "Angry replies."


def test_a_reporter_the_thread_moved_away_from_hears_only_that_it_was_acknowledged(
    comms: dict[str, Any],
) -> None:
    open_board = make_board(comms["admin"])
    outsider = make_user(department=make_department())
    thread = make_thread(open_board, author=outsider, title="Flyer typo spotted")
    escalation = make_escalation(thread, actor=outsider)
    board_services.move_thread(thread, actor=comms["admin"], to_board=comms["board"])
    services.acknowledge(escalation, actor=comms["priya"], now=T0 + dt.timedelta(minutes=1))
    db.session.commit()

    [notice] = [n for n in escalation_notices(outsider) if "acknowledged" in n.title.lower()]
    assert notice.title == "An escalation you raised was acknowledged."
    assert "Flyer typo spotted" not in notice.body
