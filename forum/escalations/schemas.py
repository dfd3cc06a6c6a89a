"""Request and response shapes of the escalations API, declared once for validation and OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from forum.core.ids import DbId
from forum.escalations.models import (
    NOTE_MAX,
    REASON_MAX,
    Escalation,
    EscalationEvent,
    EscalationState,
    EventKind,
    Urgency,
)


class EscalationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=REASON_MAX)
    urgency: Urgency = Urgency.ROUTINE
    post_id: DbId | None = Field(default=None, description="A post in the thread to point at")
    profile_id: DbId | None = Field(default=None, description="A registered social profile")


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=NOTE_MAX)


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee_id: DbId = Field(description="An active senior or admin")
    note: str = Field(default="", max_length=NOTE_MAX)


class EscalationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: EscalationState | None = Field(default=None, description="Default: open")
    urgency: Urgency | None = None
    department: str | None = Field(default=None, description="Department slug")
    page: int = Field(default=1, ge=1, le=100_000)


class PersonOut(BaseModel):
    id: int
    handle: str | None = Field(default=None, description="Their page is /u/<handle>")
    display_name: str


class EventOut(BaseModel):
    id: int
    kind: EventKind
    created_at: dt.datetime
    actor: PersonOut | None
    note: str
    details: dict[str, Any]
    is_internal: bool

    @classmethod
    def of(cls, event: EscalationEvent) -> EventOut:
        return cls(
            id=event.id,
            kind=EventKind(event.kind),
            created_at=event.created_at,
            actor=_person(event.actor),
            note=event.note,
            details=event.details or {},
            is_internal=event.is_internal,
        )


def _person(user: Any) -> PersonOut | None:
    if user is None:
        return None
    return PersonOut(id=user.id, handle=user.handle, display_name=user.display_name)


class EscalationOut(BaseModel):
    id: int
    state: EscalationState
    urgency: Urgency
    thread_id: int
    thread_title: str
    post_id: int | None
    profile_id: int | None
    department: str | None = Field(description="Department slug of the thread's board")
    reason: str
    created_at: dt.datetime
    created_by: PersonOut | None
    assigned_to: PersonOut | None
    acknowledged_at: dt.datetime | None
    acknowledged_by: PersonOut | None
    resolved_at: dt.datetime | None
    resolved_by: PersonOut | None
    resolution_post_id: int | None
    resolution_note: str
    level: int
    next_escalation_at: dt.datetime | None
    timeline: list[EventOut]

    @classmethod
    def of(cls, escalation: Escalation, events: list[EscalationEvent]) -> EscalationOut:
        return cls(
            id=escalation.id,
            state=EscalationState(escalation.state),
            urgency=Urgency(escalation.urgency),
            thread_id=escalation.thread_id,
            thread_title=escalation.thread.title,
            post_id=escalation.post_id,
            profile_id=escalation.profile_id,
            department=escalation.department.slug if escalation.department else None,
            reason=escalation.reason,
            created_at=escalation.created_at,
            created_by=_person(escalation.created_by),
            assigned_to=_person(escalation.assigned_to),
            acknowledged_at=escalation.acknowledged_at,
            acknowledged_by=_person(escalation.acknowledged_by),
            resolved_at=escalation.resolved_at,
            resolved_by=_person(escalation.resolved_by),
            resolution_post_id=escalation.resolution_post_id,
            resolution_note=escalation.resolution_note or "",
            level=escalation.level,
            next_escalation_at=escalation.next_escalation_at,
            timeline=[EventOut.of(e) for e in events],
        )


class EscalationList(BaseModel):
    items: list[EscalationOut]
    total: int
