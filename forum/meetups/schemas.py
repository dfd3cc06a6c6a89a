"""Request and response shapes of the meet-ups API, declared once for validation and OpenAPI."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from forum.accounts.models import User
from forum.boards.models import Thread
from forum.meetups.models import Answer, Meetup
from forum.meetups.services import Counts


class RsvpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: Answer = Field(description="going, maybe or no; sending another changes it")


class MeetupPerson(BaseModel):
    id: int
    display_name: str


class MeetupCounts(BaseModel):
    going: int
    maybe: int
    no: int


class MeetupStory(BaseModel):
    thread_id: int
    title: str
    url: str


class MeetupOut(BaseModel):
    id: int
    title: str
    description: str = Field(description="Markdown source")
    description_html: str = Field(description="Sanitized HTML")
    starts_at: dt.datetime = Field(description="UTC")
    ends_at: dt.datetime = Field(description="UTC")
    place: str | None
    online_url: str | None
    board: str = Field(description="Slug of the board it is on")
    organizer: MeetupPerson
    cancelled: bool
    url: str
    ical_url: str
    counts: MeetupCounts
    my_answer: Answer | None
    going: list[MeetupPerson] | None = Field(
        default=None, description="Who is going (one meet-up only)"
    )
    story: MeetupStory | None = None

    @classmethod
    def of(
        cls,
        meetup: Meetup,
        *,
        counts: Counts,
        my_answer: Answer | None,
        going: list[User] | None = None,
        story: Thread | None = None,
    ) -> MeetupOut:
        return cls(
            id=meetup.id,
            title=meetup.title,
            description=meetup.description,
            description_html=meetup.description_html,
            starts_at=meetup.starts_at,
            ends_at=meetup.ends_at,
            place=meetup.place,
            online_url=meetup.online_url,
            board=meetup.board.slug,
            organizer=_person(meetup.organizer),
            cancelled=meetup.is_cancelled,
            url=f"/meetups/{meetup.id}",
            ical_url=f"/meetups/{meetup.id}.ics",
            counts=MeetupCounts(going=counts.going, maybe=counts.maybe, no=counts.no),
            my_answer=my_answer,
            going=[_person(user) for user in going] if going is not None else None,
            story=MeetupStory(
                thread_id=story.id, title=story.title, url=f"/t/{story.id}-{story.slug}"
            )
            if story is not None
            else None,
        )


def _person(user: User) -> MeetupPerson:
    return MeetupPerson(id=user.id, display_name=user.display_name)


class MeetupList(BaseModel):
    items: list[MeetupOut]
