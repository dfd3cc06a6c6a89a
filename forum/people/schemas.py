"""Shapes of the people API: the directory's query string and its rows."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from forum.accounts.models import Role


class PeopleQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department: str | None = Field(None, max_length=64, description="Department slug")
    role: Role | None = None
    skill: str | None = Field(None, max_length=80, description="People who offer this skill")
    training: str | None = Field(None, max_length=80, description="People who want this training")
    page: int = Field(default=1, ge=1, le=100_000)


class DirectoryPersonOut(BaseModel):
    id: int
    handle: str | None = Field(description="Their page is /u/<handle>")
    display_name: str
    role: Role
    department: str | None = Field(description="Department slug")
    offers: list[str] = Field(description="Skills offered")
    wants: list[str] = Field(description="Training wanted")


class DirectoryPage(BaseModel):
    items: list[DirectoryPersonOut]
    total: int
    page: int
    pages: int
