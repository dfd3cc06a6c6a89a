"""People: the admin-managed list of skills and training, and who offers or wants each."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.db import UTCDateTime, utcnow
from forum.extensions import Model

if TYPE_CHECKING:
    from forum.accounts.models import User


class SkillStatus(enum.StrEnum):
    """`suggested` waits for an admin; `active` can be picked; `retired` is kept but hidden."""

    SUGGESTED = "suggested"
    ACTIVE = "active"
    RETIRED = "retired"


class SkillKind(enum.StrEnum):
    """One entry of the list serves both ways: a skill someone offers, or training they want."""

    OFFERS = "offers"
    WANTS = "wants"

    @property
    def label(self) -> str:
        return {"offers": "Skills offered", "wants": "Training wanted"}[self.value]


class Skill(Model):
    """An entry of the list (e.g. "TikTok", "Accessibility"): a skill people can offer and a
    topic people can ask training in."""

    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[SkillStatus] = mapped_column(String(20), default=SkillStatus.ACTIVE)
    # Who suggested the entry (None for entries an admin added).
    suggested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    suggested_by: Mapped[User | None] = relationship()

    @property
    def status_enum(self) -> SkillStatus:
        return SkillStatus(self.status)

    def __repr__(self) -> str:
        return f"<Skill {self.id} {self.name!r} {self.status}>"


class PersonSkill(Model):
    """One person offering one skill, or wanting training in it."""

    __tablename__ = "person_skills"
    __table_args__ = (Index("ix_person_skills_skill_id_kind", "skill_id", "kind"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[SkillKind] = mapped_column(String(20), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    skill: Mapped[Skill] = relationship()
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<PersonSkill user={self.user_id} skill={self.skill_id} {self.kind}>"
