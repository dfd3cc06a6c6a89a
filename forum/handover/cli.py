"""`flask --app wsgi handover …`: list the open hand-overs."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from forum.handover import services

handover_cli = AppGroup("handover", help="Hand-overs of people who left or moved.")


@handover_cli.command("list")
def list_command() -> None:
    """One line per open hand-over: id, person, why, and how many items are still held."""
    handovers = services.list_open()
    for handover in handovers:
        held = len(services.held_items(handover))
        click.echo(f"{handover.id}\t{handover.user.email}\t{handover.reason}\t{held} still held")
    if not handovers:
        click.echo("No hand-over is open.")
