"""`flask --app wsgi registry …`: review reminders and CSV import from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

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


@registry_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "email", required=True, help="Email of the member of staff importing.")
@click.option("--apply", "apply_", is_flag=True, help="Write the changes (default: dry run).")
def import_command(path: Path, email: str, apply_: bool) -> None:
    """Check (or with --apply, import) a CSV of profiles; prints every row with an error."""
    actor = account_services.user_by_email(email)
    if actor is None or not actor.is_active:
        raise click.ClickException(f"No active account for {email}.")
    text = path.read_text(encoding="utf-8-sig")
    try:
        if sys.stdout.isatty():
            with click.progressbar(length=max(1, text.count("\n")), label="Rows") as bar:
                report = services.import_csv(
                    actor, text, dry_run=not apply_, progress=lambda done, total: bar.update(1)
                )
        else:
            report = services.import_csv(actor, text, dry_run=not apply_)
    except ForumError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    for row in report.rows:
        if row.errors:
            details = "; ".join(f"{k}: {v}" for k, v in row.errors.items())
            click.echo(f"row {row.row}: {details}", err=True)
    if report.applied:
        db.session.commit()
    else:
        db.session.rollback()
    verb = "Imported" if report.applied else "Dry run" if not apply_ else "Not imported"
    click.echo(
        f"{verb}: {report.count('create')} new, {report.count('update')} updated, "
        f"{report.count('unchanged')} unchanged, {report.error_count} with errors."
    )
    if report.error_count:
        sys.exit(1)
