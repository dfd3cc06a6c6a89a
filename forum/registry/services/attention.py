"""Why a profile needs attention: overdue review, ended campaign, missing or absent owners."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from forum.accounts.models import User
from forum.registry.models import ProfilePurpose, ProfileStatus, SocialProfile


@dataclass(frozen=True)
class Attention:
    """One reason a profile needs attention: a stable code and a sentence for people."""

    code: str
    message: str


ATTENTION_CODES: dict[str, str] = {
    "review_overdue": "Review overdue",
    "campaign_ended": "Campaign ended but still active",
    "owner_missing": "No owner",
    "owner_deactivated": "Owner deactivated",
    "owner_away": "Owner away without cover",
    "backup_missing": "No backup owner (single point of failure)",
    "backup_deactivated": "Backup owner deactivated",
    "backup_away": "Backup owner away without cover",
    "dormant_without_note": "Dormant with no activity note",
}


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_due_on(profile: SocialProfile) -> dt.date | None:
    """When the next review is due: the interval after the last review (or registration).

    Proposed and archived profiles have no review cycle.
    """
    if profile.status in {ProfileStatus.PROPOSED, ProfileStatus.ARCHIVED}:
        return None
    since = profile.last_reviewed_at or profile.created_at
    return add_months(since.date(), int(profile.review_interval_months or 6))


def _person_problem(person: User | None, role: str, today: dt.date) -> Attention | None:
    if person is None:
        return Attention(f"{role}_missing", ATTENTION_CODES[f"{role}_missing"])
    if not person.is_active:
        return Attention(
            f"{role}_deactivated",
            f"{ATTENTION_CODES[f'{role}_deactivated']}: {person.display_name}",
        )
    if person.is_away(today):
        cover = person.cover_user
        if cover is None or not cover.is_active or cover.is_away(today):
            return Attention(
                f"{role}_away", f"{ATTENTION_CODES[f'{role}_away']}: {person.display_name}"
            )
    return None


def needs_attention(profile: SocialProfile, today: dt.date) -> list[Attention]:
    """Every reason this profile needs someone to act, in a fixed order; [] when all is well.

    Archived profiles never need attention. The owners' rules apply to proposed profiles too
    (a proposal without a backup is already a single point of failure).
    """
    status = ProfileStatus(profile.status)
    if status == ProfileStatus.ARCHIVED:
        return []
    reasons: list[Attention] = []
    due = review_due_on(profile)
    if due is not None and due < today:
        reasons.append(Attention("review_overdue", f"Review overdue since {due.isoformat()}"))
    if (
        status == ProfileStatus.ACTIVE
        and profile.purpose == ProfilePurpose.CAMPAIGN
        and profile.ends_on is not None
        and profile.ends_on < today
    ):
        reasons.append(
            Attention(
                "campaign_ended",
                f"Campaign ended on {profile.ends_on.isoformat()} but the account is still active",
            )
        )
    for person, role in ((profile.owner, "owner"), (profile.backup_owner, "backup")):
        problem = _person_problem(person, role, today)
        if problem is not None:
            reasons.append(problem)
    if status == ProfileStatus.DORMANT and not (profile.activity_note or "").strip():
        reasons.append(Attention("dormant_without_note", ATTENTION_CODES["dormant_without_note"]))
    return reasons
