"""Outbox and notification rules without HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum.accounts.models import EmailPreference
from forum.alerts import services
from forum.alerts.models import Channel, Notification, OutboxMessage
from forum.core.errors import Invalid, NotFound
from forum.extensions import db
from tests.alerts.factories import make_notification
from tests.factories import make_user

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def outbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def test_enqueue_is_idempotent_per_dedupe_key(app: Flask) -> None:
    first = services.enqueue(Channel.EMAIL, "a@example.org", {"subject": "x"}, "k1", now=T0)
    again = services.enqueue("email", "a@example.org", {"subject": "y"}, "k1", now=T0)
    assert first.id == again.id
    assert outbox_count() == 1


def test_enqueue_rejects_unknown_channel_and_empty_key(app: Flask) -> None:
    with pytest.raises(Invalid):
        services.enqueue("fax", "x", {}, "k")
    with pytest.raises(Invalid):
        services.enqueue(Channel.EMAIL, "x", {}, "")


def test_outbox_row_rolls_back_with_the_event(app: Flask) -> None:
    user = make_user()
    services.notify_user(
        user, kind="reply", title="Hi", body="", url="/t/1", dedupe_key="rollback", email=True
    )
    db.session.rollback()
    assert outbox_count() == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_notify_user_follows_the_email_preference(app: Flask) -> None:
    immediate = make_user(email_preference=EmailPreference.IMMEDIATELY)
    daily = make_user(email_preference=EmailPreference.DAILY)
    off = make_user(email_preference=EmailPreference.OFF)
    for user in (immediate, daily, off):
        services.notify_user(
            user,
            kind="reply",
            title="Hi",
            body="",
            url="/t/1",
            dedupe_key=f"pref:{user.id}",
            now=T0,
        )
    db.session.commit()
    recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert recipients == [immediate.email]
    waiting = db.session.scalars(
        select(Notification.user_id).where(Notification.digested_at.is_(None))
    ).all()
    assert waiting == [daily.id]


def test_forced_email_reaches_people_on_daily_and_off(app: Flask) -> None:
    daily = make_user(email_preference=EmailPreference.DAILY)
    notification = services.notify_user(
        daily,
        kind="escalation",
        title="Crisis",
        body="",
        url="/escalations/1",
        dedupe_key="esc:1",
        email=True,
    )
    assert notification is not None and notification.digested_at is not None
    assert outbox_count() == 1


def test_inactive_people_get_nothing(app: Flask) -> None:
    user = make_user(is_active=False)
    assert (
        services.notify_user(
            user, kind="reply", title="Hi", body="", url="/t/1", dedupe_key="inactive", email=True
        )
        is None
    )
    assert outbox_count() == 0


def test_notify_twice_with_same_key_is_one_notification(app: Flask) -> None:
    user = make_user()
    for _ in range(2):
        services.notify_user(user, kind="reply", title="Hi", body="", url="/t/1", dedupe_key="same")
    db.session.commit()
    assert services.unread_count(user) == 1
    assert outbox_count() == 1


def test_unread_count_and_mark_read(app: Flask) -> None:
    user, other = make_user(), make_user()
    mine = [make_notification(user) for _ in range(3)]
    theirs = make_notification(other)
    assert services.unread_count(user) == 3
    # Someone else's id is ignored, not revealed.
    assert services.mark_read(user, [mine[0].id, theirs.id], now=T0) == 1
    assert services.unread_count(user) == 2
    assert services.unread_count(other) == 1
    assert services.mark_read(user, [], now=T0) == 0
    assert services.mark_read(user, now=T0) == 2
    assert services.unread_count(user) == 0


def test_list_notifications_newest_first_paginated(app: Flask) -> None:
    user = make_user()
    for minute in range(25):
        make_notification(user, title=f"N{minute}", now=T0 + dt.timedelta(minutes=minute))
    page = services.list_notifications(user, page=1, per_page=10)
    assert (page.total, page.pages) == (25, 3)
    assert [n.title for n in page.items[:2]] == ["N24", "N23"]
    last = services.list_notifications(user, page=3, per_page=10)
    assert [n.title for n in last.items] == [f"N{i}" for i in range(4, -1, -1)]
    services.mark_read(user, [page.items[0].id])
    assert services.list_notifications(user, unread_only=True).total == 24


def test_open_notification_marks_read_and_hides_others(app: Flask) -> None:
    user, other = make_user(), make_user()
    notification = make_notification(user, url="/t/5#post-9")
    with pytest.raises(NotFound):
        services.open_notification(other, notification.id)
    assert services.open_notification(user, notification.id, now=T0).read_at == T0


def test_mark_read_for_url_covers_anchors(app: Flask) -> None:
    user = make_user()
    make_notification(user, url="/t/5")
    make_notification(user, url="/t/5#post-9")
    make_notification(user, url="/t/50")
    assert services.mark_read_for_url(user, "/t/5") == 2
    assert services.unread_count(user) == 1


def test_outbox_counts(app: Flask) -> None:
    services.enqueue(Channel.EMAIL, "a@example.org", {}, "c1")
    assert services.outbox_counts() == {"pending": 1, "sent": 0, "dead": 0}


def test_notify_users_does_for_each_what_notify_user_does(app: Flask) -> None:
    immediate = make_user(email_preference=EmailPreference.IMMEDIATELY)
    daily = make_user(email_preference=EmailPreference.DAILY)
    off = make_user(email_preference=EmailPreference.OFF)
    inactive = make_user(is_active=False)
    told_before = make_user(email_preference=EmailPreference.IMMEDIATELY)
    services.notify_user(
        told_before,
        kind="reply",
        title="Hi",
        body="",
        url="/p/1",
        dedupe_key=f"r:{told_before.id}",
        now=T0,
        refs=["thread:1"],
    )
    people = [immediate, daily, off, inactive, told_before]
    services.notify_users(
        [(person, f"r:{person.id}") for person in [*people, immediate]],
        kind="reply",
        title="Hi",
        body="Excerpt",
        url="/p/1",
        refs=["thread:1"],
        now=T0,
    )
    db.session.commit()
    rows = db.session.execute(
        select(Notification.user_id, Notification.digested_at, Notification.refs)
    ).all()
    assert sorted(user_id for user_id, _, _ in rows) == sorted(
        p.id for p in (immediate, daily, off, told_before)
    )
    assert [user_id for user_id, digested, _ in rows if digested is None] == [daily.id]
    assert all(refs == ["thread:1"] for _, _, refs in rows)
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.recipient for m in messages] == [told_before.email, immediate.email]
    assert messages[1].payload == {
        "subject": "Hi",
        "text": "Excerpt",
        "url": "/p/1",
        "kind": "reply",
        "refs": ["thread:1"],
    }
    assert messages[1].dedupe_key == f"email:r:{immediate.id}"


def test_enqueue_many_skips_keys_already_queued_or_repeated(app: Flask) -> None:
    services.enqueue(Channel.EMAIL, "a@example.org", {"subject": "old"}, "m1", now=T0)
    services.enqueue_many(
        Channel.EMAIL,
        [
            ("a@example.org", {"subject": "new"}, "m1"),
            ("b@example.org", {"subject": "b"}, "m2"),
            ("c@example.org", {"subject": "c"}, "m2"),
        ],
        now=T0,
    )
    db.session.commit()
    rows = db.session.execute(
        select(OutboxMessage.dedupe_key, OutboxMessage.recipient, OutboxMessage.status).order_by(
            OutboxMessage.id
        )
    ).all()
    assert [tuple(row) for row in rows] == [
        ("m1", "a@example.org", "pending"),
        ("m2", "b@example.org", "pending"),
    ]
    with pytest.raises(Invalid):
        services.enqueue_many(Channel.EMAIL, [("x", {}, "")])
    with pytest.raises(Invalid):
        services.enqueue_many("fax", [("x", {}, "k")])
