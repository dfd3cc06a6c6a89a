"""`flask --app wsgi alerts …`: the worker (an alias of `work`), digests, status."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from forum.alerts import services
from forum.alerts.services import digest
from forum.core import work
from forum.core.db import immediate_transactions
from forum.extensions import db

alerts_cli = AppGroup("alerts", help="Deliver queued alerts (email, webhooks, in-app).")


@alerts_cli.command("work")
@click.option(
    "--poll",
    "poll_seconds",
    type=click.FloatRange(0.05, 1.0),
    default=None,
    help="Seconds between polls when idle (at most 1; default ALERT_POLL_SECONDS).",
)
def work_command(poll_seconds: float | None) -> None:
    """Same as `flask --app wsgi work`: all periodic work (alerts, ladders, digests, search
    index) until SIGTERM or Ctrl-C."""
    work.run_command(once=False, poll_seconds=poll_seconds)


@alerts_cli.command("run-once")
@click.option(
    "--limit",
    type=click.IntRange(1, 10_000),
    default=None,
    help="Messages per delivery batch (default ALERT_BATCH_SIZE).",
)
def run_once_command(limit: int | None) -> None:
    """Same as `flask --app wsgi work --once`: every periodic job once, then exit (for cron)."""
    work.run_command(once=True, poll_seconds=None, batch_size=limit)


@alerts_cli.command("digest")
def digest_command() -> None:
    """Queue today's daily digests now (`work` does this by itself after ALERT_DIGEST_HOUR)."""
    with immediate_transactions():
        queued = digest.send_daily_digests()
        db.session.commit()
    click.echo(f"Queued {queued} daily digest{'' if queued == 1 else 's'}.")


@alerts_cli.command("status")
def status_command() -> None:
    """How many messages are pending, sent and dead."""
    counts = services.outbox_counts()
    click.echo(", ".join(f"{status} {count}" for status, count in counts.items()))
