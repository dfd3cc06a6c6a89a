"""The hand-over demo (one open hand-over, seeded once) and `flask --app wsgi handover list`."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from forum.accounts import services as account_services
from forum.accounts.demo import demo_email
from forum.accounts.demo import seed as seed_accounts
from forum.extensions import db
from forum.handover import demo
from forum.handover.models import Handover
from forum.registry.demo import seed as seed_registry


def test_demo_opens_one_handover_of_someone_who_owned_profiles_once(
    app: Flask, runner: FlaskCliRunner
) -> None:
    seed_accounts()
    seed_registry()
    db.session.commit()

    summary = demo.seed()
    again = demo.seed()
    db.session.commit()

    felix = account_services.user_by_email(demo_email("felix.brown"))
    assert felix is not None and not felix.is_active
    assert summary.startswith("1 open hand-over") and "0 items" not in summary
    assert again == "no hand-over"
    assert db.session.scalar(select(func.count(Handover.id))) == 1
    listed = runner.invoke(args=["handover", "list"])
    assert listed.exit_code == 0
    assert "felix.brown@example.org\tdeactivated\t" in listed.output
    assert "still held" in listed.output


def test_the_list_says_when_nothing_is_open(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["handover", "list"])

    assert result.exit_code == 0 and "No hand-over is open." in result.output
