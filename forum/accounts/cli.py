"""`flask --app wsgi users …`: create accounts and API tokens from the command line."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from forum.accounts import services
from forum.accounts.models import Role
from forum.core.errors import ForumError
from forum.extensions import db

users_cli = AppGroup("users", help="Manage staff accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.MEMBER.value,
    show_default=True,
)
@click.option("--department", "department_slug", default=None, help="Department slug.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(
    email: str, display_name: str, role: str, department_slug: str | None, password_stdin: bool
) -> None:
    """Create an account with a password."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    department = None
    if department_slug:
        department = services.department_by_slug(department_slug)
        if department is None:
            raise click.ClickException(f"No department with slug {department_slug!r}.")
    try:
        user = services.create_user(
            email,
            display_name=display_name,
            role=role,
            department=department,
            password=password,
            min_password_length=current_app.config["PASSWORD_MIN_LENGTH"],
        )
    except ForumError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message} {details}".strip()) from exc
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role}).")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="CLI token", show_default=True)
def token_command(email: str, name: str) -> None:
    """Create an API token; the token is printed alone on the last line."""
    user = services.user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    if not user.is_active:
        raise click.ClickException(f"{email} is deactivated.")
    _token, secret = services.create_api_token(user, name)
    db.session.commit()
    click.echo(f"API token for {user.email} (shown once):")
    click.echo(secret)
