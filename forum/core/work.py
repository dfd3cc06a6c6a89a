"""Periodic work: the jobs capabilities register, and `flask --app wsgi work` that runs them.

One command does everything that happens in the background: climb escalation ladders, queue
daily digests, deliver alerts, apply queued search-index changes. Each capability registers its
job in its `init_app` with `register_job(app, name, run, every_seconds=…, order=…)`; `run(tick)`
does one unit of work, commits it, and returns how much it did.

- `flask --app wsgi work` loops until SIGTERM or Ctrl-C, running each job when its interval
  has passed (0: every turn), polling at least every second. Stopping lets the current job
  finish (delivery stops between messages and gives the rest of its batch back).
- `flask --app wsgi work --once` runs every job once, in order, and exits: for cron. It exits 1
  if a job failed (after running the others).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import secrets
import signal
import socket
import threading
from collections.abc import Callable
from types import FrameType

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from forum.core.db import utcnow
from forum.extensions import db

logger = logging.getLogger(__name__)

EXTENSION_KEY = "forum.periodic_jobs"
Clock = Callable[[], dt.datetime]


@dataclasses.dataclass(frozen=True)
class Tick:
    """What a job is given: the clock reading it runs at, the clock itself (for long jobs),
    whether a stop was asked for, who is running it, and a batch size the operator chose."""

    now: dt.datetime
    clock: Clock
    should_stop: Callable[[], bool]
    worker_id: str
    batch_size: int | None = None


JobFn = Callable[[Tick], int]


@dataclasses.dataclass(frozen=True)
class Job:
    """A registered job: run every `every_seconds` (0: every turn), lower `order` first."""

    name: str
    run: JobFn
    every_seconds: float
    order: int


def register_job(
    app: Flask, name: str, run: JobFn, *, every_seconds: float = 15.0, order: int = 50
) -> None:
    """Have `flask --app wsgi work` run `run(tick)` about every `every_seconds` (replacing a
    job of the same name). The job commits its own work; an exception is logged and the job
    is tried again at its next interval, never stopping the others."""
    jobs: dict[str, Job] = app.extensions.setdefault(EXTENSION_KEY, {})
    jobs[name] = Job(name, run, max(0.0, float(every_seconds)), order)


def registered_jobs(app: Flask) -> list[Job]:
    """The app's jobs in the order they run."""
    jobs: dict[str, Job] = app.extensions.get(EXTENSION_KEY, {})
    return sorted(jobs.values(), key=lambda job: (job.order, job.name))


def default_worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


class Runner:
    """Runs the registered jobs, once or in a loop; stops cleanly on a signal.

    `clock` is injectable so the loop and the jobs can be tested without waiting.
    """

    def __init__(
        self,
        app: Flask,
        *,
        clock: Clock = utcnow,
        poll_seconds: float | None = None,
        worker_id: str | None = None,
        batch_size: int | None = None,
        jobs: list[Job] | None = None,
    ) -> None:
        self.app = app
        # A runner given its own jobs runs only those (a dedicated loop such as the search
        # indexer); otherwise it runs every registered job.
        self._jobs = jobs
        self.clock = clock
        configured = poll_seconds if poll_seconds is not None else app.config["ALERT_POLL_SECONDS"]
        self.poll_seconds = min(1.0, float(configured))
        self.worker_id = worker_id or default_worker_id()
        self.batch_size = batch_size
        self.failed: list[str] = []
        self._stop = threading.Event()
        self._next_run: dict[str, dt.datetime] = {}

    def jobs(self) -> list[Job]:
        if self._jobs is not None:
            return sorted(self._jobs, key=lambda job: (job.order, job.name))
        return registered_jobs(self.app)

    def stop(self) -> None:
        """Ask the runner to finish the current job (or message) and return."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def install_signal_handlers(self) -> Callable[[], None]:
        """SIGTERM and SIGINT ask for a clean stop; a second SIGINT interrupts at once.
        Returns a function that puts the previous handlers back."""

        def handle(signum: int, _frame: FrameType | None) -> None:
            if self._stop.is_set() and signum == signal.SIGINT:
                raise KeyboardInterrupt
            logger.info(
                "worker %s: signal %s, stopping after the current job", self.worker_id, signum
            )
            self.stop()

        previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}

        def restore() -> None:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

        return restore

    def run_job(self, job: Job) -> int | None:
        """Run one job now; None when it failed (logged, session rolled back)."""
        tick = Tick(self.clock(), self.clock, self._stop.is_set, self.worker_id, self.batch_size)
        try:
            done = job.run(tick)
        except Exception:
            db.session.rollback()
            logger.exception("worker %s: job %s failed", self.worker_id, job.name)
            self.failed.append(job.name)
            return None
        if done:
            logger.info("worker %s: %s did %s", self.worker_id, job.name, done)
        return done

    def iterate(self) -> dict[str, int | None]:
        """One turn of the loop: every job whose interval has passed, in order."""
        results: dict[str, int | None] = {}
        for job in self.jobs():
            if self._stop.is_set():
                break
            now = self.clock()
            due = self._next_run.get(job.name)
            if due is not None and now < due:
                continue
            self._next_run[job.name] = now + dt.timedelta(seconds=job.every_seconds)
            results[job.name] = self.run_job(job)
        return results

    def run_all_once(self) -> dict[str, int | None]:
        """Every job once, in order, whatever its interval (for cron)."""
        results: dict[str, int | None] = {}
        for job in self.jobs():
            if self._stop.is_set():
                break
            results[job.name] = self.run_job(job)
        return results

    def run(self, *, max_iterations: int | None = None) -> None:
        """Loop until stopped. Sleeps between turns only when no job did anything; a database
        outage fails the jobs of that turn, is logged, and is waited out."""
        logger.info("worker %s started (poll every %.1fs)", self.worker_id, self.poll_seconds)
        iterations = 0
        while not self._stop.is_set():
            iterations += 1
            try:
                busy = any(self.iterate().values())
            finally:
                db.session.remove()
            if max_iterations is not None and iterations >= max_iterations:
                break
            if not busy:
                self._stop.wait(self.poll_seconds)
        logger.info("worker %s stopped", self.worker_id)


def summary(results: dict[str, int | None]) -> str:
    """`escalations.ladder 1, alerts.deliver 3, search.drain failed`."""
    return ", ".join(
        f"{name} {'failed' if done is None else done}" for name, done in results.items()
    )


def run_command(*, once: bool, poll_seconds: float | None, batch_size: int | None = None) -> None:
    """What `work` (and the `alerts work` / `alerts run-once` aliases) do."""
    runner = Runner(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        poll_seconds=poll_seconds,
        batch_size=batch_size,
    )
    restore = runner.install_signal_handlers()
    try:
        if once:
            results = runner.run_all_once()
            click.echo(f"Work done: {summary(results) or 'no jobs registered'}.")
        else:
            names = ", ".join(job.name for job in runner.jobs())
            click.echo(f"Worker {runner.worker_id} running {names}; stop with SIGTERM or Ctrl-C.")
            runner.run()
            click.echo("Worker stopped.")
    finally:
        restore()
    if runner.failed and once:
        raise SystemExit(1)


@click.command("work")
@click.option("--once", is_flag=True, help="Run every job once and exit (for cron).")
@click.option(
    "--poll",
    "poll_seconds",
    type=click.FloatRange(0.05, 1.0),
    default=None,
    help="Seconds between turns when idle (at most 1; default ALERT_POLL_SECONDS).",
)
@with_appcontext
def work_command(once: bool, poll_seconds: float | None) -> None:
    """Do the background work: climb escalation ladders, queue digests, deliver alerts,
    apply queued search-index changes. Loops until SIGTERM or Ctrl-C, or --once for cron."""
    run_command(once=once, poll_seconds=poll_seconds)
