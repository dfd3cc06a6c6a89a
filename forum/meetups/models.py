"""Meet-ups: an event on a board, the answers people give to it, and the story posted after it."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.boards.models import Board, Thread
from forum.core.db import UTCDateTime, utcnow
from forum.extensions import Model

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
PLACE_MAX = 300
URL_MAX = 500


class Answer(enum.StrEnum):
    """What someone said about coming: going, maybe, or not going."""

    GOING = "going"
    MAYBE = "maybe"
    NO = "no"

    @property
    def label(self) -> str:
        return {"going": "Going", "maybe": "Maybe", "no": "Not going"}[self.value]


class Meetup(Model):
    """An event on a board: seen by exactly those who may see the board."""

    __tablename__ = "meetups"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_meetups_starts_at", "starts_at"),
        Index("ix_meetups_ends_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    organizer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    place: Mapped[str | None] = mapped_column(String(PLACE_MAX))
    online_url: Mapped[str | None] = mapped_column(String(URL_MAX))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Bumped on every change a calendar must pick up (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # When the reminders for the current start time were queued (cleared when it moves).
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # When the organizer was asked to post the story (once per event).
    story_prompted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    story_thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL")
    )

    board: Mapped[Board] = relationship()
    organizer: Mapped[User] = relationship()
    story_thread: Mapped[Thread | None] = relationship()
    rsvps: Mapped[list[Rsvp]] = relationship(
        back_populates="meetup", cascade="all, delete-orphan", order_by="Rsvp.updated_at"
    )

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def has_ended(self, now: dt.datetime) -> bool:
        return self.ends_at <= now

    def __repr__(self) -> str:
        return f"<Meetup {self.id} {self.title!r}>"


class Rsvp(Model):
    """One person's answer to one meet-up; changing it replaces it."""

    __tablename__ = "meetup_rsvps"

    meetup_id: Mapped[int] = mapped_column(
        ForeignKey("meetups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    answer: Mapped[Answer] = mapped_column(String(10))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    meetup: Mapped[Meetup] = relationship(back_populates="rsvps")
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Rsvp {self.meetup_id}:{self.user_id} {self.answer}>"
