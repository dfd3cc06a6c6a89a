"""The delivery worker: claiming, leases, backoff with an injected clock, dead letters."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from forum.accounts.models import Role
from forum.alerts import channels, services, worker
from forum.alerts.channels import BaseChannel, Delivery, PermanentError, TransientError
from forum.alerts.models import (
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    Notification,
    OutboxMessage,
    OutboxStatus,
)
from forum.core import work
from forum.extensions import db
from tests.alerts.factories import make_email
from tests.factories import make_user, reload

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class FakeChannel(BaseChannel):
    """Records deliveries; `script` is consumed per call: None delivers, an exception raises."""

    name = "email"

    def __init__(self, script: list[BaseException | None] | None = None) -> None:
        self.script = list(script or [])
        self.delivered: list[int] = []
        self.calls = 0
        self.lock = threading.Lock()
        self.on_deliver: Any = None

    def deliver(self, app: Flask, delivery: Delivery) -> None:
        with self.lock:
            self.calls += 1
            outcome = self.script.pop(0) if self.script else None
        if self.on_deliver is not None:
            self.on_deliver(delivery)
        if outcome is not None:
            raise outcome
        with self.lock:
            self.delivered.append(delivery.message_id)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeChannel:
    channel = FakeChannel()
    monkeypatch.setitem(channels.CHANNELS, "email", channel)
    return channel


def attempts_of(message: OutboxMessage) -> list[DeliveryAttempt]:
    return list(
        db.session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.message_id == message.id)
            .order_by(DeliveryAttempt.number)
        )
    )


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    assert worker.backoff_delay(1, base=20, cap=600, rng=lambda: 1.0) == 20
    assert worker.backoff_delay(1, base=20, cap=600, rng=lambda: 0.0) == 10
    assert worker.backoff_delay(2, base=20, cap=600, rng=lambda: 1.0) == 40
    assert worker.backoff_delay(4, base=20, cap=600, rng=lambda: 1.0) == 160
    assert worker.backoff_delay(40, base=20, cap=600, rng=lambda: 1.0) == 600
    delays = {worker.backoff_delay(1, base=20, cap=600) for _ in range(50)}
    assert len(delays) > 1
    assert all(10 <= d <= 20 for d in delays)


def test_due_message_is_delivered_once_and_attempt_recorded(app: Flask, fake: FakeChannel) -> None:
    message = make_email(now=T0)
    stats = worker.run_once(now=T0, worker_id="w1")
    assert (stats.claimed, stats.sent) == (1, 1)
    message = reload(message)
    assert message.status == OutboxStatus.SENT
    assert message.sent_at == T0
    assert message.attempts == 1
    assert message.claimed_by is None and message.claimed_until is None
    [attempt] = attempts_of(message)
    assert (attempt.outcome, attempt.worker, attempt.number) == (AttemptOutcome.SENT, "w1", 1)
    assert worker.run_once(now=T0 + dt.timedelta(hours=1)).claimed == 0
    assert fake.delivered == [message.id]


def test_message_not_yet_due_waits(app: Flask, fake: FakeChannel) -> None:
    make_email(now=T0 + dt.timedelta(minutes=5))
    assert worker.run_once(now=T0).claimed == 0
    assert worker.run_once(now=T0 + dt.timedelta(minutes=5)).sent == 1


def test_transient_failure_retries_within_30_seconds_then_backs_off(
    app: Flask, fake: FakeChannel
) -> None:
    fake.script = [TransientError("SMTP unavailable")] * 3
    message = make_email(now=T0)
    assert worker.run_once(now=T0).retrying == 1
    message = reload(message)
    first_delay = (message.next_attempt_at - T0).total_seconds()
    assert message.status == OutboxStatus.PENDING
    assert 0 < first_delay <= 30
    assert message.last_error == "SMTP unavailable"

    # Not due before the retry time, whatever the clock says a moment earlier.
    early = message.next_attempt_at - dt.timedelta(seconds=1)
    assert worker.run_once(now=early).claimed == 0

    second_at = message.next_attempt_at
    assert worker.run_once(now=second_at).retrying == 1
    message = reload(message)
    second_delay = (message.next_attempt_at - second_at).total_seconds()
    assert 20 <= second_delay <= 40  # base 20 s doubled, jitter keeps at least half

    third_at = message.next_attempt_at
    worker.run_once(now=third_at)
    message = reload(message)
    assert 40 <= (message.next_attempt_at - third_at).total_seconds() <= 80

    fourth_at = message.next_attempt_at
    assert worker.run_once(now=fourth_at).sent == 1
    assert [a.outcome for a in attempts_of(reload(message))] == [AttemptOutcome.TRANSIENT] * 3 + [
        AttemptOutcome.SENT
    ]


def test_retry_after_from_the_receiver_is_respected(app: Flask, fake: FakeChannel) -> None:
    fake.script = [TransientError("HTTP 429", retry_after=600)]
    message = make_email(now=T0)
    worker.run_once(now=T0)
    assert reload(message).next_attempt_at == T0 + dt.timedelta(seconds=600)


def test_permanent_failure_is_dead_lettered_at_once(app: Flask, fake: FakeChannel) -> None:
    fake.script = [PermanentError("recipient refused")]
    message = make_email(now=T0)
    assert worker.run_once(now=T0).dead == 1
    message = reload(message)
    assert message.status == OutboxStatus.DEAD
    assert message.dead_at == T0
    assert message.last_error == "recipient refused"


def test_gives_up_after_max_age_then_admin_requeue_sends_it(app: Flask, fake: FakeChannel) -> None:
    app.config["ALERT_MAX_AGE_HOURS"] = 2
    fake.script = [TransientError("down")] * 100
    message = make_email(now=T0)
    now = T0
    for _ in range(100):
        worker.run_once(now=now)
        message = reload(message)
        if message.status != OutboxStatus.PENDING:
            break
        # Never scheduled past the deadline: the last retry is at the deadline exactly.
        assert message.next_attempt_at <= T0 + dt.timedelta(hours=2)
        now = message.next_attempt_at
    assert message.status == OutboxStatus.DEAD
    assert message.dead_at == T0 + dt.timedelta(hours=2)
    assert message.attempts > 3

    admin = make_user(Role.ADMIN)
    requeued_at = T0 + dt.timedelta(days=1)
    services.requeue(message, actor=admin, now=requeued_at)
    db.session.commit()
    fake.script = []
    assert worker.run_once(now=requeued_at).sent == 1
    assert reload(message).status == OutboxStatus.SENT


def test_requeue_rules(app: Flask) -> None:
    from forum.core.errors import Conflict, NotPermitted

    message = make_email(now=T0)
    with pytest.raises(NotPermitted):
        services.requeue(message, actor=make_user(Role.SENIOR))
    with pytest.raises(Conflict):
        services.requeue(message, actor=make_user(Role.ADMIN))


def test_unknown_channel_is_dead_lettered(app: Flask) -> None:
    message = make_email(now=T0)
    db.session.get(OutboxMessage, message.id).channel = "pigeon"  # type: ignore[union-attr,assignment]
    db.session.commit()
    assert worker.run_once(now=T0).dead == 1
    assert "pigeon" in (reload(message).last_error or "")


def test_crashing_channel_does_not_stop_the_batch(app: Flask, fake: FakeChannel) -> None:
    fake.script = [RuntimeError("bug")]
    first, second = make_email(now=T0), make_email(now=T0)
    stats = worker.run_once(now=T0)
    assert (stats.retrying, stats.sent) == (1, 1)
    assert reload(first).last_error == "unexpected RuntimeError"
    assert reload(second).status == OutboxStatus.SENT


def test_worker_killed_mid_batch_loses_nothing(app: Flask, fake: FakeChannel) -> None:
    app.config["ALERT_LEASE_SECONDS"] = 60
    messages = [make_email(now=T0) for _ in range(3)]
    # The process dies (as on SIGKILL or an unhandled interrupt) during the second delivery.
    fake.script = [None, KeyboardInterrupt()]
    with pytest.raises(KeyboardInterrupt):
        worker.run_once(now=T0, worker_id="doomed")
    db.session.rollback()

    first, second, third = (reload(m) for m in messages)
    assert first.status == OutboxStatus.SENT
    for message in (second, third):
        assert message.status == OutboxStatus.PENDING
        assert message.claimed_by == "doomed"
        assert message.claimed_until == T0 + dt.timedelta(seconds=60)

    # Another worker leaves the leased rows alone until the lease runs out...
    assert worker.run_once(now=T0 + dt.timedelta(seconds=59), worker_id="next").claimed == 0
    # ...then delivers them: nothing lost, the interrupted one sent again (at-least-once).
    stats = worker.run_once(now=T0 + dt.timedelta(seconds=60), worker_id="next")
    assert (stats.claimed, stats.sent) == (2, 2)
    assert all(reload(m).status == OutboxStatus.SENT for m in messages)
    assert sorted(fake.delivered) == sorted(m.id for m in messages)


def test_lease_is_renewed_while_a_long_batch_runs(app: Flask, fake: FakeChannel) -> None:
    app.config["ALERT_LEASE_SECONDS"] = 60
    messages = [make_email(now=T0) for _ in range(3)]
    clock_values = iter([T0] + [T0 + dt.timedelta(seconds=50 * i) for i in range(1, 20)])
    fake.script = [None, KeyboardInterrupt()]
    with pytest.raises(KeyboardInterrupt):
        worker.run_once(clock=lambda: next(clock_values), worker_id="slow")
    db.session.rollback()
    # The first message was recorded at T0+100s (started T0+50s): the rest were renewed then.
    assert reload(messages[2]).claimed_until == T0 + dt.timedelta(seconds=100 + 60)


def test_clean_stop_finishes_current_message_and_releases_the_rest(
    app: Flask, fake: FakeChannel
) -> None:
    messages = [make_email(now=T0) for _ in range(3)]
    loop = work.Runner(app, clock=lambda: T0)
    fake.on_deliver = lambda _delivery: loop.stop()  # SIGTERM arrives during the first send
    results = loop.iterate()
    assert results["alerts.deliver"] == 1
    assert "search.drain" not in results  # no job starts after the stop
    statuses = [reload(m) for m in messages]
    assert statuses[0].status == OutboxStatus.SENT
    assert all(m.claimed_until is None and m.status == OutboxStatus.PENDING for m in statuses[1:])
    # Released rows are due at once for the next worker.
    fake.on_deliver = None
    assert worker.run_once(now=T0).sent == 2


def test_worker_loop_runs_until_stopped(app: Flask, fake: FakeChannel) -> None:
    make_email(now=T0)
    loop = work.Runner(app, clock=lambda: T0, poll_seconds=0.05)
    loop.run(max_iterations=2)
    assert len(fake.delivered) == 1
    loop.stop()
    loop.run()  # returns at once when already stopped
    assert loop.stopping


def test_a_turn_delivers_batch_after_batch_while_they_come_back_full(
    app: Flask, fake: FakeChannel
) -> None:
    app.config["ALERT_BATCH_SIZE"] = 2
    for _ in range(5):
        make_email(now=T0)
    assert work.Runner(app, clock=lambda: T0).iterate()["alerts.deliver"] == 5
    assert len(fake.delivered) == 5


def test_worker_loop_survives_a_failing_batch(
    app: Flask, fake: FakeChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def broken(**_kwargs: Any) -> worker.RunStats:
        calls.append(1)
        raise RuntimeError("database went away")

    monkeypatch.setattr(worker, "run_once", broken)
    work.Runner(app, clock=lambda: T0, poll_seconds=0.01).run(max_iterations=2)
    assert len(calls) == 2


def test_poll_interval_is_at_most_a_second(app: Flask) -> None:
    app.config["ALERT_POLL_SECONDS"] = 30
    assert work.Runner(app).poll_seconds == 1.0


def test_inapp_channel_writes_notification_exactly_once(app: Flask) -> None:
    user = make_user()
    services.enqueue(
        Channel.INAPP,
        str(user.id),
        {"kind": "escalation", "title": "Crisis on Parks", "body": "Please look", "url": "/t/1"},
        "inapp:1",
        now=T0,
    )
    db.session.commit()
    assert worker.run_once(now=T0).sent == 1
    [notification] = db.session.scalars(select(Notification)).all()
    assert (notification.user_id, notification.title) == (user.id, "Crisis on Parks")
    assert worker.run_once(now=T0 + dt.timedelta(hours=1)).claimed == 0


def test_inapp_channel_for_unknown_user_is_dead(app: Flask) -> None:
    services.enqueue(Channel.INAPP, "99999", {"title": "x"}, "inapp:ghost", now=T0)
    db.session.commit()
    assert worker.run_once(now=T0).dead == 1


def test_concurrent_workers_never_deliver_a_message_twice(app: Flask, fake: FakeChannel) -> None:
    messages = [make_email(now=T0) for _ in range(24)]
    errors: list[BaseException] = []

    def drain(name: str) -> None:
        try:
            with app.app_context():
                while worker.run_once(now=T0, limit=4, worker_id=name).claimed:
                    pass
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=drain, args=(f"w{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(fake.delivered) == sorted(m.id for m in messages)
    assert all(reload(m).status == OutboxStatus.SENT for m in messages)
