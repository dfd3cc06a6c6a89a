"""`flask --app wsgi uploads …`: uploads housekeeping, and the periodic cleanup job."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup

from forum.core.work import Tick
from forum.extensions import db
from forum.uploads import services

uploads_cli = AppGroup("uploads", help="Uploads housekeeping.")


def cleanup(now: dt.datetime | None = None) -> int:
    """Delete the uploads no post used in time, in batches: rows committed, then their files."""
    total = 0
    while True:
        count, keys = services.delete_orphans(now=now)
        db.session.commit()
        services.remove_stored(keys)
        total += count
        if count == 0:
            return total


def cleanup_job(tick: Tick) -> int:
    """The `flask --app wsgi work` job: remove unused uploads past UPLOAD_ORPHAN_HOURS."""
    return cleanup(tick.now)


@uploads_cli.command("cleanup")
def cleanup_command() -> None:
    """Delete uploads that no post has used for UPLOAD_ORPHAN_HOURS, with their files."""
    click.echo(f"Deleted {cleanup()} unused uploads.")
