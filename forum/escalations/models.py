"""Escalations, their timelines, and the policies that route them to senior people."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import Department, User
from forum.alerts.models import WebhookEndpoint
from forum.boards.models import Board, Post, Thread
from forum.core.db import UTCDateTime, utcnow
from forum.extensions import Model, db
from forum.registry.models import SocialProfile

REASON_MAX = 2000
NOTE_MAX = 5000


class Urgency(enum.StrEnum):
    """How fast a senior must look; each step shortens the acknowledgement timeout."""

    ROUTINE = "routine"
    URGENT = "urgent"
    CRISIS = "crisis"

    @property
    def rank(self) -> int:
        return list(Urgency).index(self)

    @property
    def label(self) -> str:
        return {"routine": "Routine", "urgent": "Urgent", "crisis": "Crisis"}[self.value]

    @property
    def default_timeout_minutes(self) -> int:
        """Minutes a level has to acknowledge before the next level is alerted."""
        return {"routine": 24 * 60, "urgent": 30, "crisis": 10}[self.value]


class EscalationState(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return {"open": "Open", "acknowledged": "Acknowledged", "resolved": "Resolved"}[self.value]


class EventKind(enum.StrEnum):
    """What happened on an escalation's timeline."""

    OPENED = "opened"
    ADDED = "added"  # someone escalated the same thread again
    URGENCY_RAISED = "urgency_raised"
    ALERTED = "alerted"  # a level of the ladder was alerted (the first one, or again)
    CLIMBED = "climbed"  # nobody acknowledged in time: the next level was alerted
    EXHAUSTED = "exhausted"  # the ladder ran out without an acknowledgement
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    REASSIGNED = "reassigned"
    NOTE = "note"  # internal: seniors and admins only

    @property
    def label(self) -> str:
        return {
            "opened": "Escalated",
            "added": "Escalated again",
            "urgency_raised": "Urgency raised",
            "alerted": "Alerted",
            "climbed": "Climbed the ladder",
            "exhausted": "Ladder exhausted",
            "acknowledged": "Acknowledged",
            "resolved": "Resolved",
            "reopened": "Reopened",
            "reassigned": "Reassigned",
            "note": "Internal note",
        }[self.value]


class Escalation(Model):
    """A thread in hot water, waiting for a senior: one open (unresolved) one per thread."""

    __tablename__ = "escalations"
    __table_args__ = (
        # One unresolved escalation per thread, enforced by the database under concurrency too.
        Index(
            "uq_escalations_thread_id_unresolved",
            "thread_id",
            unique=True,
            sqlite_where=text("state != 'resolved'"),
            postgresql_where=text("state != 'resolved'"),
        ),
        Index("ix_escalations_state_created_at", "state", "created_at"),
        Index("ix_escalations_state_next_escalation_at", "state", "next_escalation_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("social_profiles.id", ondelete="SET NULL"), index=True
    )
    # The thread's department when escalated (kept in step when the thread moves): routing and
    # the inbox filter use it without reaching into the boards' tables.
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    urgency: Mapped[Urgency] = mapped_column(String(20), default=Urgency.ROUTINE)
    state: Mapped[EscalationState] = mapped_column(String(20), default=EscalationState.OPEN)
    policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("escalation_policies.id", ondelete="SET NULL")
    )
    # 1-based position on the ladder; `ladder_round` counts repeats of the whole ladder.
    level: Mapped[int] = mapped_column(Integer, default=1)
    ladder_round: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped for every wave of alerts, so each wave has its own outbox dedupe keys.
    alert_wave: Mapped[int] = mapped_column(Integer, default=0)
    # When the current level's acknowledgement timeout runs out; None while nothing is due.
    next_escalation_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL")
    )
    resolution_note: Mapped[str] = mapped_column(Text, default="")

    thread: Mapped[Thread] = relationship()
    post: Mapped[Post | None] = relationship(foreign_keys=[post_id])
    profile: Mapped[SocialProfile | None] = relationship()
    board: Mapped[Board | None] = relationship()
    resolution_post: Mapped[Post | None] = relationship(foreign_keys=[resolution_post_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    department: Mapped[Department | None] = relationship()
    policy: Mapped[EscalationPolicy | None] = relationship()
    events: Mapped[list[EscalationEvent]] = relationship(
        back_populates="escalation",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="EscalationEvent.id",
    )

    @property
    def urgency_enum(self) -> Urgency:
        return Urgency(self.urgency)

    @property
    def state_enum(self) -> EscalationState:
        return EscalationState(self.state)

    @property
    def is_resolved(self) -> bool:
        return self.state == EscalationState.RESOLVED

    def time_waiting(self, now: dt.datetime) -> dt.timedelta:
        """From escalation to acknowledgement (or resolution, or now while nobody has)."""
        end = self.acknowledged_at or self.resolved_at or now
        return end - self.created_at

    @property
    def time_to_acknowledge(self) -> dt.timedelta | None:
        if self.acknowledged_at is None:
            return None
        return self.acknowledged_at - self.created_at

    def __repr__(self) -> str:
        return f"<Escalation {self.id} thread={self.thread_id} {self.state}>"


class EscalationEvent(Model):
    """One entry on an escalation's timeline: who did what, when; notes may be internal."""

    __tablename__ = "escalation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(
        ForeignKey("escalations.id", ondelete="CASCADE"), index=True
    )
    # None for what the system did on its own (the ladder).
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[EventKind] = mapped_column(String(30))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Free text: the reason given, the resolution note, the internal note.
    note: Mapped[str] = mapped_column(Text, default="")
    # Structured facts: urgency from/to, level, recipients' names, the resolving post.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_internal: Mapped[bool] = mapped_column(Boolean, default=False)

    escalation: Mapped[Escalation] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    @property
    def kind_enum(self) -> EventKind:
        return EventKind(self.kind)

    def __repr__(self) -> str:
        return f"<EscalationEvent {self.id} {self.kind}>"


policy_departments = Table(
    "escalation_policy_departments",
    db.metadata,
    Column("policy_id", ForeignKey("escalation_policies.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "department_id",
        ForeignKey("departments.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

policy_boards = Table(
    "escalation_policy_boards",
    db.metadata,
    Column("policy_id", ForeignKey("escalation_policies.id", ondelete="CASCADE"), primary_key=True),
    Column("board_id", ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True, index=True),
)

policy_webhooks = Table(
    "escalation_policy_webhooks",
    db.metadata,
    Column("policy_id", ForeignKey("escalation_policies.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "endpoint_id",
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

level_users = Table(
    "escalation_policy_level_users",
    db.metadata,
    Column(
        "level_id", ForeignKey("escalation_policy_levels.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class EscalationPolicy(Model):
    """Who is alerted, level by level, for escalations matching departments, boards, urgencies.

    Empty match lists mean "any". Active policies are tried by position; the first match wins.
    """

    __tablename__ = "escalation_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Urgency values this policy applies to; empty means every urgency.
    urgencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    # How many times the whole ladder is walked again after its last level times out.
    repeat_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    departments: Mapped[list[Department]] = relationship(
        secondary=policy_departments, order_by="Department.name"
    )
    boards: Mapped[list[Board]] = relationship(secondary=policy_boards, order_by="Board.name")
    webhook_endpoints: Mapped[list[WebhookEndpoint]] = relationship(
        secondary=policy_webhooks, order_by="WebhookEndpoint.name"
    )
    levels: Mapped[list[EscalationPolicyLevel]] = relationship(
        back_populates="policy",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="EscalationPolicyLevel.position",
    )

    @property
    def urgency_set(self) -> set[Urgency]:
        return {Urgency(value) for value in self.urgencies or []}

    def __repr__(self) -> str:
        return f"<EscalationPolicy {self.id} {self.name}>"


class EscalationPolicyLevel(Model):
    """One rung of a policy's ladder: named people and/or a department's seniors."""

    __tablename__ = "escalation_policy_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("escalation_policies.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=1)
    # The seniors of this department are alerted at this level (besides the named people).
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL")
    )
    # When true, the seniors of the escalated thread's own department are alerted too.
    includes_thread_department: Mapped[bool] = mapped_column(Boolean, default=False)
    # Minutes to acknowledge before the next level; None uses the urgency's default.
    timeout_minutes: Mapped[int | None] = mapped_column(Integer)

    policy: Mapped[EscalationPolicy] = relationship(back_populates="levels")
    department: Mapped[Department | None] = relationship()
    users: Mapped[list[User]] = relationship(secondary=level_users, order_by="User.display_name")

    def __repr__(self) -> str:
        return f"<EscalationPolicyLevel {self.policy_id}#{self.position}>"
