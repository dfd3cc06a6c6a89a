"""The people API: the directory by skill, and the handle on every serialized person."""

from __future__ import annotations

from typing import Any

from forum.accounts.models import Role
from tests.boards.factories import make_board, make_thread
from tests.factories import make_department, make_user
from tests.people.factories import make_skill, pick


def test_people_who_offer_a_skill(app: Any, api: Any) -> None:
    housing = make_department(slug="housing")
    tiktok = make_skill("TikTok")
    sam = make_user(Role.ENTHUSIAST, email="sam.riley@example.org", department=housing)
    pick(sam, offers=[tiktok])
    pick(make_user(), wants=[tiktok])
    body = api(make_user()).get("/api/v1/people?skill=TikTok").get_json()
    assert body["total"] == 1
    assert body["items"][0] == {
        "id": sam.id,
        "handle": "sam.riley",
        "display_name": sam.display_name,
        "role": "enthusiast",
        "department": "housing",
        "offers": ["TikTok"],
        "wants": [],
    }
    assert api(make_user()).get("/api/v1/people?colour=blue").status_code == 400


def test_users_and_authors_carry_their_handle(app: Any, api: Any) -> None:
    me = make_user(email="handle.owner@example.org")
    client = api(me)
    assert client.get("/api/v1/me").get_json()["handle"] == "handle.owner"
    thread = make_thread(make_board(), author=me)
    assert (
        client.get(f"/api/v1/threads/{thread.id}").get_json()["author"]["handle"] == "handle.owner"
    )
