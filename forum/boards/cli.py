"""`flask --app wsgi boards …`: boards housekeeping from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from forum.boards import services
from forum.boards.models import Post, PostRevision
from forum.core.db import immediate_transactions
from forum.extensions import db

boards_cli = AppGroup("boards", help="Boards housekeeping.")


@boards_cli.command("rerender")
@click.option("--dry-run", is_flag=True, help="Count what would change; write nothing.")
@click.option(
    "--batch", type=click.IntRange(1, 5000), default=200, show_default=True, help="Rows per commit."
)
def rerender_command(dry_run: bool, batch: int) -> None:
    """Render every post (and earlier version) again with today's Markdown rules and
    IMAGE_HOSTS: run after upgrading, or after changing IMAGE_HOSTS."""
    posts, revisions = services.count_rendered()
    totals: dict[str, tuple[int, int]] = {}
    bar = (
        click.progressbar(length=posts + revisions, label="Rendering")
        if sys.stdout.isatty()
        else None
    )
    for label, model in (("posts", Post), ("earlier versions", PostRevision)):
        after, seen, changed = 0, 0, 0
        while True:
            with immediate_transactions():
                result = services.rerender_batch(
                    model, after_id=after, limit=batch, dry_run=dry_run
                )
                db.session.commit()
            if result.last_id is None:
                break
            after, seen, changed = result.last_id, seen + result.seen, changed + result.changed
            if bar is not None:
                bar.update(result.seen)
        totals[label] = (changed, seen)
    if bar is not None:
        bar.render_finish()
    verb = "would change" if dry_run else "changed"
    click.echo(
        "Re-rendered: "
        + "; ".join(f"{label} {verb} {c} of {s}" for label, (c, s) in totals.items())
        + "."
    )
