"""The meet-ups demo data: one coming up and one past, both with answers; idempotent."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from forum.accounts.demo import demo_email
from forum.accounts.demo import seed as seed_accounts
from forum.boards.demo import seed as seed_boards
from forum.core.db import utcnow
from forum.extensions import db
from forum.meetups import demo, services
from forum.meetups.models import Meetup


def test_demo_has_an_upcoming_and_a_past_meetup_with_answers(app: Flask) -> None:
    seed_accounts()
    seed_boards()
    assert demo.seed() == "2 meet-ups"
    db.session.commit()
    now = utcnow()
    meetups = db.session.scalars(select(Meetup).order_by(Meetup.starts_at)).all()
    past, upcoming = meetups
    assert past.has_ended(now) and not upcoming.has_ended(now)
    assert services.counts_of(upcoming).going >= 2 and services.counts_of(past).going >= 2
    # The past one's organizer is asked for the story on its page.
    assert services.wants_story(past.organizer, past, now)
    assert past.organizer.email == demo_email("lena.fischer")

    assert demo.seed() == "0 meet-ups"
