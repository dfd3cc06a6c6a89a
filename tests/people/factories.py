"""People factories: list entries and picks, through the services."""

from __future__ import annotations

from forum.accounts.models import Role, User
from forum.extensions import db
from forum.people.models import Skill
from forum.people.services import skills
from tests.factories import make_user, next_id


def make_skill(name: str | None = None) -> Skill:
    skill = skills.add_skill(make_user(Role.ADMIN), name or f"Skill {next_id()}")
    db.session.commit()
    return skill


def pick(user: User, *, offers: list[Skill] = (), wants: list[Skill] = ()) -> None:  # type: ignore[assignment]
    skills.set_picks(user, offers=[s.id for s in offers], wants=[s.id for s in wants])
    db.session.commit()
