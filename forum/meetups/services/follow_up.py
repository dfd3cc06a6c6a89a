"""Before and after a meet-up: the reminder to those coming, the prompt to post the story, and
the story thread linked back to the event.

- Reminders go once per start time, MEETUP_REMINDER_HOURS before it, to everyone who answered
  going or maybe and may still see the board: an in-app notice and an email (unless they
  switched email off), whatever their digest choice, since a digest could come too late. Moving
  the start sends them again for the new time.
- Once it has ended the organizer is asked, once, to post the story (in-app, and by email per
  their preference); the event page asks them and everyone who went.
- The story is the first thread on the meet-up's board whose opening post links to the event
  page (`/meetups/<id>`), posted after it ended by the organizer, someone who went, or a
  moderator of the board. The "Post the story" link opens the board's new-thread form with
  such a link already in it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from flask import url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from forum.accounts.models import EmailPreference, User
from forum.alerts import services as alerts
from forum.boards import services as board_services
from forum.boards.models import Board, Post, Thread
from forum.core.clock import text_in_zone
from forum.extensions import db
from forum.meetups.models import TITLE_MAX, Answer, Meetup, Rsvp
from forum.meetups.services.meetups import coming, meetup_path

logger = logging.getLogger(__name__)

# Stories are asked for within this long after the end (not for old events found later).
PROMPT_WINDOW = dt.timedelta(days=7)
STORY_LINK = re.compile(r"/meetups/(\d{1,10})(?![\d.])")


def _local_text(instant: dt.datetime, user: User) -> str:
    """`instant` in the person's own zone (or the organization's) for an email."""
    return text_in_zone(instant, user.time_zone)


def _where(meetup: Meetup) -> str:
    return meetup.place or meetup.online_url or ""


def send_reminders(*, now: dt.datetime, hours: float) -> int:
    """Queue the reminders of every meet-up starting within `hours` whose reminders for its
    current start have not gone yet; returns how many people were reminded."""
    due = db.session.scalars(
        select(Meetup)
        .where(
            Meetup.cancelled_at.is_(None),
            Meetup.reminded_at.is_(None),
            Meetup.starts_at > now,
            Meetup.starts_at <= now + dt.timedelta(hours=hours),
        )
        .options(
            joinedload(Meetup.board).selectinload(Board.moderator_links),
            selectinload(Meetup.rsvps).joinedload(Rsvp.user),
        )
        .order_by(Meetup.starts_at)
        .with_for_update(skip_locked=True, of=Meetup)
    ).unique()
    reminded = 0
    for meetup in due:
        stamp = int(meetup.starts_at.timestamp())
        for rsvp in coming(meetup):
            user = rsvp.user
            if not board_services.can_see_board(user, meetup.board):
                continue
            alerts.notify_user(
                user,
                kind="meetup_reminder",
                title=f"Reminder: {meetup.title}",
                body=f"You answered {Answer(rsvp.answer).label.lower()}. It starts "
                f"{_local_text(meetup.starts_at, user)}.",
                url=meetup_path(meetup),
                dedupe_key=f"meetup-reminder:{meetup.id}:{user.id}:{stamp}",
                email=EmailPreference(user.email_preference) != EmailPreference.OFF,
                now=now,
                details={
                    "Starts": _local_text(meetup.starts_at, user),
                    "Ends": _local_text(meetup.ends_at, user),
                    "Where": _where(meetup),
                },
                refs=[f"meetup:{meetup.id}"],
            )
            reminded += 1
        meetup.reminded_at = now
        logger.info("meet-up %s: reminders queued", meetup.id)
    db.session.flush()
    return reminded


def prompt_stories(*, now: dt.datetime) -> int:
    """Ask the organizer of each meet-up that ended (within PROMPT_WINDOW) and has no story
    to post it, once per meet-up; returns how many were asked."""
    due = db.session.scalars(
        select(Meetup)
        .where(
            Meetup.cancelled_at.is_(None),
            Meetup.story_prompted_at.is_(None),
            Meetup.story_thread_id.is_(None),
            Meetup.ends_at <= now,
            Meetup.ends_at > now - PROMPT_WINDOW,
        )
        .options(
            joinedload(Meetup.board).selectinload(Board.moderator_links),
            joinedload(Meetup.organizer),
        )
        .with_for_update(skip_locked=True, of=Meetup)
    ).unique()
    asked = 0
    for meetup in due:
        meetup.story_prompted_at = now
        if not board_services.can_see_board(meetup.organizer, meetup.board):
            continue
        alerts.notify_user(
            meetup.organizer,
            kind="meetup_story",
            title=f"Post the story of {meetup.title}",
            body="How did it go? Share what happened with those who could not come.",
            url=meetup_path(meetup) + "#story",
            dedupe_key=f"meetup-story:{meetup.id}",
            now=now,
            refs=[f"meetup:{meetup.id}"],
        )
        asked += 1
    db.session.flush()
    return asked


def may_tell_story(user: User, meetup: Meetup) -> bool:
    """The organizer, anyone who answered going, and the board's moderators."""
    if not getattr(user, "is_active", False):
        return False
    if meetup.organizer_id == user.id or board_services.can_moderate(user, meetup.board):
        return True
    return any(r.user_id == user.id and r.answer == Answer.GOING for r in meetup.rsvps)


def wants_story(user: User, meetup: Meetup, now: dt.datetime) -> bool:
    """Whether the event page asks `user` to post the story now."""
    return (
        meetup.has_ended(now)
        and not meetup.is_cancelled
        and (meetup.story_thread is None or meetup.story_thread.is_deleted)
        and may_tell_story(user, meetup)
    )


def story_form_url(meetup: Meetup) -> str:
    """The board's new-thread form, filled in as a story linking back to the event."""
    name = meetup.title.replace("[", "\\[").replace("]", "\\]")
    title = f"Story: {meetup.title}"[:TITLE_MAX]
    body = (
        f"How our meet-up [{name}]({meetup_path(meetup)}) went:\n\n"
        "- What we talked about\n- What we learned\n- What we will try next\n"
    )
    return url_for(
        "boards.thread_new", slug=meetup.board.slug, kind="story", title=title, body=body
    )


def on_thread_created(thread: Thread, *, post: Post, author: User, **_extra: Any) -> None:
    """boards' `thread_created`: a new thread linking to ended meet-ups on its board becomes
    their story (see the module rule)."""
    ids = {int(found) for found in STORY_LINK.findall(post.body or "")}
    if not ids:
        return
    candidates = db.session.scalars(
        select(Meetup)
        .where(
            Meetup.id.in_(ids),
            Meetup.board_id == thread.board_id,
            # No story yet, or its thread was deleted since: the new one takes its place.
            or_(
                Meetup.story_thread_id.is_(None),
                Meetup.story_thread_id.in_(select(Thread.id).where(Thread.deleted_at.is_not(None))),
            ),
            Meetup.cancelled_at.is_(None),
            Meetup.ends_at <= thread.created_at,
        )
        .options(selectinload(Meetup.rsvps), joinedload(Meetup.board))
    ).unique()
    for meetup in candidates:
        if may_tell_story(author, meetup):
            meetup.story_thread = thread
            logger.info("meet-up %s: story is thread %s", meetup.id, thread.id)
    db.session.flush()


def story_for(user: User, meetup: Meetup) -> Thread | None:
    """The story thread, when `user` may read it (it may have moved since)."""
    thread = meetup.story_thread
    if thread is None or not board_services.can_read_thread(user, thread):
        return None
    return thread
