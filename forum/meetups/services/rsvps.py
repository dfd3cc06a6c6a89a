"""Answers to a meet-up: going, maybe or not going, changeable until it ends; the counts."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select

from forum.accounts.models import User
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid
from forum.extensions import db
from forum.meetups.models import Answer, Meetup, Rsvp


@dataclasses.dataclass(frozen=True)
class Counts:
    going: int = 0
    maybe: int = 0
    no: int = 0


def parse_answer(raw: str | Answer) -> Answer:
    try:
        return Answer(raw)
    except ValueError:
        raise Invalid(fields={"answer": "Answer going, maybe or no."}) from None


def set_answer(
    meetup: Meetup, user: User, answer: str | Answer, *, now: dt.datetime | None = None
) -> Rsvp:
    """Record (or change) `user`'s answer to a meet-up they may see (the caller loaded it
    through the visibility query).

    Raises Invalid for an unknown answer, Conflict when it is cancelled or over.
    """
    choice = parse_answer(answer)
    now = now or utcnow()
    if meetup.is_cancelled:
        raise Conflict("This meet-up was cancelled.")
    if meetup.has_ended(now):
        raise Conflict("This meet-up is over.")
    rsvp = db.session.get(Rsvp, (meetup.id, user.id))
    if rsvp is None:
        rsvp = Rsvp(meetup=meetup, user=user, answer=choice, updated_at=now)
        db.session.add(rsvp)
    elif rsvp.answer != choice:
        rsvp.answer = choice
        rsvp.updated_at = now
    db.session.flush()
    return rsvp


def counts_of(meetup: Meetup) -> Counts:
    """The answers of a loaded meet-up, counted."""
    tally = dict.fromkeys(Answer, 0)
    for rsvp in meetup.rsvps:
        tally[Answer(rsvp.answer)] += 1
    return Counts(going=tally[Answer.GOING], maybe=tally[Answer.MAYBE], no=tally[Answer.NO])


def counts_for(meetup_ids: list[int]) -> dict[int, Counts]:
    """The answers of several meet-ups, counted in one query (for listings)."""
    found: dict[int, dict[str, int]] = {i: {} for i in meetup_ids}
    if meetup_ids:
        rows = db.session.execute(
            select(Rsvp.meetup_id, Rsvp.answer, func.count())
            .where(Rsvp.meetup_id.in_(meetup_ids))
            .group_by(Rsvp.meetup_id, Rsvp.answer)
        )
        for meetup_id, answer, count in rows:
            found[meetup_id][str(answer)] = int(count)
    return {i: Counts(**values) for i, values in found.items()}


def answer_of(meetup: Meetup, user: User) -> Answer | None:
    for rsvp in meetup.rsvps:
        if rsvp.user_id == user.id:
            return Answer(rsvp.answer)
    return None


def going(meetup: Meetup) -> list[User]:
    """Who said going, in the order they answered."""
    return [rsvp.user for rsvp in meetup.rsvps if rsvp.answer == Answer.GOING]


def answers_of(user: User, meetup_ids: list[int]) -> dict[int, Answer]:
    """`user`'s answers to several meet-ups, in one query."""
    if not meetup_ids:
        return {}
    rows = db.session.execute(
        select(Rsvp.meetup_id, Rsvp.answer).where(
            Rsvp.user_id == user.id, Rsvp.meetup_id.in_(meetup_ids)
        )
    )
    return {meetup_id: Answer(answer) for meetup_id, answer in rows}
