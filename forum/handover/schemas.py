"""Request and response shapes of the hand-over API, declared once for validation and OpenAPI."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from forum.core.ids import DbId
from forum.handover.models import Handover, HandoverReason, HandoverState
from forum.handover.services import Item, ItemKind, Outcome


class HandoverItemOut(BaseModel):
    kind: ItemKind = Field(description="What is held; `id` is that object's id")
    id: int
    label: str
    url: str = Field(description="Site-relative address of the object")
    detail: str

    @classmethod
    def of(cls, item: Item) -> HandoverItemOut:
        return cls(kind=item.kind, id=item.id, label=item.label, url=item.url, detail=item.detail)


class HandoverRefusedOut(BaseModel):
    kind: ItemKind
    id: int
    label: str
    message: str


class HandoverOut(BaseModel):
    user_id: int
    id: int | None = Field(description="The hand-over's id; null when the person never had one")
    state: HandoverState | None = Field(description="null when the person never had a hand-over")
    reason: HandoverReason | None
    scope: str | None = Field(description="`everything`, or `departments` (those listed)")
    departments: list[str] = Field(description="Slugs of the departments the person left")
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    items: list[HandoverItemOut] = Field(description="What the person still holds; [] once closed")
    total: int

    @classmethod
    def of(cls, user_id: int, handover: Handover | None, items: list[Item]) -> HandoverOut:
        if handover is None:
            return cls(
                user_id=user_id,
                id=None,
                state=None,
                reason=None,
                scope=None,
                departments=[],
                opened_at=None,
                closed_at=None,
                items=[],
                total=0,
            )
        return cls(
            user_id=user_id,
            id=handover.id,
            state=HandoverState(handover.state),
            reason=HandoverReason(handover.reason),
            scope="everything" if handover.is_everything else "departments",
            departments=[d.slug for d in handover.departments],
            opened_at=handover.opened_at,
            closed_at=handover.closed_at,
            items=[HandoverItemOut.of(item) for item in items],
            total=len(items),
        )


class HandoverReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_user_id: DbId = Field(description="An active person other than the one leaving")
    kind: ItemKind | None = Field(
        default=None, description="Only items of this kind; required with `id`"
    )
    id: DbId | None = Field(default=None, description="One item (with `kind`); else all")


class HandoverReassignOut(BaseModel):
    reassigned: list[HandoverItemOut]
    refused: list[HandoverRefusedOut] = Field(
        description="Items whose own rule refused the recipient"
    )
    handover: HandoverOut

    @classmethod
    def of(cls, outcome: Outcome, handover: HandoverOut) -> HandoverReassignOut:
        return cls(
            reassigned=[HandoverItemOut.of(item) for item in outcome.reassigned],
            refused=[
                HandoverRefusedOut(kind=item.kind, id=item.id, label=item.label, message=message)
                for item, message in outcome.refused
            ],
            handover=handover,
        )
