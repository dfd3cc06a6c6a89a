"""Plain factories for meet-ups, going through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forum.accounts.models import User
from forum.boards.models import Board
from forum.core.db import utcnow
from forum.extensions import db
from forum.meetups import services
from forum.meetups.models import Answer, Meetup
from tests.boards.factories import make_board
from tests.factories import make_user, next_id


def make_meetup(
    board: Board | None = None,
    *,
    organizer: User | None = None,
    starts_in: dt.timedelta = dt.timedelta(days=3),
    hours: float = 2,
    now: dt.datetime | None = None,
    **overrides: Any,
) -> Meetup:
    """A meet-up starting `starts_in` after `now` (default: the real clock, as pages read it).
    A past one is made as it would have been before it started."""
    now = now or utcnow()
    board = board or make_board()
    organizer = organizer or make_user(department=board.department)
    starts = overrides.pop("starts_at", now + starts_in)
    made_at = min(now, starts - dt.timedelta(days=1))
    meetup = services.create_meetup(
        board,
        organizer=organizer,
        title=overrides.pop("title", f"Meet-up {next_id()}"),
        description=overrides.pop("description", "Swap **stories** and tips."),
        starts_at=starts,
        ends_at=overrides.pop("ends_at", starts + dt.timedelta(hours=hours)),
        place=overrides.pop("place", "Town Hall, Room 2"),
        online_url=overrides.pop("online_url", None),
        now=made_at,
    )
    db.session.commit()
    return meetup


def answer(
    meetup: Meetup, user: User, value: Answer | str, *, now: dt.datetime | None = None
) -> None:
    """Record an answer as it would have been given before the meet-up ended."""
    services.set_answer(meetup, user, value, now=now or min(utcnow(), meetup.starts_at))
    db.session.commit()
