"""The meet-up pages: creating, listing, answering, editing, cancelling, and who may see them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from forum.accounts.models import AuditEvent, Role
from forum.core.db import utcnow
from forum.extensions import db
from forum.meetups.models import Answer
from tests.boards.factories import make_board
from tests.factories import make_department, make_user, reload, see_committed, sql_statements
from tests.meetups.factories import answer, make_meetup

Login = Callable[..., FlaskClient]


def _form(board_slug: str, **overrides: Any) -> dict[str, Any]:
    start = (utcnow() + dt.timedelta(days=5)).replace(hour=9, minute=30, second=0, microsecond=0)
    return {
        "board": board_slug,
        "title": "Enthusiasts' coffee",
        "description": "Bring *one* win.\n\n<script>alert(1)</script>",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Library, first floor",
        "online_url": "",
        **overrides,
    }


def test_member_creates_a_meetup_on_a_board_they_can_see(login: Login) -> None:
    board = make_board(name="Start here")
    member = make_user()
    client = login(member)
    page = client.get("/meetups/new").get_data(as_text=True)
    assert "Start here" in page and 'type="datetime-local"' in page

    response = client.post("/meetups/new", data=_form(board.slug))
    assert response.status_code == 302
    see_committed()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Enthusiasts&#39; coffee" in page or "Enthusiasts' coffee" in page
    assert "<em>one</em>" in page  # Markdown through the app's pipeline
    assert "<script>alert(1)</script>" not in page
    assert "Library, first floor" in page
    assert "Post the story" not in page


def test_a_meetup_needs_a_place_or_an_https_link(login: Login) -> None:
    board = make_board()
    client = login(make_user())
    response = client.post("/meetups/new", data=_form(board.slug, place="", online_url=""))
    assert response.status_code == 400
    assert "Say where it happens" in response.get_data(as_text=True)
    for bad in ("http://meet.example.org/x", "javascript:alert(1)", "https://", "https://a b.org"):
        response = client.post("/meetups/new", data=_form(board.slug, online_url=bad))
        assert response.status_code == 400, bad
    response = client.post(
        "/meetups/new", data=_form(board.slug, place="", online_url="https://meet.example.org/x")
    )
    assert response.status_code == 302


def test_end_before_start_and_past_start_are_refused(login: Login) -> None:
    board = make_board()
    client = login(make_user())
    form = _form(board.slug)
    response = client.post("/meetups/new", data={**form, "ends_at": form["starts_at"]})
    assert response.status_code == 400
    assert "The end must come after the start." in response.get_data(as_text=True)
    response = client.post(
        "/meetups/new",
        data={**form, "starts_at": "2020-01-01T10:00", "ends_at": "2020-01-01T11:00"},
    )
    assert response.status_code == 400
    assert "Pick a future time." in response.get_data(as_text=True)


def test_department_meetup_is_a_404_for_other_departments_everywhere(
    login: Login, client: FlaskClient, api: Callable[[Any], Any]
) -> None:
    housing, parks = make_department(), make_department()
    board = make_board(department=housing)
    meetup = make_meetup(board, title="Housing-only zebrafinch meet-up")
    outsider = make_user(department=parks)
    api_client = api(outsider)
    login(outsider)
    for path in (
        f"/meetups/{meetup.id}",
        f"/meetups/{meetup.id}.ics",
        f"/meetups/{meetup.id}/edit",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/meetups/{meetup.id}/rsvp", data={"answer": "going"}).status_code == 404
    assert client.post(f"/meetups/{meetup.id}/cancel").status_code == 404
    assert "zebrafinch" not in client.get("/meetups").get_data(as_text=True)
    page = client.get("/meetups/new").get_data(as_text=True)
    assert board.name not in page
    response = client.post("/meetups/new", data=_form(board.slug))
    assert response.status_code == 400  # not one of the choices

    assert api_client.get(f"/api/v1/meetups/{meetup.id}").status_code == 404
    assert "zebrafinch" not in api_client.get("/api/v1/meetups").get_data(as_text=True)
    response = api_client.post(f"/api/v1/meetups/{meetup.id}/rsvp", json={"answer": "going"})
    assert response.status_code == 404

    colleague = make_user(department=housing)
    client.post("/logout")
    login(colleague)
    assert "zebrafinch" in client.get(f"/meetups/{meetup.id}").get_data(as_text=True)
    assert "zebrafinch" in client.get("/meetups").get_data(as_text=True)


def test_answers_change_and_are_counted_with_who_is_going(login: Login) -> None:
    meetup = make_meetup()
    first, second = make_user(display_name="Rosa Quill"), make_user(display_name="Ivo Brandt")
    answer(meetup, second, Answer.MAYBE)
    client = login(first)
    path = f"/meetups/{meetup.id}"
    response = client.post(f"{path}/rsvp", data={"answer": "going"})
    assert response.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "1 going, 1 maybe, 0 not going." in page
    assert "<li>Rosa Quill</li>" in page and "<li>Ivo Brandt</li>" not in page
    assert "Your answer: Going" in page

    client.post(f"{path}/rsvp", data={"answer": "no"})
    page = client.get(path).get_data(as_text=True)
    assert "0 going, 1 maybe, 1 not going." in page
    assert "<li>Rosa Quill</li>" not in page
    assert len(reload(meetup).rsvps) == 2

    assert client.post(f"{path}/rsvp", data={"answer": "perhaps"}).status_code == 400


def test_no_answers_after_the_end_or_once_cancelled(login: Login) -> None:
    now = utcnow()
    over = make_meetup(starts_in=-dt.timedelta(days=2), now=now)
    client = login(make_user())
    assert client.post(f"/meetups/{over.id}/rsvp", data={"answer": "going"}).status_code == 409
    assert "Your answer" not in client.get(f"/meetups/{over.id}").get_data(as_text=True)


def test_organizer_and_moderators_edit_and_cancel_others_may_not(login: Login) -> None:
    moderator = make_user()
    board = make_board(moderators=[moderator])
    organizer, other = make_user(), make_user()
    meetup = make_meetup(board, organizer=organizer)
    going = make_user(display_name="Told Person")
    answer(meetup, going, Answer.GOING)
    client = login(other)
    assert client.get(f"/meetups/{meetup.id}/edit").status_code == 403
    assert client.post(f"/meetups/{meetup.id}/cancel").status_code == 403
    assert "Edit the meet-up" not in client.get(f"/meetups/{meetup.id}").get_data(as_text=True)
    client.post("/logout")

    login(organizer)
    page = client.get(f"/meetups/{meetup.id}/edit").get_data(as_text=True)
    assert meetup.title in page
    data = _form(board.slug, title="Renamed coffee")
    del data["board"]
    assert client.post(f"/meetups/{meetup.id}/edit", data=data).status_code == 302
    assert reload(meetup).title == "Renamed coffee"
    assert reload(meetup).sequence == 1
    client.post("/logout")

    login(moderator)
    assert client.post(f"/meetups/{meetup.id}/cancel").status_code == 302
    page = client.get(f"/meetups/{meetup.id}").get_data(as_text=True)
    assert "Cancelled" in page and "Your answer" not in page
    assert reload(meetup).cancelled_at is not None
    assert client.post(f"/meetups/{meetup.id}/cancel").status_code == 409
    # The organizer's own edit is not a moderation action; the moderator's cancel is.
    logged = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_id).where(AuditEvent.subject_type == "meetup")
    ).all()
    assert logged == [("meetup.cancelled", moderator.id)]
    client.post("/logout")

    login(going)
    notices = client.get("/notifications").get_data(as_text=True)
    assert "Cancelled: Renamed coffee" in notices


def test_list_shows_upcoming_and_past(login: Login) -> None:
    board = make_board()
    make_meetup(board, title="Coming soon meet-up")
    make_meetup(board, title="Long gone meet-up", starts_in=-dt.timedelta(days=20))
    admin = make_user(Role.ADMIN)
    page = login(admin).get("/meetups").get_data(as_text=True)
    upcoming, past = page.split('id="past-heading"')
    assert "Coming soon meet-up" in upcoming and "Long gone meet-up" not in upcoming
    assert "Long gone meet-up" in past
    assert 'href="/meetups"' in page  # the nav link "Meet-ups"
    assert ">Meet-ups</a>" in page


def test_the_meetup_page_costs_the_same_queries_however_many_answer(login: Login) -> None:
    board = make_board()
    few, many = make_meetup(board), make_meetup(board)
    answer(few, make_user(), Answer.GOING)
    for _ in range(8):
        answer(many, make_user(), Answer.GOING)
    client = login(make_user())
    counts = []
    for meetup in (few, many):
        client.get(f"/meetups/{meetup.id}")  # warm
        with sql_statements(transaction_control=False) as seen:
            assert client.get(f"/meetups/{meetup.id}").status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1]


def test_creating_meetups_is_throttled_like_posting(login: Login, app: Any) -> None:
    app.config["POST_RATE_LIMIT"] = "2 per minute"
    board = make_board()
    client = login(make_user())
    statuses = [
        client.post("/meetups/new", data=_form(board.slug, title=f"Meet-up {n}")).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
