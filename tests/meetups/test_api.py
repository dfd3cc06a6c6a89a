"""The meet-ups API: upcoming ones the caller may see, one meet-up, and answering it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from forum.meetups.models import Answer
from tests.boards.factories import make_board
from tests.factories import make_department, make_user
from tests.meetups.factories import answer, make_meetup


def test_list_shows_upcoming_meetups_soonest_first_with_counts(api: Callable[[Any], Any]) -> None:
    board = make_board()
    later = make_meetup(board, title="Later", starts_in=dt.timedelta(days=9))
    sooner = make_meetup(board, title="Sooner", starts_in=dt.timedelta(days=2))
    make_meetup(board, title="Over", starts_in=-dt.timedelta(days=9))
    make_meetup(make_board(department=make_department()), title="Elsewhere")
    caller = make_user()
    answer(sooner, caller, Answer.MAYBE)
    answer(sooner, make_user(), Answer.GOING)

    response = api(caller).get("/api/v1/meetups")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [item["title"] for item in items] == ["Sooner", "Later"]
    first = items[0]
    assert first["counts"] == {"going": 1, "maybe": 1, "no": 0}
    assert first["my_answer"] == "maybe"
    assert first["starts_at"] == sooner.starts_at.isoformat().replace("+00:00", "Z")
    assert first["ical_url"] == f"/meetups/{sooner.id}.ics"
    assert items[1]["id"] == later.id and items[1]["my_answer"] is None


def test_get_and_answer_a_meetup(api: Callable[[Any], Any]) -> None:
    meetup = make_meetup(online_url="https://meet.example.org/x")
    caller = make_user(display_name="Api Person")
    client = api(caller)
    body = client.get(f"/api/v1/meetups/{meetup.id}").get_json()
    assert body["going"] == [] and body["online_url"] == "https://meet.example.org/x"

    response = client.post(f"/api/v1/meetups/{meetup.id}/rsvp", json={"answer": "going"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["my_answer"] == "going"
    assert body["going"] == [{"id": caller.id, "display_name": "Api Person"}]

    response = client.post(f"/api/v1/meetups/{meetup.id}/rsvp", json={"answer": "no"})
    assert response.get_json()["counts"] == {"going": 0, "maybe": 0, "no": 1}
    assert client.get(f"/api/v1/meetups/{meetup.id}").get_json()["my_answer"] == "no"

    bad = client.post(f"/api/v1/meetups/{meetup.id}/rsvp", json={"answer": "yes please"})
    assert bad.status_code == 400
    assert client.get("/api/v1/meetups/999999").status_code == 404


def test_answering_a_past_meetup_is_a_conflict(api: Callable[[Any], Any]) -> None:
    meetup = make_meetup(starts_in=-dt.timedelta(days=3))
    response = api(make_user()).post(f"/api/v1/meetups/{meetup.id}/rsvp", json={"answer": "going"})
    assert response.status_code == 409
