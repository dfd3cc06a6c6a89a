"""Reminders before a meet-up (through the outbox to a real SMTP server, once) and the story
after it: the prompt, the prefilled "Post the story" form, and the story linked back."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from forum.accounts.models import EmailPreference
from forum.alerts.models import Notification
from forum.core.db import utcnow
from forum.extensions import db
from forum.meetups import services
from forum.meetups.cli import follow_up_job
from forum.meetups.models import Answer
from tests.alerts.servers import SmtpServer
from tests.boards.factories import make_board
from tests.factories import make_department, make_user, reload, see_committed
from tests.meetups.factories import answer, make_meetup

Login = Callable[..., FlaskClient]


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_port: int) -> dict[str, Any]:
    return {
        **app_config,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_TIMEOUT_SECONDS": 5,
        "MEETUP_REMINDER_HOURS": 24,
    }


def test_reminder_email_reaches_those_coming_once(runner: FlaskCliRunner, smtp: SmtpServer) -> None:
    housing = make_department()
    board = make_board(department=housing)
    soon = make_meetup(board, title="Quarterly meet-up", starts_in=dt.timedelta(hours=20))
    later = make_meetup(board, title="Next month", starts_in=dt.timedelta(hours=30))
    going = make_user(department=housing, email="going@example.org", time_zone="Europe/London")
    maybe = make_user(
        department=housing, email="maybe@example.org", email_preference=EmailPreference.DAILY
    )
    quiet = make_user(
        department=housing, email="quiet@example.org", email_preference=EmailPreference.OFF
    )
    declined = make_user(department=housing, email="no@example.org")
    moved = make_user(department=housing, email="moved@example.org")
    for person, value in (
        (going, Answer.GOING),
        (maybe, Answer.MAYBE),
        (quiet, Answer.GOING),
        (declined, Answer.NO),
        (moved, Answer.GOING),
    ):
        answer(soon, person, value)
        answer(later, person, value)
    reload(moved).department = make_department()  # can no longer see the board
    db.session.commit()

    result = runner.invoke(args=["work", "--once"])
    assert result.exit_code == 0, result.output
    assert sorted(m["To"] for m in smtp.messages) == ["going@example.org", "maybe@example.org"]
    mail = next(m for m in smtp.messages if m["To"] == "going@example.org")
    assert mail["Subject"] == "Reminder: Quarterly meet-up"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert f"http://forum.test/meetups/{soon.id}" in text
    assert "Town Hall, Room 2" in text
    local = soon.starts_at.astimezone(zoneinfo.ZoneInfo("Europe/London"))
    assert f"{local:%H:%M} {local.tzname()}" in text  # in the person's own zone
    notices = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "meetup_reminder")
    ).all()
    assert sorted(notices) == sorted([going.id, maybe.id, quiet.id])

    again = runner.invoke(args=["work", "--once"])
    assert again.exit_code == 0
    assert len(smtp.messages) == 2  # once only
    assert reload(later).reminded_at is None


def test_moving_the_start_reminds_again_for_the_new_time(app: Any) -> None:
    now = utcnow()
    organizer = make_user()
    meetup = make_meetup(organizer=organizer, starts_in=dt.timedelta(hours=10), now=now)
    person = make_user()
    answer(meetup, person, Answer.GOING, now=now)
    assert follow_up_job(now) == 1
    assert follow_up_job(now + dt.timedelta(minutes=1)) == 0
    meetup = reload(meetup)
    services.update_meetup(
        meetup,
        actor=organizer,
        title=meetup.title,
        description=meetup.description,
        starts_at=meetup.starts_at + dt.timedelta(hours=2),
        ends_at=meetup.ends_at + dt.timedelta(hours=2),
        place=meetup.place,
        now=now,
    )
    db.session.commit()
    assert follow_up_job(now + dt.timedelta(minutes=2)) == 1


def test_after_the_end_the_organizer_is_asked_once_and_the_story_is_linked(
    login: Login, client: FlaskClient, app: Any
) -> None:
    board = make_board(name="Start here")
    organizer = make_user(display_name="Olga Organizer")
    went, stayed_away, stranger = make_user(), make_user(), make_user()
    now = utcnow()
    meetup = make_meetup(
        board,
        organizer=organizer,
        title="Captions [clinic]",
        starts_in=-dt.timedelta(hours=3),
        hours=1,
        now=now,
    )
    answer(meetup, went, Answer.GOING, now=now - dt.timedelta(days=2))
    answer(meetup, stayed_away, Answer.MAYBE, now=now - dt.timedelta(days=2))

    assert follow_up_job(now) == 1
    assert follow_up_job(now + dt.timedelta(hours=1)) == 0  # once per event
    [prompt] = db.session.scalars(
        select(Notification).where(Notification.kind == "meetup_story")
    ).all()
    assert prompt.user_id == organizer.id
    assert prompt.url == f"/meetups/{meetup.id}#story"

    # The event page asks those who went; others are not asked.
    login(stayed_away)
    assert "Post the story" not in client.get(f"/meetups/{meetup.id}").get_data(as_text=True)
    client.post("/logout")
    login(went)
    page = client.get(f"/meetups/{meetup.id}").get_data(as_text=True)
    link = re.search(r'<a class="button" href="([^"]+)">Post the story</a>', page)
    assert link is not None
    target = link.group(1).replace("&amp;", "&")
    assert urlsplit(target).path == f"/b/{board.slug}/new"
    form = client.get(target).get_data(as_text=True)
    assert 'value="Story: Captions [clinic]"' in form
    assert f"(/meetups/{meetup.id})" in form
    assert '<option selected value="story">' in form or 'selected value="story"' in form

    query = parse_qs(urlsplit(target).query)
    response = client.post(
        f"/b/{board.slug}/new",
        data={"kind": "story", "title": query["title"][0], "body": query["body"][0], "tags": ""},
    )
    assert response.status_code == 302
    see_committed()
    story = reload(meetup).story_thread
    assert story is not None and story.title == "Story: Captions [clinic]"

    page = client.get(f"/meetups/{meetup.id}").get_data(as_text=True)
    assert "Story: <a href=" in page and "Story: Captions [clinic]</a>" in page
    assert "Post the story" not in page
    client.post("/logout")

    # A later thread linking the event does not replace the story; a stranger's never counts.
    login(stranger)
    client.post(
        f"/b/{board.slug}/new",
        data={"kind": "story", "title": "Mine", "body": f"See /meetups/{meetup.id}", "tags": ""},
    )
    assert reload(meetup).story_thread_id == story.id


def test_a_link_from_someone_who_did_not_go_is_not_the_story(
    login: Login, client: FlaskClient
) -> None:
    board = make_board()
    now = utcnow()
    meetup = make_meetup(board, starts_in=-dt.timedelta(hours=5), hours=1, now=now)
    login(make_user())
    client.post(
        f"/b/{board.slug}/new",
        data={"kind": "story", "title": "Hijack", "body": f"[x](/meetups/{meetup.id})", "tags": ""},
    )
    assert reload(meetup).story_thread_id is None


def test_a_reminder_is_withdrawn_once_its_reader_cannot_see_the_board(
    login: Login, client: FlaskClient
) -> None:
    housing = make_department()
    meetup = make_meetup(
        make_board(department=housing),
        title="Walrus tenancy meet-up",
        starts_in=dt.timedelta(hours=2),
    )
    person = make_user(department=housing)
    answer(meetup, person, Answer.GOING)
    assert follow_up_job() == 1
    login(person)
    assert "Reminder: Walrus tenancy meet-up" in client.get("/notifications").get_data(as_text=True)
    reload(person).department = make_department()
    db.session.commit()
    page = client.get("/notifications").get_data(as_text=True)
    assert "Walrus" not in page
    assert client.get(f"/meetups/{meetup.id}").status_code == 404


def test_a_deleted_story_makes_room_for_a_new_one(login: Login, client: FlaskClient) -> None:
    board = make_board()
    organizer = make_user()
    now = utcnow()
    meetup = make_meetup(
        board, organizer=organizer, starts_in=-dt.timedelta(hours=5), hours=1, now=now
    )
    login(organizer)

    def post_story(title: str) -> int:
        response = client.post(
            f"/b/{board.slug}/new",
            data={
                "kind": "story",
                "title": title,
                "body": f"[it](/meetups/{meetup.id})",
                "tags": "",
            },
        )
        assert response.status_code == 302
        return int(response.location.split("/t/")[1].split("-")[0])

    first = post_story("How it went")
    assert reload(meetup).story_thread_id == first
    assert "Post the story" not in client.get(f"/meetups/{meetup.id}").get_data(as_text=True)
    assert client.post(f"/t/{first}/delete").status_code == 302
    assert "Post the story" in client.get(f"/meetups/{meetup.id}").get_data(as_text=True)
    second = post_story("How it really went")
    assert reload(meetup).story_thread_id == second
