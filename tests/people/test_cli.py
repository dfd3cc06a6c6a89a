"""`flask --app wsgi people skills`: the list, one entry a line."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskCliRunner

from forum.accounts.models import Role
from forum.extensions import db
from forum.people.services import skills
from tests.factories import make_user
from tests.people.factories import make_skill


def test_the_list_is_printed_active_entries_first_then_all(
    app: Any, runner: FlaskCliRunner
) -> None:
    make_skill("TikTok")
    old = make_skill("Fax")
    skills.set_retired(make_user(Role.ADMIN), old, retired=True)
    skills.suggest_skill(make_user(), "Podcasting")
    db.session.commit()
    assert runner.invoke(args=["people", "skills"]).output == "TikTok\n"
    everything = runner.invoke(args=["people", "skills", "--all"]).output.splitlines()
    assert everything == ["Fax\tretired", "Podcasting\tsuggested", "TikTok\tactive"]
