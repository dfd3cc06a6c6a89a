"""`flask --app wsgi seed-demo`: a believable organization to explore, loaded idempotently."""

from __future__ import annotations

import click
from flask import Flask

from forum.accounts.demo import DEMO_PASSWORD
from forum.demo.seed import seed_all
from forum.extensions import db


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo_command(if_empty: bool) -> None:
    """Load demo departments, staff and content; running it again adds nothing twice."""
    summary = seed_all(only_if_empty=if_empty)
    db.session.commit()
    click.echo(summary)
    click.echo(
        f"Sign in at /login as admin@example.org (or any demo account) "
        f"with password: {DEMO_PASSWORD}"
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
