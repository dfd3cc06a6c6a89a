"""The daily digest: one email a day listing what people on the "daily" preference missed."""

from __future__ import annotations

import datetime as dt
import logging
from itertools import groupby

from sqlalchemy import select, update

from forum.accounts.models import EmailPreference, User
from forum.alerts import redaction
from forum.alerts.models import Channel, Notification, OutboxMessage
from forum.alerts.services.outbox import enqueue
from forum.core.clock import text_in_zone, zone_of
from forum.core.db import utcnow
from forum.extensions import db

logger = logging.getLogger(__name__)

# A digest lists at most this many notifications; the rest are one click away.
MAX_ITEMS = 50


def digest_key(user: User, day: dt.date) -> str:
    return f"digest:{user.id}:{day.isoformat()}"


def send_daily_digests(*, now: dt.datetime | None = None, hour: int | None = None) -> int:
    """Queue today's digest email for every active person whose preference is daily.

    A digest holds the person's unread notifications not yet covered by an email, created up
    to `now`; every such notification (read or not) is then marked digested. "Today" is the
    person's own day, in their time zone (or the organization's): at most one digest per
    person per local day, so running again the same day changes nothing, and with `hour` only
    people for whom it is that hour or later get theirs (the worker's morning). Each item says
    when it happened, in the same zone, and is shown as the person may see it now
    (forum.alerts.redaction): one naming a thread they can no longer see is withdrawn, not
    quoted. Returns the number of digests queued. The caller commits.
    """
    now = now or utcnow()
    rows = db.session.execute(
        select(User, Notification)
        .join(Notification, Notification.user_id == User.id)
        .where(
            User.is_active.is_(True),
            User.email_preference == EmailPreference.DAILY,
            Notification.digested_at.is_(None),
            Notification.created_at <= now,
        )
        .order_by(User.id, Notification.created_at.desc(), Notification.id.desc())
    ).all()
    queued = 0
    for user, group in groupby(rows, key=lambda row: row[0]):
        notifications = [row[1] for row in group]
        local_now = now.astimezone(zone_of(user.time_zone))
        if hour is not None and local_now.hour < hour:
            continue  # not yet their morning
        key = digest_key(user, local_now.date())
        if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)):
            continue  # already sent today; what came since waits for tomorrow
        unread = redaction.shown(user, [n for n in notifications if n.read_at is None])
        if unread:
            shown = unread[:MAX_ITEMS]
            more = len(unread) - len(shown)
            subject = (
                f"Your forum digest: {len(unread)} new notification"
                f"{'' if len(unread) == 1 else 's'}"
            )
            enqueue(
                Channel.EMAIL,
                user.email,
                {
                    "template": "digest",
                    "subject": subject,
                    "items": [
                        {
                            "title": n.title,
                            "at": text_in_zone(n.created_at, user.time_zone),
                            "body": n.body,
                            "url": n.url,
                            "kind": n.kind,
                            "refs": list(n.refs),
                        }
                        for n in shown
                    ],
                    "url": "/notifications",
                    "link_label": f"See all {more + len(shown)} on the forum"
                    if more
                    else "Open your notifications",
                    # List-Unsubscribe: the channel makes the link for this person.
                    "unsubscribe": {"topic": "digest", "ref": None, "user_id": user.id},
                },
                key,
                now=now,
            )
            queued += 1
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_([n.id for n in notifications]))
            .values(digested_at=now)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    if queued:
        logger.info("queued %s daily digests", queued)
    return queued
