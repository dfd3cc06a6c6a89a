"""`flask --app wsgi people …`: the skills list from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from forum.people.models import SkillStatus
from forum.people.services import skills

people_cli = AppGroup("people", help="People: the skills and training list.")


@people_cli.command("skills")
@click.option("--all", "show_all", is_flag=True, help="Also suggested and retired entries.")
def skills_command(show_all: bool) -> None:
    """List the skills-and-training entries (active ones unless --all), one a line."""
    entries = skills.list_skills() if show_all else skills.list_skills(SkillStatus.ACTIVE)
    for skill in entries:
        click.echo(f"{skill.name}\t{skill.status}" if show_all else skill.name)
