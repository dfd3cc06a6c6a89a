"""`flask --app wsgi search rebuild | drain | status | work`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from forum.core.errors import Conflict
from forum.extensions import db
from forum.search import documents, indexer, indexing

search_cli = AppGroup("search", help="The search index of threads and posts.")


def _is_terminal() -> bool:
    return sys.stdout.isatty()


@search_cli.command("rebuild")
def rebuild_command() -> None:
    """Rebuild the whole index from the database (a progress bar on a terminal)."""
    with Session(db.engine) as session:
        threads = documents.count_threads(session)
    try:
        if _is_terminal():
            with click.progressbar(length=threads, label="Indexing threads") as bar:
                count = indexing.rebuild(on_thread=bar.update)
        else:
            count = indexing.rebuild()
    except Conflict as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Search index rebuilt: {count} documents from {threads} threads.")


@search_cli.command("drain")
def drain_command() -> None:
    """Apply the changes waiting in the search queue."""
    result = indexing.drain()
    left = indexing.pending_count()
    message = f"Applied {result.applied} queued changes; {left} waiting."
    if result.skipped:
        message += f" (Not finished: {result.skipped}.)"
    click.echo(message)
    if result.skipped:
        sys.exit(1)


@search_cli.command("status")
def status_command() -> None:
    """Say whether the index is ready and how many changes wait in the queue."""
    click.echo(f"Search index: {indexing.status()}; {indexing.pending_count()} changes queued.")


@search_cli.command("work")
@click.option("--once", is_flag=True, help="Apply what is queued now and exit.")
@click.option(
    "--poll",
    "poll_seconds",
    type=click.FloatRange(0.05, 1.0),
    default=indexer.DEFAULT_POLL_SECONDS,
    show_default=True,
    help="Seconds between looks at the queue when idle.",
)
def work_command(once: bool, poll_seconds: float) -> None:
    """The background indexer: apply queued index changes as they arrive, until SIGTERM or
    Ctrl-C (needed when SEARCH_INDEX_INLINE is off, as in production)."""
    indexer.run(once=once, poll_seconds=poll_seconds)
