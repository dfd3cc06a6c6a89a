"""The register's table: filters, search, sort and attention, in one query plus Python."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select

from forum.accounts import services as account_services
from forum.core.db import utcnow
from forum.core.errors import Invalid
from forum.extensions import db
from forum.registry.canonical import guess
from forum.registry.models import Platform, ProfileStatus, SocialProfile
from forum.registry.services.attention import Attention, needs_attention, review_due_on
from forum.registry.services.platforms import platform_by_slug
from forum.registry.services.profiles import STATUS_ORDER, _loaded


@dataclass
class ProfileRow:
    """A profile with what the table shows beside it."""

    profile: SocialProfile
    attention: list[Attention] = field(default_factory=list)
    review_due: dt.date | None = None


SORTS: dict[str, Callable[[ProfileRow], Any]] = {
    "name": lambda row: row.profile.display_name.lower(),
    "platform": lambda row: (row.profile.platform.sort_order, row.profile.display_name.lower()),
    "department": lambda row: (
        row.profile.department.name.lower(),
        row.profile.display_name.lower(),
    ),
    "status": lambda row: (
        STATUS_ORDER[ProfileStatus(row.profile.status)],
        row.profile.display_name.lower(),
    ),
    "review_due": lambda row: (row.review_due or dt.date.max, row.profile.display_name.lower()),
    "attention": lambda row: (-len(row.attention), row.profile.display_name.lower()),
    "updated": lambda row: row.profile.updated_at,
}
SORT_LABELS = {
    "name": "Name",
    "platform": "Platform",
    "department": "Department",
    "status": "Status",
    "review_due": "Review due",
    "attention": "Needs attention",
    "updated": "Recently changed",
}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_profiles(
    *,
    department: str | None = None,
    platform: str | None = None,
    status: str | None = None,
    attention: bool = False,
    q: str | None = None,
    sort: str = "name",
    descending: bool = False,
    today: dt.date | None = None,
) -> list[ProfileRow]:
    """Profiles matching the filters (department and platform by slug), each with its
    attention reasons. `q` matches name, handle, URL and description, and any URL form of
    an account. Attention is worked out in Python (it depends on people's away dates), which
    suits a register of hundreds or a few thousand accounts. Raises Invalid for unknown
    filter values.
    """
    today = today or utcnow().date()
    query = select(SocialProfile).options(*_loaded())
    errors: dict[str, str] = {}
    if department:
        found = account_services.department_by_slug(department.strip().lower())
        if found is None:
            errors["department"] = f"No department with slug {department!r}."
        else:
            query = query.where(SocialProfile.department_id == found.id)
    if platform:
        found_platform: Platform | None = platform_by_slug(platform)
        if found_platform is None:
            errors["platform"] = f"Unknown platform {platform!r}."
        else:
            query = query.where(SocialProfile.platform_id == found_platform.id)
    if status:
        try:
            query = query.where(SocialProfile.status == ProfileStatus(status.strip().lower()))
        except ValueError:
            errors["status"] = "Choose one of: " + ", ".join(s.value for s in ProfileStatus)
    if sort not in SORTS:
        errors["sort"] = "Sort by one of: " + ", ".join(SORTS) + "."
    if errors:
        raise Invalid("Unknown filter.", fields=errors)
    text = (q or "").strip()
    if text:
        pattern = f"%{_escape_like(text.lower())}%"
        matches = [
            func.lower(column).like(pattern, escape="\\")
            for column in (
                SocialProfile.display_name,
                SocialProfile.handle,
                SocialProfile.canonical_url,
                SocialProfile.url,
                SocialProfile.description,
                SocialProfile.platform_account_id,
            )
        ]
        canonical_urls = [reading.url for reading in guess(text)]
        if canonical_urls:
            matches.append(SocialProfile.canonical_url.in_(canonical_urls))
        query = query.where(or_(*matches))
    rows = [
        ProfileRow(profile, needs_attention(profile, today), review_due_on(profile))
        for profile in db.session.scalars(query)
    ]
    if attention:
        rows = [row for row in rows if row.attention]
    rows.sort(key=SORTS[sort], reverse=descending)
    return rows


def attention_counts(rows: list[ProfileRow]) -> dict[str, int]:
    """How many profiles have each attention reason: the summary above the table."""
    counts: dict[str, int] = {}
    for row in rows:
        for reason in row.attention:
            counts[reason.code] = counts.get(reason.code, 0) + 1
    return counts
