"""Being away, and the colleague who covers: who may stand in for whom.

While someone is away, what is routed to them goes to their cover: escalations (for seniors and
admins) and registry review reminders (for profile owners). So a cover must be able to take on
the person's duties: an active colleague other than themselves, and a senior or admin when the
person is one (only they can act on an escalation). Being away at the same time is allowed
(the cover's own cover is tried next) but worth a warning.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.core.errors import Invalid
from forum.extensions import db


def cover_problem(user: User, cover: User | None) -> str | None:
    """Why `cover` cannot stand in for `user`, or None when they can (or there is no cover)."""
    if cover is None:
        return None
    if cover.id == user.id:
        return "You cannot cover for yourself: choose a colleague, or Nobody."
    if not cover.is_active:
        return f"{cover.display_name}'s account is switched off: choose an active colleague."
    if user.has_role(Role.SENIOR) and not cover.has_role(Role.SENIOR):
        return (
            f"Escalations go to your cover while you are away, and {cover.display_name} "
            "cannot act on them: choose a senior or an administrator."
        )
    return None


def _overlap(
    a_from: dt.date | None, a_until: dt.date | None, b_from: dt.date | None, b_until: dt.date | None
) -> bool:
    starts = max(a_from or dt.date.min, b_from or dt.date.min)
    ends = min(a_until or dt.date.max, b_until or dt.date.max)
    return starts <= ends


def away_overlap_warning(
    cover: User | None, away_from: dt.date | None, away_until: dt.date | None
) -> str | None:
    """A warning when `cover` is away on some of the dates from `away_from` to `away_until`."""
    if cover is None or (away_from is None and away_until is None):
        return None
    if cover.away_from is None and cover.away_until is None:
        return None
    if not _overlap(away_from, away_until, cover.away_from, cover.away_until):
        return None
    until = f" until {cover.away_until:%d %b %Y}" if cover.away_until else ""
    return (
        f"{cover.display_name} is away too{until}, on some of the same days; "
        "their own cover is asked then."
    )


def cover_candidates(user: User) -> list[User]:
    """Active colleagues who may cover for `user` (see cover_problem), by name."""
    people = db.session.scalars(
        select(User).where(User.is_active.is_(True), User.id != user.id).order_by(User.display_name)
    )
    return [p for p in people if cover_problem(user, p) is None]


def set_away(
    user: User, *, away_from: dt.date | None, away_until: dt.date | None, cover: User | None
) -> list[str]:
    """Record an absence and who covers; returns warnings to show (the cover is away on some of
    the same days).

    Raises Invalid (field away_until) when the end is before the start, and Invalid (field
    cover) when the cover cannot take on the person's duties (see cover_problem).
    """
    if away_from and away_until and away_until < away_from:
        raise Invalid(fields={"away_until": "The end date is before the start date."})
    problem = cover_problem(user, cover)
    if problem is not None:
        raise Invalid(fields={"cover": problem})
    user.away_from, user.away_until, user.cover_user = away_from, away_until, cover
    db.session.flush()
    warning = away_overlap_warning(cover, away_from, away_until)
    return [warning] if warning else []
