"""Registry health: profiles by status and platform, reviews, owners, campaigns, attention.

Everything is a snapshot "as of" a moment; archived profiles never count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select, true
from sqlalchemy.orm import selectinload

from forum.accounts.models import User
from forum.extensions import db
from forum.insights.metrics.sql import add_months
from forum.registry.models import Platform, ProfilePurpose, ProfileStatus, SocialProfile
from forum.registry.services.attention import ATTENTION_CODES, needs_attention

# The registry's own reason codes and labels (forum.registry.services.attention).
ATTENTION_REASONS = ATTENTION_CODES
REVIEWED_RECENTLY_MONTHS = 6


def _live(department_id: int | None) -> ColumnElement[bool]:
    department = true() if department_id is None else SocialProfile.department_id == department_id
    return and_(SocialProfile.status != ProfileStatus.ARCHIVED.value, department)


@dataclass
class Attention:
    total: int
    by_reason: dict[str, int]


def profiles_needing_attention(now: dt.datetime, department_id: int | None = None) -> Attention:
    """Live profiles with at least one needs-attention reason, and how many have each reason.

    The reasons are the registry's own rule (`registry.services.attention.needs_attention`),
    applied to the live profiles loaded with their owners and covers in four queries, so the
    dashboard and the register's badges never disagree.
    """
    today = now.date()
    profiles = db.session.scalars(
        select(SocialProfile)
        .where(_live(department_id))
        .options(
            selectinload(SocialProfile.owner).selectinload(User.cover_user),
            selectinload(SocialProfile.backup_owner).selectinload(User.cover_user),
        )
    ).all()
    by_reason = dict.fromkeys(ATTENTION_CODES, 0)
    total = 0
    for profile in profiles:
        reasons = needs_attention(profile, today)
        total += bool(reasons)
        for reason in reasons:
            by_reason[reason.code] = by_reason.get(reason.code, 0) + 1
    return Attention(total=total, by_reason=by_reason)


@dataclass
class RegistryHealth:
    by_status: dict[str, int]
    # platform name -> status -> count (live profiles only)
    by_platform: dict[str, dict[str, int]]
    total: int
    review_overdue: int
    single_owner: int
    campaigns_past_end: int
    reviewed_recently: int

    @property
    def percent_reviewed_recently(self) -> float | None:
        return None if not self.total else round(100.0 * self.reviewed_recently / self.total, 1)


def registry_health(
    now: dt.datetime, department_id: int | None = None, *, attention: Attention | None = None
) -> RegistryHealth:
    """Live profiles per status and platform; reviews overdue (the registry's rule);
    single-owner accounts (an owner and no backup); campaigns whose end date has passed; and
    how many were reviewed within the last six months.

    `attention`: profiles_needing_attention for the same `now` and department, when the caller
    has it already (it loads every live profile)."""
    live = _live(department_id)
    by_platform: dict[str, dict[str, int]] = {}
    by_status = {status.value: 0 for status in ProfileStatus if status != ProfileStatus.ARCHIVED}
    for name, status, count in db.session.execute(
        select(Platform.name, SocialProfile.status, func.count())
        .join(Platform, Platform.id == SocialProfile.platform_id)
        .where(live)
        .group_by(Platform.name, SocialProfile.status)
        .order_by(Platform.name)
    ).all():
        by_platform.setdefault(name, {})[status] = int(count)
        by_status[status] = by_status.get(status, 0) + int(count)
    recent_cutoff = add_months(
        func.coalesce(SocialProfile.last_reviewed_at, SocialProfile.created_at),
        REVIEWED_RECENTLY_MONTHS,
    )

    def total_of(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    single, campaigns, recent = db.session.execute(
        select(
            total_of(
                and_(SocialProfile.owner_id.is_not(None), SocialProfile.backup_owner_id.is_(None))
            ),
            total_of(
                and_(
                    SocialProfile.purpose == ProfilePurpose.CAMPAIGN.value,
                    SocialProfile.ends_on < now.date(),
                )
            ),
            total_of(and_(SocialProfile.last_reviewed_at.is_not(None), recent_cutoff >= now)),
        )
        .select_from(SocialProfile)
        .where(live)
    ).one()
    attention = attention or profiles_needing_attention(now, department_id)
    overdue = attention.by_reason["review_overdue"]
    return RegistryHealth(
        by_status=by_status,
        by_platform=by_platform,
        total=sum(by_status.values()),
        review_overdue=int(overdue),
        single_owner=int(single),
        campaigns_past_end=int(campaigns),
        reviewed_recently=int(recent),
    )
