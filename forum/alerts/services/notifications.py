"""People's in-app notifications: written with the alert, listed, opened and marked read."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, func, select, update

from forum.accounts.models import EmailPreference, User
from forum.alerts import redaction
from forum.alerts.models import Channel, Notification
from forum.alerts.redaction import NoticeView
from forum.alerts.services.outbox import dialect_name, enqueue, enqueue_many
from forum.core.db import insert_new_rows, read_connection, utcnow
from forum.core.errors import NotFound
from forum.core.pagination import Page
from forum.extensions import db

logger = logging.getLogger(__name__)

NOTIFICATIONS_PER_PAGE = 20


def add_notification(
    user: User,
    *,
    kind: str,
    title: str,
    body: str,
    url: str,
    dedupe_key: str | None,
    now: dt.datetime | None = None,
    digested_at: dt.datetime | None = None,
    refs: list[str] | None = None,
) -> Notification:
    """Write one in-app notification; an existing one with the same dedupe key is returned.

    `refs` name the objects it mentions ("thread:12"), checked again whenever it is shown.
    """
    if dedupe_key is not None:
        existing = db.session.scalar(
            select(Notification).where(Notification.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return existing
    notification = Notification(
        user=user,
        kind=kind[:40],
        title=title[:300],
        body=body,
        url=url[:500],
        refs=list(refs or []),
        dedupe_key=dedupe_key,
        created_at=now or utcnow(),
        digested_at=digested_at,
    )
    db.session.add(notification)
    db.session.flush()
    return notification


def notify_user(
    user: User,
    *,
    kind: str,
    title: str,
    body: str,
    url: str,
    dedupe_key: str,
    email: bool | None = None,
    now: dt.datetime | None = None,
    details: dict[str, str] | None = None,
    refs: list[str] | None = None,
    links: list[dict[str, Any]] | None = None,
    unsubscribe: dict[str, Any] | None = None,
) -> Notification | None:
    """Notify one person in-app and, per their email preference, by email.

    The caller words it for this person (forum.boards.services.disclosure decides what they may
    be told) and lists in `refs` the objects it names, so that the notice, the digest and the
    email are checked again when shown or sent (forum.alerts.redaction). `url` is a
    site-relative path. `email=True` forces an immediate email (escalations),
    `email=False` suppresses it; None follows the person's preference (people on the daily
    digest get it in the next digest). `details` ({label: value}) are listed in the email.
    Inactive people get nothing (returns None).
    """
    if not user.is_active:
        return None
    now = now or utcnow()
    send_email, waits_for_digest = _email_plan(user, email)
    notification = add_notification(
        user,
        kind=kind,
        title=title,
        body=body,
        url=url,
        dedupe_key=dedupe_key,
        now=now,
        digested_at=None if waits_for_digest else now,
        refs=refs,
    )
    if send_email:
        payload = _email_payload(kind=kind, title=title, body=body, url=url, refs=refs)
        if details:
            payload["details"] = details
        if links:
            payload["links"] = links
        if unsubscribe:
            payload["unsubscribe"] = {**unsubscribe, "user_id": user.id}
        enqueue(Channel.EMAIL, user.email, payload, dedupe_key=f"email:{dedupe_key}", now=now)
    db.session.flush()
    return notification


def notify_users(
    recipients: Iterable[tuple[User, str]],
    *,
    kind: str,
    title: str,
    body: str,
    url: str,
    now: dt.datetime | None = None,
    refs: list[str] | None = None,
    unsubscribe: Mapping[int, dict[str, Any]] | None = None,
) -> None:
    """Tell several people the same thing, each (person, dedupe key): what `notify_user` does
    for each of them (email per preference), in two statements however many they are (one
    event's watchers or mentions). Inactive people, and keys already used, get nothing new.
    `unsubscribe` maps a person's id to what their email's List-Unsubscribe stops (the watch
    that brought it to them), as in `notify_user`.
    """
    wanted: dict[str, User] = {}
    for user, dedupe_key in recipients:
        if user.is_active:
            wanted.setdefault(dedupe_key, user)
    if not wanted:
        return
    now = now or utcnow()
    rows = [
        {
            "user_id": user.id,
            "kind": kind[:40],
            "title": title[:300],
            "body": body,
            "url": url[:500],
            "refs": list(refs or []),
            "dedupe_key": dedupe_key,
            "created_at": now,
            "digested_at": None if _email_plan(user, None)[1] else now,
        }
        for dedupe_key, user in wanted.items()
    ]
    # The unique dedupe key skips the notices already written, even by a concurrent request.
    db.session.execute(insert_new_rows(Notification, dialect_name()), rows)
    topics = unsubscribe or {}
    emails = [
        (
            user.email,
            _email_payload(
                kind=kind,
                title=title,
                body=body,
                url=url,
                refs=refs,
                unsubscribe=topics.get(user.id) and {**topics[user.id], "user_id": user.id},
            ),
            f"email:{dedupe_key}",
        )
        for dedupe_key, user in wanted.items()
        if _email_plan(user, None)[0]
    ]
    if emails:
        enqueue_many(Channel.EMAIL, emails, now=now)


def _email_plan(user: User, email: bool | None) -> tuple[bool, bool]:
    """(email now, wait for the daily digest) for `user`: `email` forces or suppresses,
    None follows their preference."""
    preference = EmailPreference(user.email_preference)
    send_email = email if email is not None else preference == EmailPreference.IMMEDIATELY
    return send_email, email is None and preference == EmailPreference.DAILY


def _email_payload(
    *,
    kind: str,
    title: str,
    body: str,
    url: str,
    refs: list[str] | None,
    unsubscribe: dict[str, Any] | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {"subject": title, "text": body, "url": url, "kind": kind}
    if refs:
        payload["refs"] = list(refs)
    if unsubscribe:
        payload["unsubscribe"] = unsubscribe
    return payload


# --- Reading and marking notifications -------------------------------------------------------


# Built once: the bell is on every page.
_UNREAD = (
    select(func.count())
    .select_from(Notification)
    .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))
)


def unread_count(user: User) -> int:
    """How many of the person's notifications are unread (the notifications page, the API)."""
    return read_connection(db.session).scalar(_UNREAD, {"user_id": user.id}) or 0


# The bell shows "99+" from here on.
BELL_CAP = 100
_UNREAD_UP_TO_CAP = select(func.count()).select_from(
    select(Notification.id)
    .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))
    .limit(BELL_CAP)
    .subquery()
)


def unread_for_bell(user: User) -> int:
    """How many of the person's notifications are unread, counted up to BELL_CAP: the bell on
    every page shows no more, and counting thousands (someone back from leave) cost more
    than the rest of the page's queries together."""
    return read_connection(db.session).scalar(_UNREAD_UP_TO_CAP, {"user_id": user.id}) or 0


def list_notifications(
    user: User, *, page: int = 1, per_page: int = NOTIFICATIONS_PER_PAGE, unread_only: bool = False
) -> Page[NoticeView]:
    """The person's notifications, newest first, as they may see them now: one naming
    something they can no longer see is withdrawn (forum.alerts.redaction)."""
    condition = [Notification.user_id == user.id]
    if unread_only:
        condition.append(Notification.read_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(Notification).where(*condition)) or 0
    items = db.session.scalars(
        select(Notification)
        .where(*condition)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=redaction.shown(user, items), page=page, per_page=per_page, total=total)


def mark_read(
    user: User, notification_ids: list[int] | None = None, *, now: dt.datetime | None = None
) -> int:
    """Mark the person's notifications read: the given ids, or all when ids is None.

    Ids that are not theirs are ignored (never revealed). Returns how many changed.
    """
    statement = (
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    if notification_ids is not None:
        if not notification_ids:
            return 0
        statement = statement.where(Notification.id.in_(notification_ids))
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.expire_all()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def open_notification(
    user: User, notification_id: int, *, now: dt.datetime | None = None
) -> NoticeView:
    """Mark one of the person's notifications read and return it as they may see it now (to
    go to its target; a withdrawn one leads back to the list).

    Raises NotFound when it does not exist or belongs to someone else.
    """
    mark_read(user, [notification_id], now=now)
    notification = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user.id
        )
    )
    if notification is None:
        raise NotFound("No such notification.")
    return redaction.shown(user, [notification])[0]


def mark_read_for_url(user: User, url: str, *, now: dt.datetime | None = None) -> int:
    """Mark read the person's notifications pointing at `url` (or an anchor in it): a page
    that shows the target can call this so the bell follows what was seen."""
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.read_at.is_(None),
            (Notification.url == url) | Notification.url.startswith(url + "#", autoescape=True),
        )
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- The outbox for admins --------------------------------------------------------------------
