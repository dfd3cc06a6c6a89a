"""The one-page strategy: versions (vision and goals tied to metrics) and seniors' endorsements."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.core.db import UTCDateTime, utcnow
from forum.extensions import Model

VISION_MAX = 5000
GOAL_TITLE_MAX = 200
MAX_GOALS = 8


class Comparison(enum.StrEnum):
    """How a goal's current value is compared with its target."""

    AT_MOST = "at_most"
    AT_LEAST = "at_least"

    @property
    def label(self) -> str:
        return {"at_most": "at most", "at_least": "at least"}[self.value]

    @property
    def symbol(self) -> str:
        return {"at_most": "≤", "at_least": "≥"}[self.value]

    def met(self, value: float | None, target: float) -> bool | None:
        """True/False when the value meets the target; None when there is no value yet."""
        if value is None:
            return None
        return value <= target if self is Comparison.AT_MOST else value >= target


class StrategyVersion(Model):
    """One saved edition of the strategy; every save by an admin creates a new one."""

    __tablename__ = "strategy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    vision: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship()
    goals: Mapped[list[Goal]] = relationship(
        back_populates="version",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Goal.position",
    )
    endorsements: Mapped[list[Endorsement]] = relationship(
        back_populates="version",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Endorsement.created_at",
    )

    def __repr__(self) -> str:
        return f"<StrategyVersion {self.number}>"


class Goal(Model):
    """A measurable goal: a metric, a target, and when to look again.

    `baseline_value` is the metric's value when this version was saved (the last revisit), so
    the page can say whether we have moved closer since.
    """

    __tablename__ = "strategy_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("strategy_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(GOAL_TITLE_MAX))
    metric_key: Mapped[str] = mapped_column(String(64))
    comparison: Mapped[Comparison] = mapped_column(String(20), default=Comparison.AT_MOST)
    target: Mapped[float] = mapped_column(Float)
    revisit_on: Mapped[dt.date] = mapped_column(Date)
    baseline_value: Mapped[float | None] = mapped_column(Float)
    baseline_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    version: Mapped[StrategyVersion] = relationship(back_populates="goals")

    @property
    def comparison_enum(self) -> Comparison:
        return Comparison(self.comparison)

    def __repr__(self) -> str:
        return f"<Goal {self.id} {self.metric_key}>"


class Endorsement(Model):
    """A senior's (or admin's) public backing of one version: one per person and version."""

    __tablename__ = "strategy_endorsements"
    __table_args__ = (UniqueConstraint("version_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("strategy_versions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    version: Mapped[StrategyVersion] = relationship(back_populates="endorsements")
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Endorsement v{self.version_id} by {self.user_id}>"
