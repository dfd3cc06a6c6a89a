"""Reviews: someone who may edit confirms a profile is still right, restarting its cycle."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum.accounts.models import User
from forum.core.db import utcnow
from forum.core.errors import Invalid, NotPermitted
from forum.extensions import db
from forum.registry import permissions
from forum.registry.models import ProfileReview, ProfileStatus, SocialProfile
from forum.registry.services.profiles import _record


def mark_reviewed(
    actor: User, profile: SocialProfile, *, note: str = "", now: dt.datetime | None = None
) -> ProfileReview:
    """Record that someone who may edit checked the profile is still right; restarts the
    review cycle. Only active and dormant profiles are reviewed. Raises NotPermitted,
    Invalid."""
    if not permissions.can_edit(actor, profile):
        raise NotPermitted(
            "Only the owners, the department's enthusiasts, seniors and admins "
            "may review this profile."
        )
    if profile.status not in {ProfileStatus.ACTIVE, ProfileStatus.DORMANT}:
        raise Invalid(
            f"A {profile.status} profile is not reviewed.",
            fields={"note": f"A {profile.status} profile is not reviewed."},
        )
    note = (note or "").strip()
    if len(note) > 2000:
        raise Invalid(fields={"note": "Use at most 2000 characters."})
    now = now or utcnow()
    review = ProfileReview(profile=profile, reviewed_by=actor, reviewed_at=now, note=note)
    db.session.add(review)
    _record(profile, actor, "reviewed", profile.last_reviewed_at, now, now)
    if note:
        _record(profile, actor, "review_note", None, note, now)
    profile.last_reviewed_at, profile.last_reviewed_by = now, actor
    db.session.flush()
    return review


def reviews(profile: SocialProfile) -> list[ProfileReview]:
    """The profile's reviews, newest first."""
    return list(
        db.session.scalars(
            select(ProfileReview)
            .where(ProfileReview.profile_id == profile.id)
            .options(selectinload(ProfileReview.reviewed_by))
            .order_by(ProfileReview.reviewed_at.desc(), ProfileReview.id.desc())
        )
    )
