"""Request and response shapes of the accounts API, declared once for validation and OpenAPI."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from forum.accounts.models import Department, Role, User


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
