"""Demo meet-ups: one coming up next week with answers, one that happened (its story not yet
posted, so the organizer sees "Post the story")."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from forum.accounts import services as account_services
from forum.accounts.demo import demo_email
from forum.accounts.models import User
from forum.boards import services as board_services
from forum.core.db import utcnow
from forum.extensions import db
from forum.meetups import services
from forum.meetups.models import Answer, Meetup

# (board slug, organizer, title, days from now, hours long, place, online link, description,
#  answers {person: answer})
MEETUPS = [
    (
        "start-here",
        "sam.riley",
        "Digital enthusiasts' meet-up: what worked this quarter",
        6,
        2,
        "Town Hall, Committee Room 2",
        "https://meet.example.org/enthusiasts",
        "Bring **one win and one failure** from the last three months. We will swap notes on:\n\n"
        "- scheduling posts around service changes\n- answering complaints in public\n"
        "- what the new alt-text guidance means for us\n\nTea and biscuits provided.",
        {
            "lena.fischer": Answer.GOING,
            "omar.haddad": Answer.GOING,
            "mia.evans": Answer.MAYBE,
            "jack.turner": Answer.GOING,
            "ben.carter": Answer.NO,
        },
    ),
    (
        "accessibility",
        "lena.fischer",
        "Accessibility clinic: captions people actually read",
        -10,
        1,
        None,
        "https://meet.example.org/captions-clinic",
        "A short online clinic on captioning short videos: tools, house style, and checking "
        "the result on a phone.",
        {
            "sam.riley": Answer.GOING,
            "zoe.martin": Answer.GOING,
            "arjun.patel": Answer.MAYBE,
        },
    ),
]


def _person(local: str) -> User | None:
    return account_services.user_by_email(demo_email(local))


def seed() -> str:
    """The demo meet-ups; one whose title exists is left as it is."""
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    made = 0
    for slug, organizer_local, title, days, hours, place, link, text, answers in MEETUPS:
        if db.session.scalar(select(Meetup.id).where(Meetup.title == title)) is not None:
            continue
        organizer = _person(organizer_local)
        board = board_services.board_by_slug(slug)
        if organizer is None or board is None:
            continue
        starts = (now + dt.timedelta(days=days)).replace(hour=10)
        # Made as it would have been, a week before it started.
        made_at = min(now, starts - dt.timedelta(days=7))
        meetup = services.create_meetup(
            board,
            organizer=organizer,
            title=title,
            description=text,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=hours),
            place=place,
            online_url=link,
            now=made_at,
        )
        for local, answer in answers.items():
            person = _person(local)
            if person is not None and board_services.can_see_board(person, board):
                services.set_answer(meetup, person, answer, now=made_at)
        made += 1
    return f"{made} meet-ups"
