"""`flask --app wsgi registry …`: review reminders and CSV import from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from forum.accounts import services as account_services
from forum.core.errors import ForumError
from forum.extensions import db
from forum.registry import services

registry_cli = AppGroup("registry", help="The social profile registry.")


@registry_cli.command("remind")
def remind_command() -> None:
    """Notify owners whose profiles are due for review (once per due period)."""
    sent = services.send_review_reminders()
    db.session.commit()
    click.echo(f"Review reminders: {sent} sent.")


class _ProgressBars:
    """One click progress bar per phase of an import ("Checking", then "Importing")."""

    LABELS = {"check": "Checking ", "write": "Importing"}

    def __init__(self) -> None:
        self.phase = ""
        self.bar: Any = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.close()
            self.phase = phase
            self.bar = click.progressbar(length=total, label=self.LABELS.get(phase, phase))
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@registry_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "email", required=True, help="Email of the member of staff importing.")
@click.option("--apply", "apply_", is_flag=True, help="Write the changes (default: dry run).")
def import_command(path: Path, email: str, apply_: bool) -> None:
    """Check (or with --apply, import in batches) a CSV of profiles; prints every row with an
    error. A dry run writes nothing; --apply writes only when every row is good."""
    actor = account_services.user_by_email(email)
    if actor is None or not actor.is_active:
        raise click.ClickException(f"No active account for {email}.")
    bars = _ProgressBars() if sys.stdout.isatty() else None
    try:
        text = services.read_csv_upload(path.read_bytes())
        if apply_:
            report = services.apply_import(actor, text, commit=db.session.commit, progress=bars)
        else:
            report = services.check_import(actor, text, progress=bars)
    except ForumError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    finally:
        if bars is not None:
            bars.close()
    db.session.rollback()  # the last transaction only read; apply committed its batches
    for row in report.rows:
        if row.errors:
            details = "; ".join(f"{k}: {v}" for k, v in row.errors.items())
            click.echo(f"row {row.row}: {details}", err=True)
    verb = "Imported" if report.applied else "Dry run" if not apply_ else "Not imported"
    click.echo(
        f"{verb}: {report.count('create')} new, {report.count('update')} updated, "
        f"{report.count('unchanged')} unchanged, {report.error_count} with errors."
    )
    if report.error_count:
        sys.exit(1)
