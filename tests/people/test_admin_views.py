"""The admin list of skills and training: add, rename, retire, restore, approve, reject, audited."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from forum.accounts.models import AuditAction, AuditEvent, Role
from forum.extensions import db
from forum.people.models import Skill, SkillStatus
from forum.people.services import skills
from tests.factories import make_user, see_committed
from tests.people.factories import make_skill, pick


def _changes() -> list[tuple[str, str]]:
    see_committed()
    return [
        (e.details["change"], e.details.get("name") or e.details.get("new"))
        for e in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == AuditAction.SKILL_LIST_CHANGED)
            .order_by(AuditEvent.id)
        )
    ]


def _statuses() -> dict[str, str]:
    see_committed()
    return {s.name: s.status for s in db.session.scalars(select(Skill))}


def test_admins_add_rename_retire_and_restore_entries(
    app: Any, login: Any, client: FlaskClient
) -> None:
    admin = make_user(Role.ADMIN)
    login(admin)
    assert client.get("/admin/skills").status_code == 200
    assert client.post("/admin/skills", data={"name": " TikTok  "}).status_code == 302
    duplicate = client.post("/admin/skills", data={"name": "tiktok"})
    assert duplicate.status_code == 409 and "Already listed." in duplicate.get_data(as_text=True)
    skill = db.session.scalar(select(Skill).where(Skill.name == "TikTok"))
    assert (
        client.post(f"/admin/skills/{skill.id}/rename", data={"name": "TikTok video"}).status_code
        == 302
    )
    assert client.post(f"/admin/skills/{skill.id}/retire").status_code == 302
    assert _statuses() == {"TikTok video": "retired"}
    assert client.post(f"/admin/skills/{skill.id}/restore").status_code == 302
    assert _statuses() == {"TikTok video": "active"}
    assert _changes() == [
        ("added", "TikTok"),
        ("renamed", "TikTok video"),
        ("retired", "TikTok video"),
        ("restored", "TikTok video"),
    ]
    assert "Skills and training list changed" in client.get("/admin/audit").get_data(as_text=True)


def test_a_retired_entry_leaves_pages_but_picks_come_back(
    app: Any, login: Any, client: FlaskClient
) -> None:
    admin = make_user(Role.ADMIN)
    skill = make_skill("Photography")
    person = make_user(email="photo@example.org")
    pick(person, offers=[skill])
    skills.set_retired(admin, skill, retired=True)
    db.session.commit()
    login(make_user())
    assert "Photography" not in client.get("/u/photo").get_data(as_text=True)
    assert (
        client.get("/people?skill=Photography").get_data(as_text=True).count('href="/u/photo"') == 0
    )
    skills.set_retired(admin, skills.get_skill(skill.id), retired=False)
    db.session.commit()
    assert 'href="/people?skill=Photography"' in client.get("/u/photo").get_data(as_text=True)


def test_admins_approve_or_reject_suggestions(app: Any, login: Any, client: FlaskClient) -> None:
    suggester = make_user(display_name="Chloe Wright")
    podcasting = skills.suggest_skill(suggester, "Podcasting")
    drones = skills.suggest_skill(suggester, "Drones")
    db.session.commit()
    login(make_user(Role.ADMIN))
    page = client.get("/admin/skills").get_data(as_text=True)
    assert "Podcasting" in page and "Chloe Wright" in page
    assert client.post(f"/admin/skills/{podcasting.id}/approve").status_code == 302
    assert client.post(f"/admin/skills/{drones.id}/reject").status_code == 302
    assert _statuses() == {"Podcasting": "active"}
    assert _changes() == [("approved", "Podcasting"), ("rejected", "Drones")]
    # Approving twice is refused: it is no longer a suggestion.
    assert client.post(f"/admin/skills/{podcasting.id}/approve").status_code == 400


def test_members_cannot_change_the_list(app: Any, login: Any, client: FlaskClient) -> None:
    skill = make_skill("Plain English")
    login(make_user(Role.SENIOR))
    assert client.post("/admin/skills", data={"name": "Mine"}).status_code == 403
    assert client.post(f"/admin/skills/{skill.id}/retire").status_code == 403
    assert _statuses() == {"Plain English": SkillStatus.ACTIVE.value}
