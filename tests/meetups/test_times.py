"""Meet-up times: entered and shown in the reader's zone, stored in UTC, across DST changes."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.core.errors import Invalid
from forum.extensions import db
from forum.meetups import times
from forum.meetups.models import Meetup
from tests.boards.factories import make_board
from tests.factories import make_user, see_committed
from tests.meetups.factories import make_meetup

Login = Callable[..., FlaskClient]
LONDON = zoneinfo.ZoneInfo("Europe/London")


def _create(client: FlaskClient, slug: str, title: str, start: str, end: str) -> Meetup:
    response = client.post(
        "/meetups/new",
        data={"board": slug, "title": title, "starts_at": start, "ends_at": end, "place": "Hall"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    see_committed()
    meetup = db.session.scalar(select(Meetup).where(Meetup.title == title))
    assert meetup is not None
    return meetup


def test_local_times_are_read_in_the_readers_zone_summer_and_winter(login: Login) -> None:
    board = make_board()
    client = login(make_user(time_zone="Europe/London"))
    summer = _create(client, board.slug, "Summer", "2031-07-01T09:30", "2031-07-01T11:00")
    assert summer.starts_at == dt.datetime(2031, 7, 1, 8, 30, tzinfo=dt.UTC)  # BST is UTC+1
    assert summer.ends_at == dt.datetime(2031, 7, 1, 10, 0, tzinfo=dt.UTC)
    winter = _create(client, board.slug, "Winter", "2031-01-15T09:30", "2031-01-15T11:00")
    assert winter.starts_at == dt.datetime(2031, 1, 15, 9, 30, tzinfo=dt.UTC)  # GMT


def test_a_time_skipped_by_the_clocks_going_forward_is_refused(login: Login) -> None:
    board = make_board()
    client = login(make_user(time_zone="Europe/London"))
    response = client.post(
        "/meetups/new",
        data={
            "board": board.slug,
            "title": "In the gap",
            "starts_at": "2031-03-30T01:30",
            "ends_at": "2031-03-30T03:00",
            "place": "Hall",
        },
    )
    assert response.status_code == 400
    assert "does not exist in Europe/London" in response.get_data(as_text=True)


def test_a_repeated_hour_is_the_earlier_instant() -> None:
    wall = dt.datetime(2031, 10, 26, 1, 30)
    assert times.local_to_utc(wall, LONDON, field="starts_at") == dt.datetime(
        2031, 10, 26, 0, 30, tzinfo=dt.UTC
    )
    with pytest.raises(Invalid) as refused:
        times.local_to_utc(dt.datetime(2031, 3, 30, 1, 0), LONDON, field="starts_at")
    assert "starts_at" in refused.value.fields


def test_times_are_shown_in_each_readers_zone_and_edited_in_it(login: Login) -> None:
    organizer = make_user(time_zone="Europe/London")
    meetup = make_meetup(
        organizer=organizer,
        starts_at=dt.datetime(2031, 7, 1, 8, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2031, 7, 1, 10, 0, tzinfo=dt.UTC),
    )
    client = login(organizer)
    page = client.get(f"/meetups/{meetup.id}").get_data(as_text=True)
    assert '<time datetime="2031-07-01T08:30:00Z">1 Jul 2031, 09:30 BST</time>' in page
    form = client.get(f"/meetups/{meetup.id}/edit").get_data(as_text=True)
    assert 'value="2031-07-01T09:30"' in form and 'value="2031-07-01T11:00"' in form
    assert "Europe/London" in form
    client.post("/logout")

    login(make_user(time_zone="Asia/Tokyo"))
    page = client.get(f"/meetups/{meetup.id}").get_data(as_text=True)
    assert "1 Jul 2031, 17:30 JST" in page


def test_saving_the_edit_form_unchanged_keeps_the_instant(login: Login) -> None:
    organizer = make_user(time_zone="America/New_York")
    start = dt.datetime(2031, 11, 2, 5, 30, tzinfo=dt.UTC)  # 01:30 EDT, the first of two
    meetup = make_meetup(organizer=organizer, starts_at=start)
    client = login(organizer)
    response = client.post(
        f"/meetups/{meetup.id}/edit",
        data={
            "title": meetup.title,
            "starts_at": "2031-11-02T01:30",
            "ends_at": "2031-11-02T03:30",
            "place": "Hall",
        },
    )
    assert response.status_code == 302
    see_committed()
    saved = db.session.get(Meetup, meetup.id)
    assert saved is not None and saved.starts_at == start
