"""The iCalendar file of one meet-up (RFC 5545): UTC times, a stable UID, escaped and folded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask.testing import FlaskClient

from forum.meetups.ical import escape_text, fold
from tests.factories import make_user
from tests.meetups.factories import make_meetup

Login = Callable[..., FlaskClient]


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_ical_file_has_utc_times_uid_and_escaped_text(login: Login) -> None:
    meetup = make_meetup(
        title="Coffee; cake, and \\ chat",
        description="Line one\nLine two, with a comma; and a semicolon. " + "Long " * 30,
        starts_at=dt.datetime(2031, 7, 1, 8, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2031, 7, 1, 10, 0, tzinfo=dt.UTC),
        place="Room 2, Town Hall",
        online_url="https://meet.example.org/abc",
    )
    client = login(make_user(time_zone="Europe/London"))
    response = client.get(f"/meetups/{meetup.id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data(as_text=True)
    assert raw.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert raw.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))
    lines = _unfold(raw)
    assert "DTSTART:20310701T083000Z" in lines  # UTC, whatever the reader's zone
    assert "DTEND:20310701T100000Z" in lines
    assert f"UID:meetup-{meetup.id}@forum.test" in lines
    assert "SUMMARY:Coffee\\; cake\\, and \\\\ chat" in lines
    assert "LOCATION:Room 2\\, Town Hall" in lines
    assert f"URL:http://forum.test/meetups/{meetup.id}" in lines
    assert "STATUS:CONFIRMED" in lines
    assert "SEQUENCE:0" in lines
    [description] = [line for line in lines if line.startswith("DESCRIPTION:")]
    assert description.startswith("DESCRIPTION:Line one\\nLine two\\, with a comma\\; and")
    assert "\n" not in description


def test_folding_never_splits_a_character() -> None:
    line = "SUMMARY:" + "é" * 80
    folded = fold(line)
    parts = folded.split("\r\n ")
    assert len(parts) > 1
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert "".join(parts) == line
    assert escape_text("a\r\nb") == "a\\nb"
    assert escape_text("bell\x07 and delete\x7f\tgone") == "bell and delete\tgone"
