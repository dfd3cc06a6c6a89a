"""Review reminders: owners hear once per due period, in-app and by email via the outbox."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from forum.accounts.models import User
from forum.alerts.services import notify_user
from forum.core.db import utcnow
from forum.extensions import db
from forum.registry.models import ProfileStatus, SocialProfile
from forum.registry.services.attention import review_due_on
from forum.registry.services.profiles import _loaded

logger = logging.getLogger(__name__)


def _recipients(profile: SocialProfile, today: dt.date) -> list[User]:
    """The owners; someone away is represented by their cover."""
    people: list[User] = []
    for person in (profile.owner, profile.backup_owner):
        if person is None or not person.is_active:
            continue
        if person.is_away(today) and person.cover_user is not None and person.cover_user.is_active:
            person = person.cover_user
        if person not in people:
            people.append(person)
    return people


def send_review_reminders(now: dt.datetime | None = None) -> int:
    """Notify the owners of every active or dormant profile whose review is due (today or
    earlier) and who have not been reminded about this due date yet. Returns how many people
    were notified. The caller commits; running it twice notifies nobody twice."""
    now = now or utcnow()
    today = now.date()
    sent = 0
    profiles = db.session.scalars(
        select(SocialProfile)
        .where(SocialProfile.status.in_([ProfileStatus.ACTIVE, ProfileStatus.DORMANT]))
        .options(*_loaded())
        .order_by(SocialProfile.id)
    )
    for profile in profiles:
        due = review_due_on(profile)
        if due is None or due > today or profile.review_reminded_for == due:
            continue
        for person in _recipients(profile, today):
            notify_user(
                person,
                kind="registry_review_due",
                title=f"Review due: {profile.display_name} on {profile.platform.name}",
                body=(
                    f"The registry entry for {profile.display_name} ({profile.canonical_url}) "
                    f"was due for review on {due.isoformat()}. Check the owners, backup and "
                    'status are still right, then choose "Mark reviewed".'
                ),
                url=f"/profiles/{profile.id}",
                dedupe_key=f"registry-review:{profile.id}:{due.isoformat()}:{person.id}",
                now=now,
            )
            sent += 1
        profile.review_reminded_for = due
    db.session.flush()
    if sent:
        logger.info("registry review reminders: %s people notified", sent)
    return sent
