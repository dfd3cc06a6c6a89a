"""`flask --app wsgi meetups remind`: queue due reminders and story prompts once (the worker
loop runs the same job every minute)."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from forum.core.db import immediate_transactions, utcnow
from forum.extensions import db
from forum.meetups import services

meetups_cli = AppGroup("meetups", help="Meet-up reminders and story prompts.")


def follow_up_job(now: dt.datetime | None = None) -> int:
    """One unit of work: queue the reminders of meet-ups starting within
    MEETUP_REMINDER_HOURS and the story prompts of those that ended, and commit. Returns how
    many people were told. Each meet-up is marked in the same transaction as its outbox rows,
    so it is done once; several workers are safe (the outbox's keys are unique)."""
    now = now or utcnow()
    with immediate_transactions():
        done = services.send_reminders(
            now=now, hours=float(current_app.config["MEETUP_REMINDER_HOURS"])
        )
        done += services.prompt_stories(now=now)
        db.session.commit()
    return done


@meetups_cli.command("remind")
def remind_command() -> None:
    """Queue due meet-up reminders and story prompts."""
    done = follow_up_job()
    click.echo(f"Meet-ups: {done} reminders and story prompts queued.")
