"""The people demo data: a skills list, picks for demo staff, a waiting suggestion; idempotent."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from forum.accounts.demo import seed as seed_accounts
from forum.extensions import db
from forum.people import demo, services
from forum.people.models import PersonSkill, Skill, SkillStatus


def test_demo_people_offer_skills_and_want_training(app: Flask) -> None:
    seed_accounts()
    summary = demo.seed()
    db.session.commit()
    picks = sum(len(offers) + len(wants) for offers, wants in demo.PICKS.values())
    assert summary == f"{len(demo.SKILLS)} skills, {picks} picks"
    assert db.session.scalar(select(func.count()).select_from(PersonSkill)) == picks
    assert (
        db.session.scalar(select(Skill.name).where(Skill.status == SkillStatus.SUGGESTED))
        == "Podcasting"
    )
    page = services.directory(services.DirectoryFilters(skill="TikTok"))
    assert [row.person.handle for row in page.items] == ["sam.riley"]
    assert demo.seed() == "skills already listed"
