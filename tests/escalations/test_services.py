"""Escalation rules without HTTP: routing, cover, the ladder, one per thread, replies, outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum.accounts.models import Role, User
from forum.alerts.models import Channel, Notification, OutboxMessage
from forum.alerts.services import endpoints as webhook_endpoints
from forum.boards import services as board_services
from forum.boards.models import BoardVisibility
from forum.core.errors import Conflict, Invalid, NotFound, NotPermitted, Throttled
from forum.escalations import services
from forum.escalations.models import Escalation, EscalationState, EventKind, Urgency
from forum.escalations.services import routing
from forum.extensions import db
from tests.escalations.factories import (
    T0,
    make_board,
    make_escalation,
    make_policy,
    make_staff,
    make_thread,
)
from tests.factories import make_department, make_user, sql_statements


def emails_to(user: User) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == Channel.EMAIL, OutboxMessage.recipient == user.email)
            .order_by(OutboxMessage.id)
        )
    )


def notified(user: User) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def alerted_ids(escalation: Escalation) -> list[set[int]]:
    """Per wave, the ids of the people alerted (from the in-app notifications' dedupe keys)."""
    waves: dict[int, set[int]] = {}
    for n in db.session.scalars(
        select(Notification).where(
            Notification.dedupe_key.like(f"escalation:{escalation.id}:wave:%")
        )
    ):
        parts = (n.dedupe_key or "").split(":")
        waves.setdefault(int(parts[3]), set()).add(int(parts[5]))
    return [waves[k] for k in sorted(waves)]


@pytest.fixture
def dept(app: Flask) -> Any:
    return make_department()


# --- routing ----------------------------------------------------------------------------------


def test_default_routing_alerts_the_seniors_of_the_threads_department_first(
    app: Flask, dept: Any
) -> None:
    staff = make_staff(dept)
    thread = make_thread(make_board(staff["admin"], department=dept), title="Angry tenant post")

    escalation = make_escalation(thread, actor=staff["member"], urgency=Urgency.CRISIS)

    assert alerted_ids(escalation) == [{staff["senior"].id}]
    [email] = emails_to(staff["senior"])
    assert "Angry tenant post" in email.payload["subject"]
    assert "Crisis" in email.payload["subject"]
    assert email.payload["url"] == f"/escalations/{escalation.id}"
    assert "Needs a senior now." in email.payload["text"]
    assert emails_to(staff["other_senior"]) == []
    assert escalation.next_escalation_at == T0 + dt.timedelta(minutes=10)


def test_default_ladder_is_department_seniors_then_all_seniors_then_admins(
    app: Flask, dept: Any
) -> None:
    staff = make_staff(dept)
    escalation = make_escalation(
        make_thread(make_board(staff["admin"], department=dept)), actor=staff["member"]
    )

    labels = [rung.label for rung in routing.ladder(escalation)]

    assert labels == ["Department seniors", "All seniors", "Administrators"]


def test_without_department_seniors_all_seniors_are_alerted(app: Flask, dept: Any) -> None:
    admin = make_user(Role.ADMIN)
    seniors = [make_user(Role.SENIOR), make_user(Role.SENIOR)]
    thread = make_thread(make_board(admin, department=dept))

    escalation = make_escalation(thread)

    assert alerted_ids(escalation) == [{s.id for s in seniors}]


def test_away_senior_is_replaced_by_their_cover(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    cover = make_user(Role.SENIOR, department=make_department())
    senior = staff["senior"]
    senior.away_from, senior.away_until = T0.date() - dt.timedelta(days=1), T0.date()
    senior.cover_user = cover
    db.session.commit()

    escalation = make_escalation(
        make_thread(make_board(staff["admin"], department=dept)), actor=staff["member"]
    )

    assert alerted_ids(escalation) == [{cover.id}]
    assert "covering for" in notified(cover)[0].body
    alerted = next(e for e in escalation.events if e.kind == EventKind.ALERTED)
    assert alerted.details["covering"] == {cover.display_name: senior.display_name}


def test_when_nobody_on_a_level_is_reachable_the_admins_are_alerted(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    for senior in (staff["senior"], staff["other_senior"]):
        senior.away_from = T0.date() - dt.timedelta(days=3)  # away, open-ended, no cover
    db.session.commit()

    escalation = make_escalation(
        make_thread(make_board(staff["admin"], department=dept)), actor=staff["member"]
    )

    assert alerted_ids(escalation) == [{staff["admin"].id}]


def test_a_matching_policy_routes_to_its_people_and_webhooks(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    named = make_user(Role.SENIOR)
    endpoint = webhook_endpoints.create_endpoint(
        staff["admin"],
        name="Comms Slack",
        url="https://hooks.example.org/x",
        format="slack",
        allow_private=True,
    )
    policy = make_policy(
        staff["admin"],
        departments=[dept],
        urgencies=["crisis"],
        webhook_endpoints=[endpoint],
        levels=[{"users": [named], "timeout_minutes": 5}],
    )
    board = make_board(staff["admin"], department=dept)

    crisis = make_escalation(make_thread(board), actor=staff["member"], urgency=Urgency.CRISIS)
    routine = make_escalation(make_thread(board), actor=staff["member"], urgency=Urgency.ROUTINE)

    assert crisis.policy_id == policy.id
    assert alerted_ids(crisis) == [{named.id}]
    assert crisis.next_escalation_at == T0 + dt.timedelta(minutes=5)
    hooks = list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.WEBHOOK))
    )
    assert [h.webhook_endpoint_id for h in hooks] == [endpoint.id]
    assert hooks[0].payload["url"] == f"/escalations/{crisis.id}"
    assert routine.policy_id is None  # urgency does not match: default ladder
    assert alerted_ids(routine) == [{staff["senior"].id}]


def test_policy_level_can_name_a_departments_seniors(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    other = make_department()
    other_senior = make_user(Role.SENIOR, department=other)
    make_policy(staff["admin"], levels=[{"department": other}])

    escalation = make_escalation(
        make_thread(make_board(staff["admin"], department=dept)), actor=staff["member"]
    )

    assert alerted_ids(escalation) == [{other_senior.id}]


# --- the ladder -------------------------------------------------------------------------------


def test_ladder_climbs_only_after_the_levels_timeout(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    escalation = make_escalation(
        make_thread(make_board(staff["admin"], department=dept)),
        actor=staff["member"],
        urgency=Urgency.CRISIS,
    )

    assert services.advance_ladder(T0 + dt.timedelta(minutes=9, seconds=59)) == 0
    assert escalation.level == 1
    assert services.advance_ladder(T0 + dt.timedelta(minutes=10)) == 1
    db.session.commit()

    assert escalation.level == 2
    assert alerted_ids(escalation)[1] == {staff["senior"].id, staff["other_senior"].id}
    climbed = [e for e in escalation.events if e.kind == EventKind.CLIMBED]
    assert len(climbed) == 1 and climbed[0].actor_id is None
    assert escalation.next_escalation_at == T0 + dt.timedelta(minutes=20)


def test_ladder_ends_after_the_last_level_and_repeats_when_the_policy_says(
    app: Flask, dept: Any
) -> None:
    staff = make_staff(dept)
    make_policy(
        staff["admin"],
        repeat_count=1,
        levels=[
            {"users": [staff["senior"]], "timeout_minutes": 1},
            {"users": [staff["other_senior"]], "timeout_minutes": 1},
        ],
    )
    escalation = make_escalation(
        make_thread(make_board(staff["admin"], department=dept)), actor=staff["member"]
    )

    minute = dt.timedelta(minutes=1)
    levels = []
    for step in range(1, 5):
        services.advance_ladder(T0 + step * minute)
        levels.append((escalation.level, escalation.ladder_round))

    assert levels == [(2, 0), (1, 1), (2, 1), (2, 1)]
    assert escalation.next_escalation_at is None
    assert escalation.events[-1].kind == EventKind.EXHAUSTED
    assert services.advance_ladder(T0 + 10 * minute) == 0


def test_acknowledging_stops_the_ladder_and_tells_the_escalating_person(
    app: Flask, dept: Any
) -> None:
    staff = make_staff(dept)
    escalation = make_escalation(
        make_thread(make_board(staff["admin"], department=dept)),
        actor=staff["member"],
        urgency=Urgency.CRISIS,
    )

    services.acknowledge(escalation, actor=staff["senior"], now=T0 + dt.timedelta(minutes=3))

    assert escalation.state == EscalationState.ACKNOWLEDGED
    assert escalation.assigned_to_id == staff["senior"].id
    assert escalation.time_to_acknowledge == dt.timedelta(minutes=3)
    assert services.advance_ladder(T0 + dt.timedelta(hours=2)) == 0
    assert any(n.title.startswith("Acknowledged") for n in notified(staff["member"]))
    with pytest.raises(Conflict):
        services.acknowledge(escalation, actor=staff["other_senior"])


# --- one per thread, urgency, throttle --------------------------------------------------------


def test_escalating_again_adds_to_the_open_escalation(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    thread = make_thread(make_board(staff["admin"], department=dept))
    first = make_escalation(thread, actor=staff["member"], urgency=Urgency.URGENT)
    someone = make_user(department=dept)

    again, created = services.escalate(
        thread, actor=someone, reason="Still going on.", urgency=Urgency.ROUTINE, now=T0
    )

    assert (again.id, created) == (first.id, False)
    assert db.session.scalar(select(func.count()).select_from(Escalation)) == 1
    assert again.urgency == Urgency.URGENT  # a lower urgency never lowers it
    assert [e.kind for e in again.events].count(EventKind.ADDED) == 1
    assert services.reporter_ids(again) == {staff["member"].id, someone.id}


def test_a_higher_urgency_raises_it_and_alerts_the_level_again(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    thread = make_thread(make_board(staff["admin"], department=dept))
    escalation = make_escalation(thread, actor=staff["member"], urgency=Urgency.ROUTINE)
    later = T0 + dt.timedelta(minutes=5)

    services.escalate(
        thread,
        actor=staff["member"],
        reason="It is on the news now.",
        urgency=Urgency.CRISIS,
        now=later,
    )

    assert escalation.urgency == Urgency.CRISIS
    assert EventKind.URGENCY_RAISED in [e.kind for e in escalation.events]
    assert len(emails_to(staff["senior"])) == 2
    assert "Crisis" in emails_to(staff["senior"])[1].payload["subject"]
    assert escalation.next_escalation_at == later + dt.timedelta(minutes=10)


def test_a_resolved_escalation_does_not_block_a_new_one(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    thread = make_thread(make_board(staff["admin"], department=dept))
    first = make_escalation(thread, actor=staff["member"])
    services.resolve(first, actor=staff["senior"], note="Handled.")

    second, created = services.escalate(
        thread, actor=staff["member"], reason="Again.", urgency="routine", now=T0
    )
    db.session.commit()

    assert created and second.id != first.id
    with pytest.raises(Conflict):
        services.reopen(first, actor=staff["senior"])


def test_escalations_are_throttled_per_person_unless_rate_limits_are_off(
    app: Flask, dept: Any
) -> None:
    staff = make_staff(dept)
    board = make_board(staff["admin"], department=dept)
    app.config["ESCALATIONS_PER_HOUR"] = 2
    threads = [make_thread(board) for _ in range(3)]
    for thread in threads[:2]:
        make_escalation(thread, actor=staff["member"])

    with pytest.raises(Throttled):
        services.escalate(
            threads[2],
            actor=staff["member"],
            reason="x",
            urgency="routine",
            now=T0 + dt.timedelta(minutes=30),
        )
    db.session.rollback()
    # An hour later the window has moved on.
    services.escalate(
        threads[2],
        actor=staff["member"],
        reason="x",
        urgency="routine",
        now=T0 + dt.timedelta(hours=1, minutes=1),
    )
    db.session.rollback()
    app.config["RATELIMIT_ENABLED"] = False
    services.escalate(
        threads[2],
        actor=staff["member"],
        reason="x",
        urgency="routine",
        now=T0 + dt.timedelta(minutes=30),
    )


def test_escalate_checks_reason_urgency_post_and_visibility(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    private = make_board(staff["admin"], department=dept, visibility=BoardVisibility.DEPARTMENT)
    thread = make_thread(private)
    other_thread = make_thread(private)
    outsider = make_user(department=make_department())

    with pytest.raises(Invalid) as missing:
        services.escalate(thread, actor=staff["member"], reason="  ", urgency="routine")
    assert "reason" in missing.value.fields
    with pytest.raises(Invalid):
        services.escalate(thread, actor=staff["member"], reason="x", urgency="panic")
    with pytest.raises(Invalid):
        services.escalate(
            thread, actor=staff["member"], reason="x", urgency="routine", post=other_thread.posts[0]
        )
    with pytest.raises(NotFound):
        services.escalate(thread, actor=outsider, reason="x", urgency="routine")


# --- handling ---------------------------------------------------------------------------------


def test_a_senior_reply_in_the_thread_resolves_it_and_records_the_post(
    app: Flask, dept: Any
) -> None:
    staff = make_staff(dept)
    thread = make_thread(make_board(staff["admin"], department=dept))
    escalation = make_escalation(thread, actor=staff["member"])

    board_services.add_post(thread, author=make_user(department=dept), body="Me too!")
    assert escalation.state == EscalationState.OPEN
    reply = board_services.add_post(
        thread, author=staff["other_senior"], body="I have replied to them publicly."
    )
    db.session.commit()

    assert escalation.state == EscalationState.RESOLVED
    assert escalation.resolution_post_id == reply.id
    assert escalation.resolved_by_id == staff["other_senior"].id
    assert any(n.title.startswith("Resolved") for n in notified(staff["member"]))


def test_members_cannot_handle_escalations(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    escalation = make_escalation(
        make_thread(make_board(staff["admin"], department=dept)), actor=staff["member"]
    )
    for action in (
        lambda: services.acknowledge(escalation, actor=staff["member"]),
        lambda: services.resolve(escalation, actor=staff["member"]),
        lambda: services.add_note(escalation, actor=staff["member"], note="x"),
        lambda: services.reassign(escalation, actor=staff["member"], assignee=staff["senior"]),
    ):
        with pytest.raises(NotPermitted):
            action()


def test_only_seniors_admins_and_reporters_may_see_an_escalation(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    escalation = make_escalation(
        make_thread(make_board(staff["admin"], department=dept)), actor=staff["member"]
    )

    assert services.get_escalation(staff["member"], escalation.id) is escalation
    assert services.get_escalation(staff["other_senior"], escalation.id) is escalation
    with pytest.raises(NotPermitted):
        services.get_escalation(make_user(department=dept), escalation.id)
    with pytest.raises(NotFound):
        services.get_escalation(staff["senior"], escalation.id + 100)


def test_internal_notes_are_hidden_from_the_escalating_member(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    escalation = make_escalation(
        make_thread(make_board(staff["admin"], department=dept)), actor=staff["member"]
    )
    services.add_note(escalation, actor=staff["senior"], note="The tenant is known to us.")

    assert "The tenant is known to us." in [
        e.note for e in services.timeline(staff["senior"], escalation)
    ]
    assert EventKind.NOTE not in [e.kind for e in services.timeline(staff["member"], escalation)]


def test_reassign_alerts_the_new_assignee_and_refuses_members(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    escalation = make_escalation(
        make_thread(make_board(staff["admin"], department=dept)), actor=staff["member"]
    )

    services.reassign(escalation, actor=staff["senior"], assignee=staff["other_senior"])

    assert escalation.assigned_to_id == staff["other_senior"].id
    assert len(emails_to(staff["other_senior"])) == 1
    with pytest.raises(Invalid):
        services.reassign(escalation, actor=staff["senior"], assignee=staff["member"])


def test_reopen_alerts_the_first_level_again(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    escalation = make_escalation(
        make_thread(make_board(staff["admin"], department=dept)),
        actor=staff["member"],
        urgency=Urgency.CRISIS,
    )
    services.advance_ladder(T0 + dt.timedelta(minutes=10))
    services.resolve(escalation, actor=staff["senior"], now=T0 + dt.timedelta(minutes=12))

    services.reopen(
        escalation,
        actor=staff["member"],
        reason="They posted again.",
        now=T0 + dt.timedelta(minutes=20),
    )

    assert escalation.state == EscalationState.OPEN
    assert escalation.level == 1 and escalation.resolved_at is None
    assert alerted_ids(escalation)[-1] == {staff["senior"].id}
    with pytest.raises(Conflict):
        services.reopen(escalation, actor=staff["senior"])


# --- transactional outbox ---------------------------------------------------------------------


def test_alerts_are_written_in_the_escalations_transaction(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    thread = make_thread(make_board(staff["admin"], department=dept))
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))

    services.escalate(thread, actor=staff["member"], reason="x", urgency="crisis", now=T0)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) > before
    db.session.rollback()

    assert db.session.scalar(select(func.count()).select_from(Escalation)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before

    services.escalate(thread, actor=staff["member"], reason="x", urgency="crisis", now=T0)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Escalation)) == 1
    assert len(emails_to(staff["senior"])) == 1


def test_the_status_line_prefers_the_unresolved_escalation(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    thread = make_thread(make_board(staff["admin"], department=dept))
    assert services.status_line(thread.id) is None
    first = make_escalation(thread, actor=staff["member"])
    services.resolve(first, actor=staff["senior"])
    line = services.status_line(thread.id)
    assert line is not None and line.id == first.id
    second = make_escalation(thread, actor=staff["member"], now=T0 + dt.timedelta(hours=1))
    line = services.status_line(thread.id)
    assert line is not None and line.id == second.id


def test_the_status_line_is_one_statement_and_puts_unresolved_before_newer(
    app: Flask, dept: Any
) -> None:
    staff = make_staff(dept)
    thread = make_thread(make_board(staff["admin"], department=dept))
    later = make_escalation(thread, actor=staff["member"], now=T0 + dt.timedelta(hours=2))
    services.resolve(later, actor=staff["senior"])
    earlier_open = make_escalation(thread, actor=staff["member"], now=T0 + dt.timedelta(hours=1))
    thread_id, expected_id = thread.id, earlier_open.id
    db.session.commit()

    with sql_statements(transaction_control=False) as seen:
        shown = services.status_line(thread_id)

    assert shown is not None and shown.id == expected_id
    assert len(seen) == 1, seen
    quiet_id = make_thread(thread.board).id
    db.session.commit()
    with sql_statements(transaction_control=False) as seen:
        assert services.status_line(quiet_id) is None
    assert len(seen) == 1, seen


def test_the_thread_pages_status_line_shows_the_same_escalation_and_names_one_person(
    app: Flask, dept: Any
) -> None:
    staff = make_staff(dept)
    thread = make_thread(make_board(staff["admin"], department=dept))
    quiet_id = make_thread(thread.board).id
    db.session.commit()
    with sql_statements(transaction_control=False) as seen:
        assert services.status_line(quiet_id) is None
    assert len(seen) == 1, seen

    escalation = make_escalation(thread, actor=staff["member"], urgency=Urgency.URGENT)
    line = services.status_line(thread.id)
    assert line is not None and line.id == escalation.id
    assert (line.state, line.urgency) == (EscalationState.OPEN, "urgent")
    assert line.created_by_id == staff["member"].id and line.assigned_to is None

    services.acknowledge(escalation, actor=staff["senior"])
    db.session.commit()
    line = services.status_line(thread.id)
    assert line is not None and line.state == EscalationState.ACKNOWLEDGED
    assert line.assigned_to is not None and line.assigned_to.id == staff["senior"].id

    services.resolve(escalation, actor=staff["admin"])
    older = make_escalation(thread, actor=staff["member"], now=T0 - dt.timedelta(days=1))
    services.resolve(older, actor=staff["senior"])
    db.session.commit()
    line = services.status_line(thread.id)  # both resolved: the newer one
    assert line is not None and line.id == escalation.id
    assert line.resolved_by is not None and line.resolved_by.id == staff["admin"].id
    assert line.assigned_to is None


def test_moving_the_thread_moves_the_escalations_department(app: Flask, dept: Any) -> None:
    staff = make_staff(dept)
    thread = make_thread(make_board(staff["admin"], department=dept))
    escalation = make_escalation(thread, actor=staff["member"])
    other = make_department()

    board_services.move_thread(
        thread, actor=staff["admin"], to_board=make_board(staff["admin"], department=other)
    )

    assert escalation.department_id == other.id


def test_the_database_refuses_a_second_unresolved_escalation_per_thread(
    app: Flask, dept: Any
) -> None:
    from sqlalchemy.exc import IntegrityError

    staff = make_staff(dept)
    thread = make_thread(make_board(staff["admin"], department=dept))
    make_escalation(thread, actor=staff["member"])

    db.session.add(
        Escalation(
            thread_id=thread.id,
            reason="race",
            urgency="routine",
            state=EscalationState.ACKNOWLEDGED,
            created_at=T0,
            updated_at=T0,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(
        Escalation(
            thread_id=thread.id,
            reason="old",
            urgency="routine",
            state=EscalationState.RESOLVED,
            created_at=T0,
            updated_at=T0,
        )
    )
    db.session.flush()  # resolved ones are not limited


def test_a_policy_level_is_not_named_twice_but_a_ladder_rung_is_named() -> None:
    from forum.escalations.services.ladder import _level_label

    assert _level_label(1, 3, "Level 1") == "1 of 3"
    assert _level_label(2, 2, "Department seniors") == "2 of 2 (Department seniors)"
