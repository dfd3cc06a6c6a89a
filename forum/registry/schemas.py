"""Request and response shapes of the registry API, declared once for validation and OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from forum.api.types import IsoDate
from forum.registry.models import (
    EngagementMode,
    ProfilePurpose,
    ProfileStatus,
    SocialProfile,
)
from forum.registry.services.attention import needs_attention, review_due_on
from forum.registry.services.importing import ImportReport
from forum.registry.services.public import PublicAnswer
from forum.registry.services.references import ChangeView


class ProfileFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(
        default=None,
        max_length=500,
        description="Any URL of the account; stored with its canonical form",
    )
    handle: str | None = Field(
        default=None,
        max_length=200,
        description="Handle; the URL is derived from it when none is given",
    )
    platform_account_id: str | None = Field(
        default=None,
        max_length=200,
        description="The platform's permanent id (numeric id, YouTube channel id, Bluesky DID)",
    )
    purpose: ProfilePurpose | None = None
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    engagement_mode: EngagementMode | None = None
    description: str | None = Field(default=None, max_length=5000)
    audience_size: int | None = Field(default=None, ge=0)
    audience_counted_on: IsoDate | None = None
    owner: str | None = Field(default=None, max_length=254, description="Owner's email")
    backup_owner: str | None = Field(
        default=None, max_length=254, description="Backup owner's email"
    )
    review_interval_months: int | None = Field(default=None, ge=1, le=36)
    credentials_note: str | None = Field(
        default=None,
        max_length=2000,
        description="Where the credentials are kept; text that looks like a password is refused",
    )
    activity_note: str | None = Field(default=None, max_length=2000)
    status_reason: str | None = Field(default=None, max_length=2000)

    def service_values(self) -> dict[str, Any]:
        """Only the fields the client sent, as the services' raw values (null clears)."""
        values = self.model_dump(exclude_unset=True, exclude={"status", "status_reason"})
        return {key: ("" if value is None else value) for key, value in values.items()}


class ProfileIn(ProfileFields):
    platform: str = Field(max_length=32, description="Platform slug: x, facebook, youtube, …")
    display_name: str = Field(max_length=200)
    department: str = Field(max_length=64, description="Department slug")
    status: ProfileStatus | None = Field(
        default=None, description="Default: active when you may approve, else proposed"
    )


class ProfilePatch(ProfileFields):
    platform: str | None = Field(default=None, max_length=32)
    display_name: str | None = Field(default=None, max_length=200)
    department: str | None = Field(default=None, max_length=64)
    status: ProfileStatus | None = Field(
        default=None, description="Move the status (with status_reason)"
    )


class AttentionReasonOut(BaseModel):
    code: str
    message: str


class ProfileOut(BaseModel):
    id: int
    platform: str
    platform_name: str
    handle: str
    url: str
    canonical_url: str
    platform_account_id: str | None
    display_name: str
    department: str = Field(description="Department slug")
    department_name: str
    purpose: ProfilePurpose
    starts_on: dt.date | None
    ends_on: dt.date | None
    engagement_mode: EngagementMode
    description: str
    audience_size: int | None
    audience_counted_on: dt.date | None
    owner: str | None = Field(description="Owner's email")
    backup_owner: str | None = Field(description="Backup owner's email")
    status: ProfileStatus
    status_reason: str
    status_changed_at: dt.datetime | None
    activity_note: str
    review_interval_months: int
    last_reviewed_at: dt.datetime | None
    last_reviewed_by: str | None
    next_review_due: dt.date | None
    credentials_note: str
    needs_attention: list[str] = Field(description="Codes of the reasons it needs attention")
    attention: list[AttentionReasonOut] = Field(description="The same reasons, in words")
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, profile: SocialProfile, today: dt.date) -> ProfileOut:
        reasons = needs_attention(profile, today)
        return cls(
            id=profile.id,
            platform=profile.platform.slug,
            platform_name=profile.platform.name,
            handle=profile.handle,
            url=profile.url,
            canonical_url=profile.canonical_url,
            platform_account_id=profile.platform_account_id,
            display_name=profile.display_name,
            department=profile.department.slug,
            department_name=profile.department.name,
            purpose=ProfilePurpose(profile.purpose),
            starts_on=profile.starts_on,
            ends_on=profile.ends_on,
            engagement_mode=EngagementMode(profile.engagement_mode),
            description=profile.description or "",
            audience_size=profile.audience_size,
            audience_counted_on=profile.audience_counted_on,
            owner=profile.owner.email if profile.owner else None,
            backup_owner=profile.backup_owner.email if profile.backup_owner else None,
            status=ProfileStatus(profile.status),
            status_reason=profile.status_reason or "",
            status_changed_at=profile.status_changed_at,
            activity_note=profile.activity_note or "",
            review_interval_months=profile.review_interval_months,
            last_reviewed_at=profile.last_reviewed_at,
            last_reviewed_by=profile.last_reviewed_by.email if profile.last_reviewed_by else None,
            next_review_due=review_due_on(profile),
            credentials_note=profile.credentials_note or "",
            needs_attention=[r.code for r in reasons],
            attention=[AttentionReasonOut(code=r.code, message=r.message) for r in reasons],
            created_at=profile.created_at,
            updated_at=profile.updated_at,
        )


class ProfileList(BaseModel):
    items: list[ProfileOut]
    total: int


class ProfileQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    department: str | None = Field(default=None, description="Department slug")
    platform: str | None = Field(default=None, description="Platform slug")
    status: ProfileStatus | None = None
    attention: bool = Field(default=False, description="Only profiles that need attention")
    q: str | None = Field(default=None, max_length=500, description="Search text or any URL")
    sort: str = Field(
        default="name",
        description="name, platform, department, status, review_due, attention or updated",
    )
    desc: bool = False
    limit: int = Field(default=500, ge=1, le=5000)
    offset: int = Field(default=0, ge=0)


class ExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    department: str | None = None
    platform: str | None = None
    status: ProfileStatus | None = None
    attention: bool = False
    q: str | None = Field(default=None, max_length=500)


class LookupQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=500, description="Any URL or handle")


class VerifyQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(
        min_length=1, max_length=500, description="Any address or handle of an account"
    )


class VerifyOut(BaseModel):
    """The public answer: exactly these fields, never an owner, a note or an id."""

    status: Literal["official", "archived"] = Field(
        description="official (active or dormant) or archived (no longer in use)"
    )
    platform: str = Field(description="The platform's slug: x, facebook, instagram, ...")
    department: str = Field(description="The department's name")

    @classmethod
    def of(cls, answer: PublicAnswer) -> VerifyOut:
        return cls(status=answer.status, platform=answer.platform, department=answer.department)


class LookupOut(ProfileOut):
    official: bool = Field(description="Active or dormant: an account we run")
    verdict: str = Field(description="What to tell people, in one sentence")
    other_matches: list[int] = Field(description="Ids of further records the value names")


class ChangeOut(BaseModel):
    id: int
    field: str
    before: str | None
    after: str | None
    changed_by: str | None = Field(description="Email of who made the change")
    changed_at: dt.datetime

    @classmethod
    def of(cls, change: ChangeView) -> ChangeOut:
        return cls(
            id=change.id,
            field=change.field,
            before=change.before,
            after=change.after,
            changed_by=change.changed_by.email if change.changed_by else None,
            changed_at=change.changed_at,
        )


class ChangeList(BaseModel):
    items: list[ChangeOut]
    total: int


class ArchiveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(default=None, max_length=2000)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=2000)


class ImportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dry_run: bool = Field(default=False, description="1: check every row and write nothing")


class ImportRowOut(BaseModel):
    row: int = Field(description="Line number in the file (the header is line 1)")
    action: str = Field(description="create, update, unchanged or error")
    profile_id: int | None
    display_name: str
    changes: list[str]
    errors: dict[str, str]


class ImportReportOut(BaseModel):
    dry_run: bool
    applied: bool
    created: int
    updated: int
    unchanged: int
    errors: int
    rows: list[ImportRowOut]

    @classmethod
    def of(cls, report: ImportReport) -> ImportReportOut:
        return cls(
            dry_run=report.dry_run,
            applied=report.applied,
            created=report.count("create"),
            updated=report.count("update"),
            unchanged=report.count("unchanged"),
            errors=report.error_count,
            rows=[
                ImportRowOut(
                    row=r.row,
                    action=r.action,
                    profile_id=r.profile_id,
                    display_name=r.display_name,
                    changes=r.changes,
                    errors=r.errors,
                )
                for r in report.rows
            ],
        )
