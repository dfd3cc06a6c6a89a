"""The delivery worker: claim due outbox rows, deliver, record the attempt, back off, dead-letter.

At-least-once: a row is claimed with a lease (claimed_by, claimed_until) and committed before
anything is sent; the outcome is committed after. A worker that dies in between leaves the
lease behind, so the row becomes due again when it runs out and is sent again (receivers can
tell by the stable Message-ID / webhook-id). Nothing is ever deleted on the way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import random
import secrets
import signal
import socket
import threading
from collections.abc import Callable
from types import FrameType

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


def default_worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


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


PeriodicJob = Callable[[dt.datetime], int]
# Jobs other capabilities ask the `alerts work` loop to run (the escalation ladder, say):
# name -> (job, seconds between runs). Each job commits its own work.
PERIODIC_JOBS: dict[str, tuple[PeriodicJob, float]] = {}


def register_periodic(name: str, job: PeriodicJob, *, every_seconds: float = 15.0) -> None:
    """Have the worker loop call `job(now)` about every `every_seconds` (replacing any job of
    the same name). The job returns how much it did (for the log) and commits its own work."""
    PERIODIC_JOBS[name] = (job, max(1.0, float(every_seconds)))


class Worker:
    """The `alerts work` loop: poll, deliver, send the daily digest; stop cleanly on a signal.

    `clock` and `wait` are injectable so the loop itself can be tested without sleeping.
    """

    def __init__(
        self,
        app: Flask,
        *,
        clock: Clock = utcnow,
        poll_seconds: float | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.app = app
        self.clock = clock
        self.poll_seconds = min(
            1.0,
            float(poll_seconds if poll_seconds is not None else app.config["ALERT_POLL_SECONDS"]),
        )
        self.worker_id = worker_id or default_worker_id()
        self._stop = threading.Event()
        self.last_digest_on: dt.date | None = None
        self._next_job_run: dict[str, dt.datetime] = {}

    def stop(self) -> None:
        """Ask the loop to finish the current message and return."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def install_signal_handlers(self) -> None:
        """SIGTERM and SIGINT ask for a clean stop; a second SIGINT interrupts at once."""

        def handle(signum: int, _frame: FrameType | None) -> None:
            if self._stop.is_set() and signum == signal.SIGINT:
                raise KeyboardInterrupt
            logger.info(
                "alerts worker %s: signal %s, stopping after the current message",
                self.worker_id,
                signum,
            )
            self.stop()

        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)

    def maybe_send_digests(self) -> int:
        """Once a day, at or after ALERT_DIGEST_HOUR (UTC), queue the daily digests."""
        from forum.alerts import digest

        now = self.clock()
        if (
            now.hour < int(self.app.config["ALERT_DIGEST_HOUR"])
            or self.last_digest_on == now.date()
        ):
            return 0
        with immediate_transactions():
            queued = digest.send_daily_digests(now=now)
            db.session.commit()
        self.last_digest_on = now.date()
        if queued:
            logger.info("alerts worker %s queued %s daily digests", self.worker_id, queued)
        return queued

    def run_periodic_jobs(self) -> int:
        """Run every registered periodic job whose interval has passed; a failing job is
        logged and tried again next interval, never stopping delivery."""
        ran = 0
        for name, (job, every) in list(PERIODIC_JOBS.items()):
            now = self.clock()
            due = self._next_job_run.get(name)
            if due is not None and now < due:
                continue
            self._next_job_run[name] = now + dt.timedelta(seconds=every)
            try:
                done = job(now)
            except Exception:
                db.session.rollback()
                logger.exception("alerts worker %s: periodic job %s failed", self.worker_id, name)
                continue
            ran += 1
            if done:
                logger.info("alerts worker %s: %s did %s", self.worker_id, name, done)
        return ran

    def iterate(self) -> RunStats:
        """One turn of the loop: periodic jobs and digests when due, then one batch."""
        self.run_periodic_jobs()
        self.maybe_send_digests()
        return run_once(clock=self.clock, worker_id=self.worker_id, should_stop=self._stop.is_set)

    def run(self, *, max_iterations: int | None = None) -> None:
        """Loop until stopped. A database outage is logged and waited out, never fatal."""
        logger.info(
            "alerts worker %s started (poll every %.1fs)", self.worker_id, self.poll_seconds
        )
        iterations = 0
        while not self._stop.is_set():
            iterations += 1
            busy = False
            try:
                stats = self.iterate()
                busy = stats.claimed >= int(self.app.config["ALERT_BATCH_SIZE"])
                if stats.claimed:
                    logger.info("alerts worker %s: %s", self.worker_id, stats)
            except Exception:
                db.session.rollback()
                logger.exception("alerts worker %s: batch failed; retrying shortly", self.worker_id)
            finally:
                db.session.remove()
            if max_iterations is not None and iterations >= max_iterations:
                break
            if not busy:
                self._stop.wait(self.poll_seconds)
        logger.info("alerts worker %s stopped", self.worker_id)
