"""A person's page: who they are and what they look after, gathered from the capabilities
below (registry, boards, escalations) through their services, as the reader may see it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from forum.accounts.models import User
from forum.boards import services as board_services
from forum.boards.models import Board, Thread
from forum.escalations.models import EscalationPolicyLevel
from forum.escalations.services import policies
from forum.people.models import Skill, SkillKind
from forum.people.services import skills
from forum.registry import services as registry_services
from forum.registry.models import SocialProfile


@dataclass(frozen=True)
class PersonPage:
    person: User
    owned: list[SocialProfile]
    backed_up: list[SocialProfile]
    moderates: list[Board]
    levels: list[EscalationPolicyLevel]
    threads: list[Thread]
    solutions: list[Thread]
    offers: list[Skill]
    wants: list[Skill]
    away: bool

    @property
    def looks_after_anything(self) -> bool:
        return bool(self.owned or self.backed_up or self.moderates or self.levels)


def person_page(person: User, reader: User, *, today: dt.date) -> PersonPage:
    """Everything /u/<handle> shows. Boards and threads are only those `reader` may see; every
    profile and policy level is listed (staff may see all profiles)."""
    held = registry_services.profiles_held_by(person)
    picks = skills.picks_of(person)
    return PersonPage(
        person=person,
        owned=[p for p in held if p.owner_id == person.id],
        backed_up=[p for p in held if p.backup_owner_id == person.id],
        moderates=board_services.boards_moderated_by(person, reader),
        levels=policies.levels_with(person),
        threads=board_services.threads_started_by(person, reader),
        solutions=board_services.solutions_by(person, reader),
        offers=picks[SkillKind.OFFERS],
        wants=picks[SkillKind.WANTS],
        away=person.is_away(today),
    )
