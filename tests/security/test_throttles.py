"""Every abuse-prone entry point is throttled, proved through its real route (page and API).

Sign-in, password reset, sign-up (and invitations), escalations and posting: each test sends
requests until the limit, then one more, and expects a 429 that says when to try again. The
limits are lowered in config so the tests stay short; the mechanisms are the production ones
(database rows for sign-in, resets and escalations, Flask-Limiter for the rest).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.accounts import services as account_services
from forum.accounts.models import Role, User
from forum.extensions import db
from tests.boards.factories import make_board, make_thread
from tests.conftest import ApiClient
from tests.factories import PASSWORD, make_user


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {
        **app_config,
        "LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_IP": 3,
        "PASSWORD_RESET_MAX_PER_IP_PER_HOUR": 3,
        "SIGNUP_RATE_LIMIT": "3 per hour",
        "ALLOWED_EMAIL_DOMAINS": ["council.example"],
        "ESCALATIONS_PER_HOUR": 2,
        "POST_RATE_LIMIT": "3 per minute",
        "EDIT_RATE_LIMIT": "3 per minute",
    }


def test_sign_in_failures_are_throttled(client: FlaskClient) -> None:
    user = make_user()
    codes = [
        client.post("/login", data={"email": user.email, "password": "wrong"}).status_code
        for _ in range(5)
    ]
    assert codes[:3] == [400, 400, 400]
    assert codes[-1] == 429
    # Even the right password waits now (from this unknown browser).
    refused = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_password_reset_requests_are_throttled_per_client(client: FlaskClient) -> None:
    codes = [
        client.post("/forgot-password", data={"email": f"x{n}@example.org"}).status_code
        for n in range(4)
    ]
    assert codes[-1] == 429
    assert codes[:3].count(429) == 0


def test_sign_ups_are_throttled_per_client(app: Flask) -> None:
    codes = []
    for n in range(4):
        browser = app.test_client()  # a new browser each time: only the IP is shared
        response = browser.post(
            "/signup",
            data={"email": f"new{n}@council.example", "display_name": "New", "password": PASSWORD},
        )
        codes.append(response.status_code)
    assert codes == [302, 302, 302, 429]
    assert len(db.session.scalars(select(User).where(User.email.like("new%"))).all()) == 3


def test_invitations_share_the_sign_up_throttle(app: Flask) -> None:
    admin = make_user(Role.ADMIN)
    secrets = [
        account_services.invite(
            f"inv{n}@example.org", role=Role.MEMBER, department=None, invited_by=admin
        )[1]
        for n in range(4)
    ]
    db.session.commit()
    codes = [
        app.test_client()
        .post(f"/invite/{secret}", data={"display_name": "Inv", "password": PASSWORD})
        .status_code
        for secret in secrets
    ]
    assert codes == [302, 302, 302, 429]


def test_escalations_are_throttled_per_person(login: Callable[..., FlaskClient]) -> None:
    board = make_board()
    threads = [make_thread(board) for _ in range(3)]
    client = login(make_user())
    codes = [
        client.post(
            f"/t/{thread.id}/escalate", data={"reason": "Help.", "urgency": "urgent"}
        ).status_code
        for thread in threads
    ]
    assert codes == [302, 302, 429]


def test_escalations_over_the_api_share_the_count(api: Callable[[Any], ApiClient]) -> None:
    board = make_board()
    threads = [make_thread(board) for _ in range(3)]
    client = api(make_user())
    codes = [
        client.post(
            f"/api/v1/threads/{thread.id}/escalations", json={"reason": "Help."}
        ).status_code
        for thread in threads
    ]
    assert codes == [201, 201, 429]


def test_posting_is_throttled_on_pages_and_api(
    login: Callable[..., FlaskClient], api: Callable[[Any], ApiClient]
) -> None:
    board = make_board()
    thread = make_thread(board)
    person = make_user()
    page = login(person)
    codes = [
        page.post(f"/t/{thread.id}/reply", data={"body": f"r{n}", "action": "post"}).status_code
        for n in range(4)
    ]
    assert codes == [302, 302, 302, 429]
    # New threads are posting too, and the API has its own count per route and person.
    client = api(make_user())
    created = [
        client.post(
            "/api/v1/threads",
            json={"board": board.slug, "kind": "question", "title": f"T{n}", "body": "B"},
        ).status_code
        for n in range(4)
    ]
    assert created == [201, 201, 201, 429]


def test_edits_are_throttled(login: Callable[..., FlaskClient]) -> None:
    person = make_user()
    thread = make_thread(make_board(), author=person)
    page = login(person)
    post_id = thread.posts[0].id
    codes = [
        page.post(
            f"/p/{post_id}/edit",
            data={"title": thread.title, "kind": "question", "tags": "", "body": f"v{n}"},
        ).status_code
        for n in range(4)
    ]
    assert codes[-1] == 429 and 429 not in codes[:3]
