"""The meet-ups part of /api/v1: upcoming meet-ups, one meet-up, and answering one."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from forum.accounts.models import User
from forum.api import api_route, bp, current_api_user, parse_body
from forum.core.db import utcnow
from forum.extensions import db
from forum.meetups import schemas, services
from forum.meetups.models import Meetup

TAG = "meetups"


def _detail(meetup: Meetup, user: User) -> dict[str, object]:
    return schemas.MeetupOut.of(
        meetup,
        counts=services.counts_of(meetup),
        my_answer=services.answer_of(meetup, user),
        going=services.going(meetup),
        story=services.story_for(user, meetup),
    ).model_dump(mode="json")


@api_route(
    bp,
    "/meetups",
    "GET",
    summary="Upcoming meet-ups the caller may see, soonest first",
    tag=TAG,
    response=schemas.MeetupList,
)
def meetups_list() -> ResponseReturnValue:
    user = current_api_user()
    meetups = services.upcoming(user, now=utcnow())
    counts = services.counts_for([m.id for m in meetups])
    answers = services.rsvps.answers_of(user, [m.id for m in meetups])
    return schemas.MeetupList(
        items=[
            schemas.MeetupOut.of(m, counts=counts[m.id], my_answer=answers.get(m.id))
            for m in meetups
        ]
    ).model_dump(mode="json")


@api_route(
    bp,
    "/meetups/<id:meetup_id>",
    "GET",
    summary="One meet-up, with who is going and its story",
    tag=TAG,
    response=schemas.MeetupOut,
    errors=(404,),
)
def meetups_get(meetup_id: int) -> ResponseReturnValue:
    user = current_api_user()
    return _detail(services.get_visible_meetup(user, meetup_id), user)


@api_route(
    bp,
    "/meetups/<id:meetup_id>/rsvp",
    "POST",
    summary="Answer a meet-up (going, maybe or no); answering again changes the answer",
    tag=TAG,
    body=schemas.RsvpIn,
    response=schemas.MeetupOut,
    errors=(400, 404, 409),
)
def meetups_rsvp(meetup_id: int) -> ResponseReturnValue:
    user = current_api_user()
    meetup = services.get_visible_meetup(user, meetup_id)
    data = parse_body(schemas.RsvpIn)
    services.set_answer(meetup, user, data.answer)
    db.session.commit()
    return _detail(meetup, user)
