"""Demo data for people: a skills-and-training list, demo staff's picks and one suggestion."""

from __future__ import annotations

from sqlalchemy import func, select

from forum.accounts import services as account_services
from forum.accounts.demo import demo_email
from forum.extensions import db
from forum.people.models import PersonSkill, Skill, SkillKind, SkillStatus

SKILLS = [
    "TikTok",
    "Instagram Reels",
    "Accessible social media",
    "Crisis communications",
    "Plain English",
    "Video editing on a phone",
    "Analytics and reporting",
    "Community moderation",
    "Photography",
    "Welsh-language posts",
]

# email local part -> (skills offered, training wanted)
PICKS = {
    "priya.shah": (["Crisis communications", "Plain English"], ["TikTok"]),
    "tom.hughes": (["Community moderation"], ["Analytics and reporting"]),
    "grace.lee": (["Photography"], ["Video editing on a phone"]),
    "sam.riley": (
        ["TikTok", "Instagram Reels", "Video editing on a phone"],
        ["Crisis communications"],
    ),
    "lena.fischer": (["Plain English", "Accessible social media"], ["TikTok"]),
    "omar.haddad": (["Community moderation"], ["Accessible social media", "Plain English"]),
    "mia.evans": (["Photography", "Instagram Reels"], ["Analytics and reporting"]),
    "jack.turner": ([], ["TikTok", "Video editing on a phone"]),
    "nia.roberts": ([], ["Plain English"]),
    "ben.carter": (["Welsh-language posts"], ["Instagram Reels"]),
    "zoe.martin": ([], ["Accessible social media"]),
    "david.kim": (["Analytics and reporting"], []),
    "ella.morgan": (["Accessible social media", "Analytics and reporting"], []),
    "felix.brown": ([], ["Crisis communications", "TikTok"]),
}
SUGGESTION = ("chloe.wright", "Podcasting")


def seed() -> str:
    """The list, the demo staff's picks and one waiting suggestion; skipped when the list
    already has entries."""
    if db.session.scalar(select(func.count(Skill.id))):
        return "skills already listed"
    by_name = {name: Skill(name=name, status=SkillStatus.ACTIVE) for name in SKILLS}
    db.session.add_all(by_name.values())
    db.session.flush()
    picks = 0
    for local, (offers, wants) in PICKS.items():
        person = account_services.user_by_email(demo_email(local))
        if person is None:
            continue
        for kind, names in ((SkillKind.OFFERS, offers), (SkillKind.WANTS, wants)):
            for name in names:
                db.session.add(PersonSkill(user_id=person.id, skill_id=by_name[name].id, kind=kind))
                picks += 1
    suggester = account_services.user_by_email(demo_email(SUGGESTION[0]))
    if suggester is not None:
        db.session.add(
            Skill(name=SUGGESTION[1], status=SkillStatus.SUGGESTED, suggested_by_id=suggester.id)
        )
    db.session.flush()
    return f"{len(SKILLS)} skills, {picks} picks"
