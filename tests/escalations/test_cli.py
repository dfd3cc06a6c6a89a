"""`flask escalations tick`: the ladder run from cron or `flask work`."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskCliRunner

from forum.core.db import utcnow
from forum.escalations.models import Escalation, EventKind, Urgency
from forum.extensions import db
from tests.escalations.factories import (
    T0,
    make_board,
    make_escalation,
    make_staff,
    make_thread,
)
from tests.factories import make_department


def test_tick_climbs_overdue_escalations_and_commits(app: Flask, runner: FlaskCliRunner) -> None:
    dept = make_department()
    staff = make_staff(dept)
    board = make_board(staff["admin"], department=dept)
    overdue = make_escalation(
        make_thread(board),
        actor=staff["member"],
        urgency=Urgency.CRISIS,
        now=utcnow() - dt.timedelta(minutes=11),
    )
    fresh = make_escalation(
        make_thread(board), actor=staff["member"], urgency=Urgency.CRISIS, now=utcnow()
    )
    overdue_id, fresh_id = overdue.id, fresh.id

    result = runner.invoke(args=["escalations", "tick"])

    assert result.exit_code == 0, result.output
    assert "1 climbed" in result.output
    db.session.expire_all()
    climbed = db.session.get(Escalation, overdue_id)
    assert climbed is not None and climbed.level == 2
    assert climbed.events[-1].kind == EventKind.CLIMBED
    assert db.session.get(Escalation, fresh_id).level == 1  # type: ignore[union-attr]


def test_the_work_loop_runs_the_ladder(app: Flask) -> None:
    from forum.core import work

    dept = make_department()
    staff = make_staff(dept)
    escalation = make_escalation(
        make_thread(make_board(staff["admin"], department=dept)),
        actor=staff["member"],
        urgency=Urgency.CRISIS,
        now=T0,
    )
    escalation_id = escalation.id
    clock = [T0 + dt.timedelta(minutes=5)]
    loop = work.Runner(app, clock=lambda: clock[0], worker_id="test")

    assert loop.iterate()["escalations.ladder"] == 0
    db.session.expire_all()
    assert db.session.get(Escalation, escalation_id).level == 1  # type: ignore[union-attr]

    clock[0] = T0 + dt.timedelta(minutes=10, seconds=30)
    assert loop.iterate()["escalations.ladder"] == 1
    db.session.expire_all()
    assert db.session.get(Escalation, escalation_id).level == 2  # type: ignore[union-attr]
