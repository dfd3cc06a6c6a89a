"""`flask registry remind` and `flask registry import`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from forum.accounts.models import Role
from forum.alerts.models import Notification
from forum.extensions import db
from forum.registry.models import SocialProfile
from tests.factories import make_department, make_user
from tests.registry.factories import make_profile


def test_remind_notifies_owners_of_overdue_reviews_once(app: Flask, runner: FlaskCliRunner) -> None:
    profile = make_profile()
    profile.last_reviewed_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    db.session.commit()
    result = runner.invoke(args=["registry", "remind"])
    assert result.exit_code == 0, result.output
    assert "2 sent" in result.output
    assert runner.invoke(args=["registry", "remind"]).output.strip().endswith("0 sent.")
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 2


def test_import_command_dry_run_then_apply(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    make_department(slug="parks")
    admin = make_user(Role.ADMIN)
    path = tmp_path / "profiles.csv"
    path.write_text("platform,url,display_name,department\nx,https://x.com/parks_cli,Parks,parks\n")
    result = runner.invoke(args=["registry", "import", str(path), "--as", admin.email])
    assert result.exit_code == 0, result.output
    assert "Dry run: 1 new" in result.output
    assert db.session.scalar(select(func.count()).select_from(SocialProfile)) == 0
    result = runner.invoke(args=["registry", "import", str(path), "--as", admin.email, "--apply"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(SocialProfile)) == 1


def test_import_command_reports_bad_rows_and_fails(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    make_department(slug="parks")
    admin = make_user(Role.ADMIN)
    path = tmp_path / "bad.csv"
    path.write_text("platform,url,display_name,department\nx,https://facebook.com/x,Bad,parks\n")
    result = runner.invoke(args=["registry", "import", str(path), "--as", admin.email, "--apply"])
    assert result.exit_code == 1
    assert "row 2: url:" in result.output
    assert db.session.scalar(select(func.count()).select_from(SocialProfile)) == 0
