"""Meet-ups: who may see, create and change one; creating, editing, cancelling; the listings.

A meet-up lives on a board and is seen by exactly those who may see that board (the boards'
visibility rule, applied in the query that loads it): anyone else gets NotFound, on pages, the
iCalendar file, the feed and the API alike. Anyone who may see a board may post on it, so anyone
who may see it may organize a meet-up there. The organizer, the board's moderators and admins
may edit or cancel it; when someone other than the organizer does, it goes on the audit log.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TypedDict
from urllib.parse import urlsplit

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from forum.accounts.models import AuditAction, User
from forum.accounts.services import audit
from forum.alerts import services as alerts
from forum.boards import services as board_services
from forum.boards.models import Board
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid, NotFound, NotPermitted
from forum.core.markup import render_markdown
from forum.core.pagination import Page
from forum.extensions import db
from forum.meetups.models import (
    DESCRIPTION_MAX,
    PLACE_MAX,
    TITLE_MAX,
    URL_MAX,
    Answer,
    Meetup,
    Rsvp,
)

logger = logging.getLogger(__name__)

PAST_PER_PAGE = 20
UPCOMING_MAX = 100
LONGEST = dt.timedelta(days=14)


def meetup_path(meetup: Meetup) -> str:
    return f"/meetups/{meetup.id}"


def visible_meetups(user: User | None) -> Select[Meetup]:
    """SELECT of the meet-ups on boards `user` may see."""
    return select(Meetup).join(Meetup.board).where(board_services.board_visibility_clause(user))


def get_visible_meetup(user: User | None, meetup_id: int) -> Meetup:
    """The meet-up with its board, organizer, story thread and answers; NotFound when missing
    or on a board `user` may not see."""
    meetup = (
        db.session.scalars(
            visible_meetups(user)
            .where(Meetup.id == meetup_id)
            .options(
                joinedload(Meetup.board).joinedload(Board.moderator_links),
                joinedload(Meetup.organizer),
                joinedload(Meetup.story_thread),
                selectinload(Meetup.rsvps).joinedload(Rsvp.user),
            )
        )
        .unique()
        .first()
    )
    if meetup is None:
        raise NotFound("There is no such meet-up.")
    return meetup


def readable_meetup_ids(user: User, meetup_ids: set[int]) -> set[int]:
    """Those of `meetup_ids` that `user` may see (the notices' visibility check)."""
    if not meetup_ids:
        return set()
    return set(
        db.session.scalars(
            select(Meetup.id)
            .join(Meetup.board)
            .where(Meetup.id.in_(meetup_ids), board_services.board_visibility_clause(user))
        )
    )


def upcoming(user: User | None, *, now: dt.datetime | None = None) -> list[Meetup]:
    """Meet-ups `user` may see that have not ended, soonest first (cancelled ones included,
    marked as such), with their boards and organizers."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            visible_meetups(user)
            .where(Meetup.ends_at > now)
            .options(joinedload(Meetup.board), joinedload(Meetup.organizer))
            .order_by(Meetup.starts_at, Meetup.id)
            .limit(UPCOMING_MAX)
        )
    )


def past(user: User | None, *, page: int = 1, now: dt.datetime | None = None) -> Page[Meetup]:
    """Meet-ups `user` may see that have ended, the latest first, a page at a time."""
    now = now or utcnow()
    query = visible_meetups(user).where(Meetup.ends_at <= now)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(
        query.options(joinedload(Meetup.board), joinedload(Meetup.story_thread))
        .order_by(Meetup.starts_at.desc(), Meetup.id.desc())
        .limit(PAST_PER_PAGE)
        .offset((page - 1) * PAST_PER_PAGE)
    )
    return Page(items=list(items), page=page, per_page=PAST_PER_PAGE, total=total)


def boards_to_organize_on(user: User) -> list[Board]:
    """The boards `user` may put a meet-up on: every board they may see (and so post on)."""
    return board_services.visible_boards(user)


def can_manage(user: User | None, meetup: Meetup) -> bool:
    """The organizer, a moderator of its board or an admin may edit or cancel a meet-up."""
    if user is None or not getattr(user, "is_active", False):
        return False
    return meetup.organizer_id == user.id or board_services.can_moderate(user, meetup.board)


class _Fields(TypedDict):
    """A meet-up's checked input, as its columns hold it."""

    title: str
    description: str
    description_html: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str | None
    online_url: str | None


def _clean(
    *,
    title: str,
    description: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str | None,
    online_url: str | None,
) -> _Fields:
    errors: dict[str, str] = {}
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = "Enter a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title within {TITLE_MAX} characters."
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Keep the description within {DESCRIPTION_MAX} characters."
    place = " ".join((place or "").split()) or None
    if place is not None and len(place) > PLACE_MAX:
        errors["place"] = f"Keep the place within {PLACE_MAX} characters."
    online_url = (online_url or "").strip() or None
    if online_url is not None:
        problem = online_url_problem(online_url)
        if problem:
            errors["online_url"] = problem
    if place is None and online_url is None and "online_url" not in errors:
        errors["place"] = "Say where it happens, or give the link to join online."
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("meet-up times must be timezone-aware")
    if ends_at <= starts_at:
        errors["ends_at"] = "The end must come after the start."
    elif ends_at - starts_at > LONGEST:
        errors["ends_at"] = "A meet-up lasts at most 14 days."
    if errors:
        raise Invalid("Check the highlighted fields.", fields=errors)
    return _Fields(
        title=title,
        description=description,
        description_html=render_markdown(description) if description else "",
        starts_at=starts_at.astimezone(dt.UTC),
        ends_at=ends_at.astimezone(dt.UTC),
        place=place,
        online_url=online_url,
    )


def online_url_problem(url: str) -> str | None:
    """Why `url` is not an acceptable link to join online (https with a host), or None."""
    if len(url) > URL_MAX:
        return f"Keep the link within {URL_MAX} characters."
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return "A link has no spaces."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError:
        return "That is not a web address."
    if parts.scheme.lower() != "https":
        return "Give an https:// link."
    if not parts.hostname or parts.username or parts.password:
        return "Give an https:// link with a host name and no password in it."
    return None


def create_meetup(
    board: Board,
    *,
    organizer: User,
    title: str,
    description: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str | None = None,
    online_url: str | None = None,
    now: dt.datetime | None = None,
) -> Meetup:
    """Put a meet-up on a board the organizer may see; it must start in the future.

    Raises NotFound when the organizer may not see the board, Invalid (fields title,
    description, starts_at, ends_at, place, online_url) for bad input.
    """
    if not board_services.can_see_board(organizer, board):
        raise NotFound("There is no such board.")
    now = now or utcnow()
    fields = _clean(
        title=title,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_url=online_url,
    )
    if fields["starts_at"] <= now:
        raise Invalid("Check the highlighted fields.", fields={"starts_at": "Pick a future time."})
    meetup = Meetup(board=board, organizer=organizer, created_at=now, updated_at=now, **fields)
    db.session.add(meetup)
    db.session.flush()
    logger.info("meet-up %s created on board %s by user %s", meetup.id, board.id, organizer.id)
    return meetup


def update_meetup(
    meetup: Meetup,
    *,
    actor: User,
    title: str,
    description: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str | None = None,
    online_url: str | None = None,
    now: dt.datetime | None = None,
) -> Meetup:
    """Change a meet-up. Moving its start means reminders go out again for the new time.

    Raises NotPermitted unless `can_manage`, Conflict once cancelled, Invalid for bad input.
    """
    if not can_manage(actor, meetup):
        raise NotPermitted("Only the organizer or a moderator may change this meet-up.")
    if meetup.is_cancelled:
        raise Conflict("This meet-up was cancelled.")
    fields = _clean(
        title=title,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_url=online_url,
    )
    if fields["starts_at"] != meetup.starts_at:
        meetup.reminded_at = None
    for name, value in fields.items():
        setattr(meetup, name, value)
    meetup.updated_at = now or utcnow()
    meetup.sequence = (meetup.sequence or 0) + 1
    db.session.flush()
    if actor.id != meetup.organizer_id:
        audit.record(AuditAction.MEETUP_EDITED, actor, meetup, now=now, board=meetup.board_id)
    return meetup


def cancel_meetup(meetup: Meetup, *, actor: User, now: dt.datetime | None = None) -> Meetup:
    """Cancel a meet-up that has not ended; those who said going or maybe are told.

    Raises NotPermitted unless `can_manage`, Conflict when already cancelled or over.
    """
    if not can_manage(actor, meetup):
        raise NotPermitted("Only the organizer or a moderator may cancel this meet-up.")
    now = now or utcnow()
    if meetup.is_cancelled:
        raise Conflict("This meet-up is already cancelled.")
    if meetup.has_ended(now):
        raise Conflict("This meet-up is over.")
    meetup.cancelled_at = now
    meetup.updated_at = now
    meetup.sequence = (meetup.sequence or 0) + 1
    recipients = [
        (rsvp.user, f"meetup-cancelled:{meetup.id}:{rsvp.user_id}")
        for rsvp in coming(meetup)
        if rsvp.user_id != actor.id and board_services.can_see_board(rsvp.user, meetup.board)
    ]
    alerts.notify_users(
        recipients,
        kind="meetup_cancelled",
        title=f"Cancelled: {meetup.title}",
        body=f"The meet-up you answered is cancelled ({actor.display_name}).",
        url=meetup_path(meetup),
        now=now,
        refs=[f"meetup:{meetup.id}"],
    )
    db.session.flush()
    if actor.id != meetup.organizer_id:
        audit.record(AuditAction.MEETUP_CANCELLED, actor, meetup, now=now, board=meetup.board_id)
    logger.info("meet-up %s cancelled by user %s", meetup.id, actor.id)
    return meetup


def coming(meetup: Meetup) -> list[Rsvp]:
    """The answers of active people who said going or maybe."""
    return [
        rsvp
        for rsvp in meetup.rsvps
        if rsvp.answer in (Answer.GOING, Answer.MAYBE) and rsvp.user.is_active
    ]
