"""The thread page shows its escalation to everyone who can see the thread."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from forum.accounts.models import Role
from tests.escalations.factories import make_board, make_escalation, make_thread
from tests.factories import make_department, make_user


def test_thread_page_offers_escalation_and_shows_its_state(client: FlaskClient, login: Any) -> None:
    department = make_department()
    admin = make_user(Role.ADMIN)
    make_user(Role.SENIOR, department=department)
    thread = make_thread(make_board(admin))
    reader = make_user()
    login(reader)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "Escalate to a senior" in page
    assert "Escalated to senior staff" not in page

    make_escalation(thread)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "Escalated to senior staff" in page
    # A colleague who did not escalate sees the status but not the escalation's own page.
    assert "/escalations/" not in page
