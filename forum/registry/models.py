"""The social profile registry: platforms, profiles, their change history, reviews and links."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import Department, User
from forum.core.db import UTCDateTime, utcnow
from forum.core.security import new_token
from forum.extensions import Model


def new_badge_key() -> str:
    """A badge page key: 16 URL-safe characters, 96 random bits."""
    return new_token(12)


class ProfileStatus(enum.StrEnum):
    """Lifecycle of a registered account: proposed → active → dormant → archived."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    DORMANT = "dormant"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ProfilePurpose(enum.StrEnum):
    BUSINESS_AS_USUAL = "business_as_usual"
    CAMPAIGN = "campaign"

    @property
    def label(self) -> str:
        return {"business_as_usual": "Business as usual", "campaign": "Campaign"}[self.value]


class EngagementMode(enum.StrEnum):
    COMMUNICATING = "communicating"
    ENGAGING = "engaging"
    COLLABORATING = "collaborating"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Platform(Model):
    """A social platform accounts live on; rows come from platforms.KNOWN_PLATFORMS."""

    __tablename__ = "platforms"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<Platform {self.slug}>"


class SocialProfile(Model):
    """One account the organization runs on one platform: one row per account."""

    __tablename__ = "social_profiles"
    __table_args__ = (
        # A platform's permanent account id identifies one account, whatever its handle.
        UniqueConstraint(
            "platform_id",
            "platform_account_id",
            name="uq_social_profiles_platform_id_platform_account_id",
        ),
        Index("ix_social_profiles_status_department_id", "status", "department_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), index=True)
    # The handle as people write it ("@ParksDept", "r/london", "@news@social.example").
    handle: Mapped[str] = mapped_column(String(200), default="")
    # Lower-cased handle without the leading "@", for lookups by handle alone.
    handle_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    # The URL as entered, and the canonical form every duplicate check and lookup compares.
    url: Mapped[str] = mapped_column(String(500))
    # Not unique in the database: a handle we gave up and someone else took may be registered
    # again under its new permanent id; services enforce "one record per account".
    canonical_url: Mapped[str] = mapped_column(String(500), index=True)
    platform_account_id: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    purpose: Mapped[ProfilePurpose] = mapped_column(
        String(30), default=ProfilePurpose.BUSINESS_AS_USUAL
    )
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    engagement_mode: Mapped[EngagementMode] = mapped_column(
        String(20), default=EngagementMode.COMMUNICATING
    )
    description: Mapped[str] = mapped_column(Text, default="")
    audience_size: Mapped[int | None] = mapped_column(Integer)
    audience_counted_on: Mapped[dt.date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    backup_owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ProfileStatus] = mapped_column(String(20), default=ProfileStatus.PROPOSED)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # What is (or is not) happening on a dormant account, so dormancy is a decision, not neglect.
    activity_note: Mapped[str] = mapped_column(Text, default="")
    review_interval_months: Mapped[int] = mapped_column(Integer, default=6)
    last_reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # The review due date owners were last reminded about: one reminder per due period.
    review_reminded_for: Mapped[dt.date | None] = mapped_column(Date)
    # Where the credentials are kept: a note only, never a password.
    credentials_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The address of the public badge page, /verify/<badge_key>: random, so nobody can walk
    # the register (its archived, given-up handles) by counting ids. Every row has one
    # (migration 0030 filled the older rows); nullable only so SQLite needs no table rebuild.
    badge_key: Mapped[str | None] = mapped_column(
        String(32), default=new_badge_key, index=True, unique=True
    )

    platform: Mapped[Platform] = relationship()
    department: Mapped[Department] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    backup_owner: Mapped[User | None] = relationship(foreign_keys=[backup_owner_id])
    last_reviewed_by: Mapped[User | None] = relationship(foreign_keys=[last_reviewed_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    changes: Mapped[list[ProfileChange]] = relationship(
        back_populates="profile",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ProfileChange.id",
    )
    reviews: Mapped[list[ProfileReview]] = relationship(
        back_populates="profile",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ProfileReview.id",
    )

    @property
    def status_enum(self) -> ProfileStatus:
        return ProfileStatus(self.status)

    @property
    def purpose_enum(self) -> ProfilePurpose:
        return ProfilePurpose(self.purpose)

    @property
    def engagement_enum(self) -> EngagementMode:
        return EngagementMode(self.engagement_mode)

    def __repr__(self) -> str:
        return f"<SocialProfile {self.id} {self.canonical_url}>"


class ProfileChange(Model):
    """One changed field of a profile: who, when, before and after."""

    __tablename__ = "profile_changes"
    __table_args__ = (
        Index("ix_profile_changes_profile_id_changed_at", "profile_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("social_profiles.id", ondelete="CASCADE"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    field: Mapped[str] = mapped_column(String(60))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)

    profile: Mapped[SocialProfile] = relationship(back_populates="changes")
    changed_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ProfileChange {self.profile_id} {self.field}>"


class ProfileReview(Model):
    """A "mark reviewed": someone checked the account is still right, with a note."""

    __tablename__ = "profile_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("social_profiles.id", ondelete="CASCADE"), index=True
    )
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    profile: Mapped[SocialProfile] = relationship(back_populates="reviews")
    reviewed_by: Mapped[User | None] = relationship()


class ProfileThreadLink(Model):
    """A forum thread that references a profile (the profile page lists them)."""

    __tablename__ = "profile_thread_links"

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("social_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    profile: Mapped[SocialProfile] = relationship()
    created_by: Mapped[User | None] = relationship()
