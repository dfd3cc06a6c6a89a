"""The daily digest: one email a day with what people on the daily preference missed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from forum.accounts.models import EmailPreference, User
from forum.alerts import services, worker
from forum.alerts.models import Notification, OutboxMessage
from forum.alerts.services import digest
from forum.core import work
from forum.extensions import db
from tests.factories import make_user

DAY1 = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)


def notify(user: User, n: int, at: dt.datetime) -> None:
    services.notify_user(
        user,
        kind="reply",
        title=f"Reply {n}",
        body=f"Body {n}",
        url=f"/t/{n}",
        dedupe_key=f"digest-test:{n}",
        now=at,
    )
    db.session.commit()


def digests() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dedupe_key.startswith("digest:"))
            .order_by(OutboxMessage.id)
        )
    )


def test_daily_people_get_one_digest_of_unread_notifications(app: Flask) -> None:
    daily = make_user(email_preference=EmailPreference.DAILY)
    immediate = make_user(email_preference=EmailPreference.IMMEDIATELY)
    for n in range(3):
        notify(daily, n, DAY1 - dt.timedelta(hours=n + 1))
    notify(immediate, 10, DAY1 - dt.timedelta(hours=1))
    read = db.session.scalar(select(Notification).where(Notification.title == "Reply 2"))
    services.mark_read(daily, [read.id])  # type: ignore[union-attr]
    db.session.commit()

    assert digest.send_daily_digests(now=DAY1) == 1
    db.session.commit()
    [mail] = digests()
    assert mail.recipient == daily.email
    assert mail.payload["template"] == "digest"
    assert [item["title"] for item in mail.payload["items"]] == ["Reply 0", "Reply 1"]
    assert "2 new notifications" in mail.payload["subject"]
    # Everything considered is now digested, the read one included.
    assert (
        db.session.scalars(
            select(Notification).where(
                Notification.user_id == daily.id, Notification.digested_at.is_(None)
            )
        ).all()
        == []
    )


def test_second_run_the_same_day_sends_nothing_and_keeps_new_items_for_tomorrow(
    app: Flask,
) -> None:
    daily = make_user(email_preference=EmailPreference.DAILY)
    notify(daily, 1, DAY1 - dt.timedelta(hours=1))
    assert digest.send_daily_digests(now=DAY1) == 1
    db.session.commit()
    notify(daily, 2, DAY1 + dt.timedelta(hours=2))
    assert digest.send_daily_digests(now=DAY1 + dt.timedelta(hours=3)) == 0
    db.session.commit()
    assert digest.send_daily_digests(now=DAY1 + dt.timedelta(days=1)) == 1
    db.session.commit()
    assert [[i["title"] for i in m.payload["items"]] for m in digests()] == [
        ["Reply 1"],
        ["Reply 2"],
    ]


def test_nothing_unread_means_no_digest(app: Flask) -> None:
    daily = make_user(email_preference=EmailPreference.DAILY)
    notify(daily, 1, DAY1 - dt.timedelta(hours=1))
    services.mark_read(daily)
    db.session.commit()
    assert digest.send_daily_digests(now=DAY1) == 0


def test_the_work_job_sends_digests_once_a_day_after_the_hour(app: Flask) -> None:
    daily = make_user(email_preference=EmailPreference.DAILY)
    notify(daily, 1, DAY1 - dt.timedelta(hours=3))
    now = [DAY1 - dt.timedelta(hours=1)]  # 06:00, before ALERT_DIGEST_HOUR (7)
    loop = work.Runner(app, clock=lambda: now[0])
    [job] = [j for j in work.registered_jobs(app) if j.name == "alerts.digest"]
    assert loop.run_job(job) == 0
    now[0] = DAY1 + dt.timedelta(minutes=1)
    assert loop.run_job(job) == 1
    notify(daily, 2, DAY1 + dt.timedelta(minutes=2))
    now[0] = DAY1 + dt.timedelta(hours=5)
    assert loop.run_job(job) == 0  # already done today: the new one waits for tomorrow
    now[0] = DAY1 + dt.timedelta(days=1)
    assert loop.run_job(job) == 1


def test_digest_email_lists_items_with_absolute_links(app: Flask) -> None:
    daily = make_user(email_preference=EmailPreference.DAILY)
    notify(daily, 1, DAY1 - dt.timedelta(hours=1))
    digest.send_daily_digests(now=DAY1)
    db.session.commit()
    assert worker.run_once(now=DAY1).sent == 1
    [eml] = (Path(app.instance_path) / "mail").glob("*.eml")
    content = eml.read_text()
    assert "Reply 1" in content
    assert "06:00" in content  # when it happened, in the reader's zone (here the organization's)
    assert "http://forum.test/t/1" in content
    assert "http://forum.test/notifications" in content


def test_each_person_gets_their_digest_in_their_own_morning_with_local_times(
    app: Flask,
) -> None:
    tokyo = make_user(email_preference=EmailPreference.DAILY)
    tokyo.time_zone = "Asia/Tokyo"  # UTC+9
    london = make_user(email_preference=EmailPreference.DAILY)
    london.time_zone = "Europe/London"  # GMT in March
    db.session.commit()
    notify(tokyo, 1, dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.UTC))
    notify(london, 2, dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.UTC))
    now = [dt.datetime(2026, 3, 2, 5, 30, tzinfo=dt.UTC)]  # 14:30 in Tokyo, 05:30 in London
    loop = work.Runner(app, clock=lambda: now[0])
    [job] = [j for j in work.registered_jobs(app) if j.name == "alerts.digest"]
    assert loop.run_job(job) == 1
    assert [m.recipient for m in digests()] == [tokyo.email]
    now[0] = dt.datetime(2026, 3, 2, 7, 5, tzinfo=dt.UTC)  # London's morning
    assert loop.run_job(job) == 1
    mails = {m.recipient: m for m in digests()}
    assert mails[tokyo.email].dedupe_key == f"digest:{tokyo.id}:2026-03-02"
    assert mails[london.email].dedupe_key == f"digest:{london.id}:2026-03-02"
    # 05:00 UTC is 14:00 in Tokyo and 05:00 in London.
    assert "14:00" in mails[tokyo.email].payload["items"][0]["at"]
    assert "05:00" in mails[london.email].payload["items"][0]["at"]
