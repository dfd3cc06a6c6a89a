"""Factories for escalation tests: a thread on a department's board, escalations, policies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forum.accounts.models import Department, Role, User
from forum.boards import services as board_services
from forum.boards.models import Board, BoardVisibility, Thread
from forum.escalations import services
from forum.escalations.models import Escalation, EscalationPolicy, Urgency
from forum.escalations.services import policies
from forum.extensions import db
from tests.factories import make_user, next_id

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def make_board(
    admin: User,
    *,
    department: Department | None = None,
    visibility: BoardVisibility = BoardVisibility.STAFF,
) -> Board:
    n = next_id()
    board = board_services.create_board(
        admin,
        slug=f"esc-board-{n}",
        name=f"Escalation board {n}",
        description="For tests.",
        visibility=visibility,
        department=department,
        position=n,
    )
    db.session.commit()
    return board


def make_thread(
    board: Board,
    *,
    author: User | None = None,
    title: str | None = None,
    now: dt.datetime | None = None,
) -> Thread:
    author = author or make_user(department=board.department)
    thread = board_services.create_thread(
        board,
        author=author,
        kind="question",
        title=title or f"Public row {next_id()}",
        body="Someone is angry with us on social media.",
        tags=[],
        now=now or T0,
    )
    db.session.commit()
    return thread


def make_escalation(
    thread: Thread,
    *,
    actor: User | None = None,
    urgency: Urgency = Urgency.URGENT,
    reason: str = "Needs a senior now.",
    now: dt.datetime | None = None,
    **kwargs: Any,
) -> Escalation:
    actor = actor or make_user(department=thread.board.department)
    escalation, _created = services.escalate(
        thread, actor=actor, reason=reason, urgency=urgency, now=now or T0, **kwargs
    )
    db.session.commit()
    return escalation


def make_policy(admin: User, *, levels: list[dict[str, Any]], **kwargs: Any) -> EscalationPolicy:
    kwargs.setdefault("name", f"Policy {next_id()}")
    policy = policies.save_policy(admin, **kwargs)
    for level in levels:
        policies.add_level(admin, policy, **level)
    db.session.commit()
    return policy


def make_staff(department: Department | None = None) -> dict[str, User]:
    """An admin, a senior in `department`, a senior elsewhere, and a member of `department`."""
    return {
        "admin": make_user(Role.ADMIN),
        "senior": make_user(Role.SENIOR, department=department),
        "other_senior": make_user(Role.SENIOR),
        "member": make_user(Role.MEMBER, department=department),
    }
