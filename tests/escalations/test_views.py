"""Escalation pages: status codes, permissions, rendered text and the one-click acknowledge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.core.db import utcnow
from forum.escalations.models import (
    Escalation,
    EscalationPolicy,
    EscalationState,
    EventKind,
    Urgency,
)
from forum.extensions import db
from tests.escalations.factories import make_board, make_escalation, make_staff, make_thread
from tests.factories import make_department, make_user

Login = Callable[..., FlaskClient]


@pytest.fixture
def setup(app: Flask) -> dict[str, Any]:
    dept = make_department()
    staff = make_staff(dept)
    thread = make_thread(make_board(staff["admin"], department=dept), title="Bin strike row")
    return {"dept": dept, "thread": thread, **staff}


def test_anyone_who_sees_the_thread_can_escalate_it_from_a_page(
    setup: dict[str, Any], login: Login
) -> None:
    client = login(setup["member"])
    thread = setup["thread"]

    page = client.get(f"/t/{thread.id}/escalate")
    assert page.status_code == 200
    assert "Bin strike row" in page.get_data(as_text=True)

    response = client.post(
        f"/t/{thread.id}/escalate", data={"reason": "Going viral.", "urgency": "crisis"}
    )

    escalation = db.session.scalar(select(Escalation))
    assert escalation is not None
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/escalations/{escalation.id}")
    assert escalation.urgency == Urgency.CRISIS
    own = client.get(f"/escalations/{escalation.id}")
    assert own.status_code == 200
    assert "Going viral." in own.get_data(as_text=True)


def test_escalate_form_shows_errors_for_a_missing_reason(
    setup: dict[str, Any], login: Login
) -> None:
    client = login(setup["member"])
    response = client.post(
        f"/t/{setup['thread'].id}/escalate", data={"reason": "", "urgency": "routine"}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(Escalation)) is None


def test_members_get_403_on_the_inbox_and_on_other_peoples_escalations(
    setup: dict[str, Any], login: Login
) -> None:
    escalation = make_escalation(setup["thread"], actor=setup["member"])
    client = login(make_user(department=setup["dept"]))

    assert client.get("/inbox").status_code == 403
    assert client.get(f"/escalations/{escalation.id}").status_code == 403
    assert client.post(f"/escalations/{escalation.id}/acknowledge").status_code == 403


def test_inbox_lists_open_escalations_and_acknowledges_in_one_click(
    setup: dict[str, Any], login: Login
) -> None:
    escalation = make_escalation(setup["thread"], actor=setup["member"], urgency=Urgency.CRISIS)
    client = login(setup["senior"])

    page = client.get("/inbox")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Bin strike row" in html and "Crisis" in html
    assert f"/escalations/{escalation.id}/acknowledge" in html

    response = client.post(
        f"/escalations/{escalation.id}/acknowledge", data={"next": "/inbox?state=open"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inbox?state=open")
    db.session.refresh(escalation)
    assert escalation.state == EscalationState.ACKNOWLEDGED
    assert "Bin strike row" not in client.get("/inbox").get_data(as_text=True)
    assert "Bin strike row" in client.get("/inbox?state=acknowledged").get_data(as_text=True)


def test_inbox_filters_by_urgency_department_and_assignee(
    setup: dict[str, Any], login: Login
) -> None:
    make_escalation(setup["thread"], actor=setup["member"], urgency=Urgency.ROUTINE, now=utcnow())
    client = login(setup["senior"])

    assert "Bin strike row" in client.get("/inbox?urgency=routine").get_data(as_text=True)
    assert "Bin strike row" not in client.get("/inbox?urgency=crisis").get_data(as_text=True)
    other = make_department()
    assert "Bin strike row" not in client.get(f"/inbox?department={other.slug}").get_data(
        as_text=True
    )
    assert "Bin strike row" in client.get(f"/inbox?department={setup['dept'].slug}").get_data(
        as_text=True
    )
    assert "Bin strike row" not in client.get("/inbox?mine=1").get_data(as_text=True)
    assert "Bin strike row" not in client.get("/inbox?age=1h").get_data(as_text=True)
    old = make_thread(setup["thread"].board, title="Week-old complaint")
    make_escalation(old, actor=setup["member"], now=utcnow() - dt.timedelta(days=2))
    older = client.get("/inbox?age=24h").get_data(as_text=True)
    assert "Week-old complaint" in older and "Bin strike row" not in older


def test_detail_page_resolves_reassigns_and_adds_internal_notes(
    setup: dict[str, Any], login: Login
) -> None:
    escalation = make_escalation(setup["thread"], actor=setup["member"])
    client = login(setup["senior"])
    base = f"/escalations/{escalation.id}"

    assert client.post(f"{base}/notes", data={"note": "Known troll."}).status_code == 302
    assert (
        client.post(
            f"{base}/reassign", data={"assignee": str(setup["other_senior"].id)}
        ).status_code
        == 302
    )
    assert client.post(f"{base}/resolve", data={"note": "Replied publicly."}).status_code == 302

    db.session.refresh(escalation)
    assert escalation.state == EscalationState.RESOLVED
    assert escalation.assigned_to_id == setup["other_senior"].id
    assert escalation.resolution_note == "Replied publicly."
    html = client.get(base).get_data(as_text=True)
    assert "Known troll." in html and "Internal" in html

    client.post("/logout")
    member = login(setup["member"])
    member_html = member.get(base).get_data(as_text=True)
    assert "Replied publicly." in member_html
    assert "Known troll." not in member_html


def test_thread_page_panel_shows_the_escalation_through_the_boards_slot(
    app: Flask, setup: dict[str, Any]
) -> None:
    from forum.core import slots

    make_escalation(setup["thread"], actor=setup["member"], urgency=Urgency.URGENT)
    with app.test_request_context("/"):
        bystander = make_user(department=setup["dept"])
        html = "".join(slots.fill(slots.THREAD_PANELS, thread=setup["thread"], viewer=bystander))
    assert "Urgent" in html and "waiting for a senior" in html
    assert "View escalation" not in html  # a bystander sees the status, not the escalation
    with app.test_request_context("/"):
        panels = slots.fill(
            slots.THREAD_PANELS, thread=setup["thread"], viewer=setup["other_senior"]
        )
    assert "View escalation" in "".join(panels)


def test_inbox_nav_link_is_only_for_seniors_and_admins(setup: dict[str, Any], login: Login) -> None:
    client = login(setup["member"])
    assert 'href="/inbox"' not in client.get("/settings").get_data(as_text=True)
    client.post("/logout")
    client = login(setup["senior"])
    assert 'href="/inbox"' in client.get("/settings").get_data(as_text=True)


def test_admins_manage_policies_and_seniors_may_not(setup: dict[str, Any], login: Login) -> None:
    client = login(setup["senior"])
    assert client.get("/admin/escalation-policies").status_code == 403
    client.post("/logout")

    client = login(setup["admin"])
    assert client.get("/admin/escalation-policies").status_code == 200
    response = client.post(
        "/admin/escalation-policies",
        data={
            "name": "Comms crisis",
            "position": "0",
            "is_active": "y",
            "urgencies": ["crisis"],
            "departments": [str(setup["dept"].id)],
            "repeat_count": "1",
        },
    )
    assert response.status_code == 302
    policy = db.session.scalar(select(EscalationPolicy))
    assert policy is not None and policy.urgencies == ["crisis"]
    assert [d.id for d in policy.departments] == [setup["dept"].id]

    response = client.post(
        f"/admin/escalation-policies/{policy.id}/levels",
        data={"users": [str(setup["other_senior"].id)], "timeout_minutes": "5"},
    )
    assert response.status_code == 302
    db.session.refresh(policy)
    assert [(lv.position, lv.timeout_minutes) for lv in policy.levels] == [(1, 5)]
    page = client.get(f"/admin/escalation-policies/{policy.id}").get_data(as_text=True)
    assert setup["other_senior"].display_name in page

    empty = client.post(f"/admin/escalation-policies/{policy.id}/levels", data={})
    assert empty.status_code == 400

    level_id = policy.levels[0].id
    assert (
        client.post(f"/admin/escalation-policies/{policy.id}/levels/{level_id}/delete").status_code
        == 302
    )
    assert client.post(f"/admin/escalation-policies/{policy.id}/delete").status_code == 302
    assert db.session.scalar(select(EscalationPolicy)) is None


def test_reopen_from_the_page_by_the_escalating_person(setup: dict[str, Any], login: Login) -> None:
    from forum.escalations import services

    escalation = make_escalation(setup["thread"], actor=setup["member"])
    services.resolve(escalation, actor=setup["senior"])
    db.session.commit()
    client = login(setup["member"])

    response = client.post(f"/escalations/{escalation.id}/reopen", data={"reason": "Again."})

    assert response.status_code == 302
    db.session.refresh(escalation)
    assert escalation.state == EscalationState.OPEN
    assert escalation.events[-2].kind == EventKind.REOPENED


def test_escalation_naming_a_profile_is_listed_on_the_profile_page(
    setup: dict[str, Any], login: Login
) -> None:
    from tests.registry.factories import make_profile

    profile = make_profile(actor=setup["admin"], department=setup["dept"])
    client = login(setup["member"])
    response = client.post(
        f"/t/{setup['thread'].id}/escalate",
        data={
            "reason": "Our account is being impersonated.",
            "urgency": "urgent",
            "profile": str(profile.id),
        },
    )
    assert response.status_code == 302
    escalation = db.session.scalar(select(Escalation))
    assert escalation is not None and escalation.profile_id == profile.id

    page = client.get(f"/profiles/{profile.id}").get_data(as_text=True)
    assert f"/escalations/{escalation.id}" in page
    client.post("/logout")
    bystander = login(make_user(department=setup["dept"]))
    assert f"/escalations/{escalation.id}" not in bystander.get(f"/profiles/{profile.id}").get_data(
        as_text=True
    )
    client.post("/logout")
    senior = login(setup["senior"])
    inbox_html = senior.get("/inbox").get_data(as_text=True)
    assert f'href="/profiles/{profile.id}"' in inbox_html


def test_inbox_query_count_does_not_grow_with_the_number_of_escalations(
    setup: dict[str, Any], login: Login
) -> None:
    from sqlalchemy import event

    client = login(setup["senior"])
    board = setup["thread"].board

    def queries_for_inbox() -> int:
        statements: list[str] = []

        def count(*_args: Any) -> None:
            statements.append("q")

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/inbox").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    make_escalation(make_thread(board), actor=setup["member"])
    few = queries_for_inbox()
    for _ in range(4):
        make_escalation(make_thread(board), actor=make_user(department=setup["dept"]))
    assert queries_for_inbox() == few


@pytest.mark.parametrize(
    "typed", ["https://twitter.com/{handle}", "@{handle}", "https://x.com/{handle}?s=20"]
)
def test_the_profile_is_picked_by_address_or_handle_not_a_number(
    setup: dict[str, Any], login: Login, typed: str
) -> None:
    from tests.registry.factories import make_profile

    profile = make_profile(
        actor=setup["admin"], department=setup["dept"], url="https://x.com/ParksPicker"
    )
    db.session.commit()
    client = login(setup["member"])
    page = client.get(f"/t/{setup['thread'].id}/escalate").get_data(as_text=True)
    assert (
        '<label for="profile">Which of our social accounts is involved? (optional)</label>' in page
    )
    assert 'list="escalate-profiles"' in page
    assert f'<option value="{profile.canonical_url}">{profile.display_name}' in page
    prefilled = client.get(f"/t/{setup['thread'].id}/escalate?profile={profile.id}")
    assert f'value="{profile.canonical_url}"' in prefilled.get_data(as_text=True)
    response = client.post(
        f"/t/{setup['thread'].id}/escalate",
        data={
            "reason": "Impersonation.",
            "urgency": "urgent",
            "profile": typed.format(handle="parkspicker"),
        },
    )
    assert response.status_code == 302
    escalation = db.session.scalar(select(Escalation))
    assert escalation is not None and escalation.profile_id == profile.id


def test_an_account_we_do_not_run_is_a_field_error_that_keeps_the_reason(
    setup: dict[str, Any], login: Login
) -> None:
    client = login(setup["member"])
    response = client.post(
        f"/t/{setup['thread'].id}/escalate",
        data={"reason": "Someone else's account.", "urgency": "urgent", "profile": "@NotOurs"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "That is not one of our registered accounts" in page
    assert "Someone else&#39;s account." in page
    assert db.session.scalar(select(Escalation)) is None
