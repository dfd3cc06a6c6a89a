"""`flask --app wsgi users …` and `seed-demo`."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from forum.accounts import services
from forum.accounts.models import Role, User
from forum.extensions import db
from tests.factories import make_department


def test_users_create_with_password_on_stdin(runner: FlaskCliRunner) -> None:
    make_department(slug="parks")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Lead@Example.org",
            "--name",
            "Lead",
            "--role",
            "senior",
            "--department",
            "parks",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = services.user_by_email("lead@example.org")
    assert user is not None and user.role == Role.SENIOR and user.department.slug == "parks"  # type: ignore[union-attr]


def test_users_create_prompts_for_password(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["users", "create", "p@example.org", "--name", "P"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert services.user_by_email("p@example.org") is not None


def test_users_create_existing_email_is_a_clear_error(runner: FlaskCliRunner) -> None:
    args = ["users", "create", "dup@example.org", "--name", "D", "--password-stdin"]
    assert runner.invoke(args=args, input="a long enough password\n").exit_code == 0
    result = runner.invoke(args=args, input="a long enough password\n")
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_users_create_rejects_bad_role_and_department(runner: FlaskCliRunner) -> None:
    bad_role = runner.invoke(
        args=[
            "users",
            "create",
            "r@example.org",
            "--name",
            "R",
            "--role",
            "king",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert bad_role.exit_code != 0
    bad_dept = runner.invoke(
        args=[
            "users",
            "create",
            "r@example.org",
            "--name",
            "R",
            "--department",
            "nowhere",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert bad_dept.exit_code != 0 and "No department" in bad_dept.output


def test_users_token_prints_the_token_alone_on_the_last_line(
    runner: FlaskCliRunner, app: Flask
) -> None:
    runner.invoke(
        args=["users", "create", "t@example.org", "--name", "T", "--password-stdin"],
        input="a long enough password\n",
    )
    result = runner.invoke(args=["users", "token", "t@example.org"])
    assert result.exit_code == 0
    secret = result.output.strip().splitlines()[-1]
    assert " " not in secret
    user = services.user_by_email("t@example.org")
    assert services.user_for_api_token(secret) == user
    db.session.commit()  # the lookup recorded the token's use, as an API request commits it
    assert runner.invoke(args=["users", "token", "nobody@example.org"]).exit_code != 0


def test_seed_demo_is_idempotent(runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "admin@example.org" in first.output
    users = db.session.scalar(select(func.count()).select_from(User))
    roles = set(db.session.scalars(select(User.role)))
    assert users is not None and users >= 15
    assert roles == {r.value for r in Role}
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    assert len(services.list_departments()) >= 5
