"""Alert delivery: claim due outbox rows, deliver, record the attempt, back off, dead-letter.

`deliver_job` and `digest_job` are this capability's jobs for `flask --app wsgi work`
(forum.core.work), which runs them with the other capabilities' periodic work.

At-least-once: a row is claimed with a lease (claimed_by, claimed_until) and committed before
anything is sent; the outcome is committed after. A worker that dies in between leaves the
lease behind, so the row becomes due again when it runs out and is sent again (receivers can
tell by the stable Message-ID / webhook-id). Nothing is ever deleted on the way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import random
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import or_, select, update

from forum.alerts.channels import (
    Delivery,
    DeliveryError,
    PermanentError,
    TransientError,
    get_channel,
)
from forum.alerts.models import AttemptOutcome, DeliveryAttempt, OutboxMessage, OutboxStatus
from forum.core.db import immediate_transactions, utcnow
from forum.core.work import Tick, default_worker_id
from forum.extensions import db

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
_jitter = random.SystemRandom()


@dataclasses.dataclass
class RunStats:
    """What one `run_once` did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    released: int = 0

    def __str__(self) -> str:
        return (
            f"claimed {self.claimed}, sent {self.sent}, retrying {self.retrying}, "
            f"dead {self.dead}, released {self.released}"
        )


def backoff_delay(
    attempts: int, *, base: float, cap: float, rng: Callable[[], float] = _jitter.random
) -> float:
    """Seconds to wait after the `attempts`-th failure: base·2^(n-1), capped, with jitter
    taking it down to between half and all of that (so the first retry comes within `base`)."""
    exponent = min(max(attempts, 1) - 1, 30)
    ceiling = min(cap, base * (2**exponent))
    return ceiling * (0.5 + 0.5 * rng())


def _settings(app: Flask) -> dict[str, float]:
    config = app.config
    return {
        "max_age": float(config["ALERT_MAX_AGE_HOURS"]) * 3600,
        "base": float(config["ALERT_RETRY_BASE_SECONDS"]),
        "cap": float(config["ALERT_RETRY_MAX_SECONDS"]),
        "lease": float(config["ALERT_LEASE_SECONDS"]),
        "batch": int(config["ALERT_BATCH_SIZE"]),
    }


def claim_due(
    *, now: dt.datetime, limit: int, worker_id: str, lease_seconds: float
) -> list[Delivery]:
    """Lease up to `limit` due rows to this worker and return copies of them.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent workers take different rows. SQLite:
    the transaction starts with BEGIN IMMEDIATE (forum.core.db), so claims are serialised.
    Commits; channels' `prepare` runs inside the same transaction.
    """
    due = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    rows = list(db.session.scalars(due))
    deliveries = []
    lease_until = now + dt.timedelta(seconds=lease_seconds)
    for row in rows:
        row.claimed_by = worker_id
        row.claimed_until = lease_until
        delivery = Delivery(
            message_id=row.id,
            channel=str(row.channel),
            recipient=row.recipient,
            payload=dict(row.payload or {}),
            dedupe_key=row.dedupe_key,
            attempt=row.attempts + 1,
            created_at=row.created_at,
            webhook_endpoint_id=row.webhook_endpoint_id,
            claimed_at=now,
        )
        try:
            get_channel(delivery.channel).prepare(delivery)
        except DeliveryError as exc:
            delivery.context = {"prepare_error": exc}
        deliveries.append(delivery)
    db.session.commit()
    return deliveries


def _deliver(app: Flask, delivery: Delivery) -> None:
    problem = delivery.context.get("prepare_error")
    if isinstance(problem, DeliveryError):
        raise problem
    get_channel(delivery.channel).deliver(app, delivery)


def _record(
    delivery: Delivery,
    *,
    worker_id: str,
    started: dt.datetime,
    now: dt.datetime,
    error: DeliveryError | None,
    settings: dict[str, float],
    stats: RunStats,
    remaining: list[int],
) -> None:
    """Write the outcome and the attempt, renew the lease on the rest of the batch; no commit."""
    message = db.session.get(OutboxMessage, delivery.message_id)
    if message is None:
        return
    if error is None:
        outcome = AttemptOutcome.SENT
    elif isinstance(error, PermanentError):
        outcome = AttemptOutcome.PERMANENT
    else:
        outcome = AttemptOutcome.TRANSIENT
    message.attempts = (message.attempts or 0) + 1
    db.session.add(
        DeliveryAttempt(
            message_id=message.id,
            number=message.attempts,
            started_at=started,
            finished_at=now,
            outcome=outcome,
            error=str(error)[:1000] if error else None,
            worker=worker_id[:100],
        )
    )
    if message.claimed_by == worker_id:
        message.claimed_by = None
        message.claimed_until = None
    if message.status != OutboxStatus.PENDING:
        pass  # another worker finished it after our lease ran out; keep its result
    elif error is None:
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.last_error = None
        stats.sent += 1
    else:
        message.last_error = str(error)[:1000]
        deadline = message.age_origin + dt.timedelta(seconds=settings["max_age"])
        if outcome == AttemptOutcome.PERMANENT or now >= deadline:
            message.status = OutboxStatus.DEAD
            message.dead_at = now
            stats.dead += 1
            logger.warning(
                "outbox message %s (%s) dead-lettered after %s attempts: %s",
                message.id,
                message.channel,
                message.attempts,
                message.last_error,
            )
        else:
            delay = backoff_delay(message.attempts, base=settings["base"], cap=settings["cap"])
            retry_after = getattr(error, "retry_after", None)
            if isinstance(error, TransientError) and retry_after is not None:
                delay = max(delay, min(retry_after, settings["cap"]))
            message.next_attempt_at = min(now + dt.timedelta(seconds=delay), deadline)
            stats.retrying += 1
            logger.info(
                "outbox message %s (%s) failed attempt %s, retrying at %s: %s",
                message.id,
                message.channel,
                message.attempts,
                message.next_attempt_at.isoformat(),
                message.last_error,
            )
    if remaining:
        # Renewing the lease after each message keeps a slow batch from being taken over.
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(remaining), OutboxMessage.claimed_by == worker_id)
            .values(claimed_until=now + dt.timedelta(seconds=settings["lease"]))
            .execution_options(synchronize_session=False)
        )


def release(message_ids: list[int], *, worker_id: str) -> int:
    """Give back claimed rows not yet tried (a clean stop), so they are due at once. Commits."""
    if not message_ids:
        return 0
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(message_ids),
            OutboxMessage.claimed_by == worker_id,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def run_once(
    now: dt.datetime | None = None,
    limit: int | None = None,
    *,
    clock: Clock | None = None,
    worker_id: str | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> RunStats:
    """Claim one batch of due messages and deliver them, committing after each one.

    `now` pins every timestamp (tests); otherwise `clock` (default: the real UTC clock) is read
    before each step. `should_stop` is asked between messages: when it says yes, the rest of
    the batch is released for the next run. Needs an app context.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = _settings(app)

    def tick() -> dt.datetime:
        return now if now is not None else (clock or utcnow)()

    worker_id = worker_id or default_worker_id()
    stats = RunStats()
    # SQLite: every transaction here reads then writes, so it takes the write lock up front.
    with immediate_transactions():
        db.session.commit()  # end any read the caller left open, so the claim begins afresh
        deliveries = claim_due(
            now=tick(),
            limit=limit or int(settings["batch"]),
            worker_id=worker_id,
            lease_seconds=settings["lease"],
        )
        stats.claimed = len(deliveries)
        for index, delivery in enumerate(deliveries):
            if should_stop is not None and should_stop():
                stats.released = release(
                    [d.message_id for d in deliveries[index:]], worker_id=worker_id
                )
                break
            started = tick()
            error: DeliveryError | None = None
            writes = _writes_database(delivery)
            try:
                _deliver(app, delivery)
            except DeliveryError as exc:
                error = exc
            except Exception as exc:  # a bug in a channel must not stop the other deliveries
                logger.exception(
                    "channel %s crashed on outbox message %s", delivery.channel, delivery.message_id
                )
                error = TransientError(f"unexpected {type(exc).__name__}")
            if error is not None and writes:
                db.session.rollback()
            _record(
                delivery,
                worker_id=worker_id,
                started=started,
                now=tick(),
                error=error,
                settings=settings,
                stats=stats,
                remaining=[d.message_id for d in deliveries[index + 1 :]],
            )
            db.session.commit()
    return stats


def _writes_database(delivery: Delivery) -> bool:
    try:
        return get_channel(delivery.channel).writes_database
    except DeliveryError:
        return False


# A turn of `work` delivers at most this many batches, so other jobs keep their rhythm.
MAX_BATCHES_PER_TURN = 10


def deliver_job(tick: Tick) -> int:
    """The `alerts.deliver` job of `flask --app wsgi work`: deliver due messages, batch after
    batch while batches come back full (at most MAX_BATCHES_PER_TURN), stopping between
    messages when asked to. Returns how many messages were tried."""
    size = tick.batch_size or int(current_app.config["ALERT_BATCH_SIZE"])
    tried = 0
    for _ in range(MAX_BATCHES_PER_TURN):
        stats = run_once(
            limit=size, clock=tick.clock, worker_id=tick.worker_id, should_stop=tick.should_stop
        )
        tried += stats.claimed - stats.released
        if stats.claimed:
            logger.info("worker %s: %s", tick.worker_id, stats)
        if stats.claimed < size or tick.should_stop():
            break
    return tried


def digest_job(tick: Tick) -> int:
    """The `alerts.digest` job: queue the daily digest of everyone for whom it is now
    ALERT_DIGEST_HOUR or later in their own time zone. There is at most one digest per person
    per day, so running it again is harmless."""
    from forum.alerts.services import digest

    hour = int(current_app.config["ALERT_DIGEST_HOUR"])
    with immediate_transactions():
        queued = digest.send_daily_digests(now=tick.now, hour=hour)
        db.session.commit()
    return queued
