"""`flask --app wsgi escalations …`: run the ladder once (cron, or the alerts worker loop)."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup

from forum.core.db import immediate_transactions, utcnow
from forum.escalations import services
from forum.extensions import db

escalations_cli = AppGroup("escalations", help="Escalation ladder and housekeeping.")


def tick_job(now: dt.datetime | None = None) -> int:
    """One unit of work: alert the next level of every escalation that timed out, commit.
    Returns how many climbed. Safe to run from several processes: each escalation's climb is
    committed with its outbox rows, and SQLite writers queue on the write lock."""
    with immediate_transactions():
        climbed = services.advance_ladder(now or utcnow())
        db.session.commit()
    return climbed


@escalations_cli.command("tick")
def tick_command() -> None:
    """Alert the next level of unacknowledged escalations whose timeout has passed."""
    climbed = tick_job()
    click.echo(f"Escalations: {climbed} climbed the ladder.")
