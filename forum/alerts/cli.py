"""`flask --app wsgi alerts …`: the delivery worker, one batch for cron, digests, status."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from forum.alerts import digest, services, worker
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
    """Deliver alerts until SIGTERM or Ctrl-C (finishing the current message)."""
    loop = worker.Worker(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        poll_seconds=poll_seconds,
    )
    loop.install_signal_handlers()
    click.echo(f"Alerts worker {loop.worker_id} running; stop with SIGTERM or Ctrl-C.")
    loop.run()
    click.echo("Alerts worker stopped.")


@alerts_cli.command("run-once")
@click.option(
    "--limit",
    type=click.IntRange(1, 10_000),
    default=None,
    help="Most messages to take (default ALERT_BATCH_SIZE).",
)
def run_once_command(limit: int | None) -> None:
    """Deliver one batch of due alerts and exit (for cron)."""
    stats = worker.run_once(limit=limit)
    click.echo(f"Alerts: {stats}.")


@alerts_cli.command("digest")
def digest_command() -> None:
    """Queue today's daily digests now (the worker loop does this once a day by itself)."""
    with immediate_transactions():
        queued = digest.send_daily_digests()
        db.session.commit()
    click.echo(f"Queued {queued} daily digest{'' if queued == 1 else 's'}.")


@alerts_cli.command("status")
def status_command() -> None:
    """How many messages are pending, sent and dead."""
    counts = services.outbox_counts()
    click.echo(", ".join(f"{status} {count}" for status, count in counts.items()))
