"""Registry health: profiles by status and platform, reviews, owners, campaigns, attention.

The needs-attention reasons are the registry's (issue 5), computed here as one aggregate query.
Everything is a snapshot "as of" a moment; archived profiles never count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select, true
from sqlalchemy.orm import aliased

from forum.accounts.models import User
from forum.extensions import db
from forum.insights.metrics.sql import add_months
from forum.registry.models import Platform, ProfilePurpose, ProfileStatus, SocialProfile

ATTENTION_REASONS = {
    "review_overdue": "Review overdue",
    "campaign_ended": "Campaign past its end date, still active",
    "owner_missing": "No owner",
    "owner_deactivated": "Owner deactivated",
    "owner_away_without_cover": "Owner away without cover",
    "no_backup": "No backup owner (single point of failure)",
    "backup_deactivated": "Backup owner deactivated",
    "backup_away_without_cover": "Backup owner away without cover",
    "dormant_without_note": "Dormant with no activity note",
}
REVIEWED_RECENTLY_MONTHS = 6


def _away(person: Any, today: dt.date) -> ColumnElement[bool]:
    return and_(or_(person.away_from.is_not(None), person.away_until.is_not(None)),
                or_(person.away_from.is_(None), person.away_from <= today),
                or_(person.away_until.is_(None), person.away_until >= today))


def _live(department_id: int | None) -> ColumnElement[bool]:
    department = (true() if department_id is None
                  else SocialProfile.department_id == department_id)
    return and_(SocialProfile.status != ProfileStatus.ARCHIVED.value, department)


def _reason_conditions(now: dt.datetime, owner: Any, backup: Any) -> dict[str, Any]:
    today = now.date()
    reviewed = func.coalesce(SocialProfile.last_reviewed_at, SocialProfile.created_at)
    return {
        "review_overdue": and_(
            SocialProfile.status.in_((ProfileStatus.ACTIVE.value, ProfileStatus.DORMANT.value)),
            add_months(reviewed, SocialProfile.review_interval_months) < now),
        "campaign_ended": and_(SocialProfile.purpose == ProfilePurpose.CAMPAIGN.value,
                               SocialProfile.ends_on < today,
                               SocialProfile.status == ProfileStatus.ACTIVE.value),
        "owner_missing": SocialProfile.owner_id.is_(None),
        "owner_deactivated": owner.is_active.is_(False),
        "owner_away_without_cover": and_(_away(owner, today), owner.cover_user_id.is_(None)),
        "no_backup": SocialProfile.backup_owner_id.is_(None),
        "backup_deactivated": backup.is_active.is_(False),
        "backup_away_without_cover": and_(_away(backup, today), backup.cover_user_id.is_(None)),
        "dormant_without_note": and_(SocialProfile.status == ProfileStatus.DORMANT.value,
                                     func.trim(SocialProfile.activity_note) == ""),
    }


@dataclass
class Attention:
    total: int
    by_reason: dict[str, int]


def profiles_needing_attention(now: dt.datetime, department_id: int | None = None) -> Attention:
    """Live profiles with at least one needs-attention reason, and how many have each reason."""
    owner, backup = aliased(User), aliased(User)
    conditions = _reason_conditions(now, owner, backup)
    flags = [func.coalesce(func.sum(case((cond, 1), else_=0)), 0).label(key)
             for key, cond in conditions.items()]
    any_reason = func.coalesce(func.sum(case((or_(*conditions.values()), 1), else_=0)), 0)
    row = db.session.execute(
        select(any_reason, *flags).select_from(SocialProfile)
        .outerjoin(owner, owner.id == SocialProfile.owner_id)
        .outerjoin(backup, backup.id == SocialProfile.backup_owner_id)
        .where(_live(department_id))).one()
    return Attention(total=int(row[0]),
                     by_reason={key: int(value) for key, value in zip(conditions, row[1:],
                                                                      strict=True)})


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


def registry_health(now: dt.datetime, department_id: int | None = None) -> RegistryHealth:
    """Live profiles per status and platform; reviews overdue (by each profile's own interval);
    single-owner accounts (an owner and no backup); campaigns whose end date has passed; and
    how many were reviewed within the last six months."""
    live = _live(department_id)
    owner, backup = aliased(User), aliased(User)
    by_platform: dict[str, dict[str, int]] = {}
    by_status = {status.value: 0 for status in ProfileStatus if status != ProfileStatus.ARCHIVED}
    for name, status, count in db.session.execute(
        select(Platform.name, SocialProfile.status, func.count())
        .join(Platform, Platform.id == SocialProfile.platform_id)
        .where(live).group_by(Platform.name, SocialProfile.status)
        .order_by(Platform.name)).all():
        by_platform.setdefault(name, {})[status] = int(count)
        by_status[status] = by_status.get(status, 0) + int(count)
    conditions = _reason_conditions(now, owner, backup)
    recent_cutoff = add_months(func.coalesce(SocialProfile.last_reviewed_at,
                                             SocialProfile.created_at),
                               REVIEWED_RECENTLY_MONTHS)

    def total_of(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    overdue, single, campaigns, recent = db.session.execute(
        select(total_of(conditions["review_overdue"]),
               total_of(and_(SocialProfile.owner_id.is_not(None),
                             SocialProfile.backup_owner_id.is_(None))),
               total_of(and_(SocialProfile.purpose == ProfilePurpose.CAMPAIGN.value,
                             SocialProfile.ends_on < now.date())),
               total_of(and_(SocialProfile.last_reviewed_at.is_not(None), recent_cutoff >= now)))
        .select_from(SocialProfile)
        .outerjoin(owner, owner.id == SocialProfile.owner_id)
        .outerjoin(backup, backup.id == SocialProfile.backup_owner_id)
        .where(live)).one()
    return RegistryHealth(by_status=by_status, by_platform=by_platform,
                          total=sum(by_status.values()), review_overdue=int(overdue),
                          single_owner=int(single), campaigns_past_end=int(campaigns),
                          reviewed_recently=int(recent))
