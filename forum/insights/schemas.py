"""Shapes of the insights API: the query string and the report body."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from forum.api.types import IsoDate


class InsightsQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    from_: IsoDate | None = Field(None, alias="from", description="First day (UTC), inclusive.")
    to: IsoDate | None = Field(None, description="Last day (UTC), inclusive. Default: today.")
    department: str | None = Field(None, description="Department slug; enthusiasts get their own.")


class WeekCounts(BaseModel):
    week_starting: dt.date
    counts: dict[str, int]


class PostsByKindOut(BaseModel):
    totals: dict[str, int] = Field(description="Threads started in the period, per kind.")
    weekly: list[WeekCounts]


class DepartmentContributors(BaseModel):
    department: str | None = Field(description="Slug; null for people without a department.")
    name: str
    contributors: int


class UncoveredDepartmentOut(BaseModel):
    department: str
    name: str
    enthusiast_accounts: int


class UnansweredOut(BaseModel):
    thread_id: int
    title: str
    kind: str
    board: str
    created_at: dt.datetime


class EscalationsOut(BaseModel):
    by_urgency: dict[str, int]
    total: int
    climbed: int
    climbs: int
    percent_climbed: float | None
    median_minutes_to_resolve: float | None


class AttentionOut(BaseModel):
    total: int
    by_reason: dict[str, int]


class RegistryOut(BaseModel):
    by_status: dict[str, int]
    by_platform: dict[str, dict[str, int]]
    total: int
    reviews_overdue: int
    single_owner: int
    campaigns_past_end: int
    percent_reviewed_6_months: float | None


class RungOut(BaseModel):
    rung: str
    label: str
    people: int
    previous_period: int


class MovementOut(BaseModel):
    up: int
    down: int
    same: int
    joined: int
    dropped_off: int


class TransitionOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    people: int


class LadderOut(BaseModel):
    rungs: list[RungOut]
    movement: MovementOut
    transitions: list[TransitionOut]


class SkillCountOut(BaseModel):
    skill: str
    people: int


class DepartmentSkillsOut(BaseModel):
    department: str | None = Field(description="The slug; null for people without a department")
    name: str
    people: int = Field(description="Active people")
    with_skill: int = Field(description="Active people offering at least one skill")
    offers: list[SkillCountOut]
    wants: list[SkillCountOut] = Field(description="Training people want")


class InsightsOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: dt.date = Field(alias="from")
    to: dt.date
    department: str | None
    posts_by_kind: PostsByKindOut
    active_contributors: int
    active_contributors_by_department: list[DepartmentContributors]
    departments_without_enthusiast: list[UncoveredDepartmentOut]
    help_threads: int
    solved: int
    percent_solved: float | None
    unanswered: int
    median_minutes_to_first_reply: float | None
    median_minutes_to_senior_reply: float | None
    unanswered_questions: list[UnansweredOut]
    escalations: EscalationsOut
    median_minutes_to_senior_ack: float | None
    profiles_needing_attention: AttentionOut
    registry: RegistryOut
    engagement_ladder: LadderOut
    skills_by_department: list[DepartmentSkillsOut]
