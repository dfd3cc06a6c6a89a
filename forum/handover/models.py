"""Hand-overs: when someone leaves or moves, what they hold must pass to someone else."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import Department, User
from forum.core.db import UTCDateTime, utcnow
from forum.extensions import Model, db


class HandoverState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class HandoverReason(enum.StrEnum):
    """What opened (or last widened) the hand-over."""

    DEACTIVATED = "deactivated"
    DEPARTMENT_CHANGED = "department_changed"

    @property
    def label(self) -> str:
        return {"deactivated": "Deactivated", "department_changed": "Changed department"}[
            self.value
        ]


handover_departments = Table(
    "handover_departments",
    db.metadata,
    Column("handover_id", ForeignKey("handovers.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
)


class Handover(Model):
    """One person's hand-over. Its items are not stored: they are what the person still holds
    within its scope (everything, or what is tied to the departments they left), read live, so
    an item leaves the list the moment it is reassigned anywhere in the forum."""

    __tablename__ = "handovers"
    __table_args__ = (
        # One open hand-over per person, enforced by the database under concurrency too.
        Index(
            "uq_handovers_user_id_open",
            "user_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[HandoverState] = mapped_column(String(20), default=HandoverState.OPEN)
    reason: Mapped[HandoverReason] = mapped_column(String(30))
    # True once the person was deactivated: everything they hold is in scope, not only what is
    # tied to the departments they left (`departments`).
    is_everything: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    departments: Mapped[list[Department]] = relationship(
        secondary=handover_departments, order_by="Department.name"
    )

    @property
    def state_enum(self) -> HandoverState:
        return HandoverState(self.state)

    @property
    def reason_enum(self) -> HandoverReason:
        return HandoverReason(self.reason)

    @property
    def is_open(self) -> bool:
        return self.state == HandoverState.OPEN

    def __repr__(self) -> str:
        return f"<Handover {self.id} user={self.user_id} {self.state}>"
