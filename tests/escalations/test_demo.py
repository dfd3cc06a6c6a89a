"""The escalations demo seeder: every state, one that climbed, a policy; idempotent."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from forum.accounts import services as account_services
from forum.accounts.demo import demo_email
from forum.accounts.demo import seed as seed_accounts
from forum.escalations import demo
from forum.escalations.models import Escalation, EscalationPolicy, EscalationState
from forum.extensions import db
from tests.escalations.factories import make_board, make_thread


def test_demo_seeds_every_state_and_a_policy_once(app: Flask) -> None:
    seed_accounts()
    db.session.commit()
    admin = account_services.user_by_email(demo_email("admin"))
    assert admin is not None
    board = make_board(admin, department=account_services.department_by_slug("communications"))
    for n in range(4):
        make_thread(board, author=admin, title=f"Demo thread {n}")

    summary = demo.seed()

    escalations = list(db.session.scalars(select(Escalation)))
    assert "4 escalations" in summary
    assert {e.state for e in escalations} == {
        EscalationState.OPEN,
        EscalationState.ACKNOWLEDGED,
        EscalationState.RESOLVED,
    }
    assert any(e.level > 1 for e in escalations)
    policy = db.session.scalar(select(EscalationPolicy))
    assert policy is not None and len(policy.levels) == 3

    again = demo.seed()
    assert "already present" in again
    assert len(list(db.session.scalars(select(Escalation)))) == 4
    assert len(list(db.session.scalars(select(EscalationPolicy)))) == 1
