"""`flask --app wsgi insights …`: print the dashboard's numbers, or one series as CSV."""

from __future__ import annotations

import datetime as dt
import json

import click
from flask.cli import AppGroup

from forum.accounts import services as account_services
from forum.core.db import utcnow
from forum.insights import report
from forum.insights.metrics import Period

insights_cli = AppGroup("insights", help="Community health numbers.")


@insights_cli.command("report")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--department", default=None, help="Department slug.")
@click.option(
    "--series",
    type=click.Choice(report.SERIES_NAMES),
    default=None,
    help="Print this series as CSV instead of the JSON report.",
)
def report_command(
    start: dt.datetime | None, end: dt.datetime | None, department: str | None, series: str | None
) -> None:
    """Print the numbers the dashboard shows (JSON), or one series as CSV."""
    now = utcnow()
    period = Period.parse(
        start.date() if start else None, end.date() if end else None, today=now.date()
    )
    scope = None
    if department:
        scope = account_services.department_by_slug(department)
        if scope is None:
            raise click.BadParameter(f"no department {department!r}", param_hint="--department")
    data = report.build_report(period, scope, now=now)
    if series:
        header, rows = report.series(data, series)
        click.echo(report.to_csv(header, rows), nl=False)
    else:
        click.echo(json.dumps(report.as_json(data), default=str, indent=2))
