"""Request and response shapes of the accounts API, declared once for validation and OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from forum.accounts.models import AuditEvent, Department, Role, User
from forum.api.types import IsoDate


class DepartmentOut(BaseModel):
    id: int
    slug: str
    name: str

    @classmethod
    def of(cls, department: Department) -> DepartmentOut:
        return cls(id=department.id, slug=department.slug, name=department.name)


class DepartmentList(BaseModel):
    items: list[DepartmentOut]
    total: int


class DepartmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)


class UserOut(BaseModel):
    id: int
    email: str
    handle: str | None = Field(description="Their page is /u/<handle>; @handle mentions them")
    display_name: str
    role: Role
    department: str | None = Field(description="Department slug")
    is_active: bool
    created_at: dt.datetime
    away_from: dt.date | None
    away_until: dt.date | None
    cover: str | None = Field(description="Email of the colleague who covers")

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            handle=user.handle,
            display_name=user.display_name,
            role=Role(user.role),
            department=user.department.slug if user.department else None,
            is_active=user.is_active,
            created_at=user.created_at,
            away_from=user.away_from,
            away_until=user.away_until,
            cover=user.cover_user.email if user.cover_user else None,
        )


class UserList(BaseModel):
    items: list[UserOut]
    total: int


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role | None = None
    department: str | None = Field(default=None, description='Department slug; "" clears it')
    is_active: bool | None = None
    active: bool | None = Field(default=None, description="The same as is_active")
    display_name: str | None = Field(default=None, min_length=1, max_length=120)


class InvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=254)
    role: Role = Role.MEMBER
    department: str | None = None


class InvitationOut(BaseModel):
    id: int
    email: str
    role: Role
    department: str | None
    expires_at: dt.datetime
    url: str = Field(description="The single-use sign-up link, also emailed to the invitee")


class AuditPersonOut(BaseModel):
    id: int
    email: str
    handle: str | None = None
    display_name: str


class AuditSubjectOut(BaseModel):
    type: str = Field(description='What kind of object: "user", "post", "thread", "api_token"…')
    id: int | None
    label: str | None = Field(description="The person's email when the subject is a user")


class AuditEventOut(BaseModel):
    id: int
    action: str = Field(description='Such as "user.role_changed", "sign_in.failed", "post.hidden"')
    actor: AuditPersonOut | None = Field(description="Who acted; null for a visitor or the system")
    subject: AuditSubjectOut
    at: dt.datetime
    ip: str | None
    details: dict[str, Any] = Field(description="The action's own facts; never a secret")

    @classmethod
    def of(cls, event: AuditEvent, labels: dict[tuple[str, int], str]) -> AuditEventOut:
        actor = event.actor
        return cls(
            id=event.id,
            action=str(event.action),
            actor=AuditPersonOut(
                id=actor.id,
                email=actor.email,
                handle=actor.handle,
                display_name=actor.display_name,
            )
            if actor
            else None,
            subject=AuditSubjectOut(
                type=event.subject_type,
                id=event.subject_id,
                label=labels.get((event.subject_type, event.subject_id or 0)),
            ),
            at=event.at,
            ip=event.ip,
            details=dict(event.details or {}),
        )


class AuditList(BaseModel):
    items: list[AuditEventOut] = Field(description="Newest first")
    total: int
    page: int
    pages: int


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: str | None = Field(
        default=None,
        max_length=64,
        description='An action ("user.role_changed") or a family of them ("user", "post")',
    )
    actor: str | None = Field(default=None, max_length=254, description="Email or user id")
    subject: str | None = Field(
        default=None, max_length=254, description='"type:id" (such as "post:12") or an email'
    )
    since: IsoDate | None = Field(default=None, description="From this day (UTC), included")
    until: IsoDate | None = Field(default=None, description="Until this day (UTC), included")
    page: int = Field(default=1, ge=1, le=100_000, description="50 entries a page")
