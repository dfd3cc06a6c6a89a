"""Rows for the social profile registry: profiles, their reviews, changes and thread links."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from forum.bench.shape import DEPARTMENTS, Person, ThreadShape
from forum.registry.canonical import canonicalize, handle_key
from forum.registry.models import EngagementMode, ProfilePurpose, ProfileStatus

# Platforms whose canonical form a plain handle gives (the registry's own rules make the URL).
PLATFORMS = ("x", "facebook", "instagram", "youtube", "tiktok", "threads")
NOUNS = ("parks", "libraries", "housing", "news", "events", "recycling", "museum", "youth")


def profiles(
    rng: random.Random,
    count: int,
    staff: list[Person],
    platform_ids: dict[str, int],
    start: dt.datetime,
    now: dt.datetime,
) -> list[dict[str, Any]]:
    """`count` accounts across departments and platforms, mostly active, some campaigns."""
    statuses = [s.value for s in ProfileStatus]
    modes = [m.value for m in EngagementMode]
    rows = []
    for number in range(1, count + 1):
        platform = PLATFORMS[number % len(PLATFORMS)]
        department = rng.randrange(len(DEPARTMENTS))
        # X allows 15 characters: "housinews1234".
        name = f"{DEPARTMENTS[department][0][:5]}{rng.choice(NOUNS)[:4]}{number}"
        canonical = canonicalize(platform, f"@{name}")
        campaign = rng.random() < 0.15
        created = start + dt.timedelta(days=rng.randint(0, 300))
        reviewed = created + dt.timedelta(days=rng.randint(1, 60)) if rng.random() < 0.7 else None
        status = rng.choices(statuses, weights=(1, 12, 3, 2))[0]
        rows.append(
            {
                "id": number,
                "platform_id": platform_ids[platform],
                "handle": canonical.handle,
                "handle_key": handle_key(canonical.handle or name),
                "url": canonical.url,
                "canonical_url": canonical.url,
                "platform_account_id": None,
                "display_name": f"{DEPARTMENTS[department][1]} {rng.choice(NOUNS)} {number}",
                "department_id": department + 1,
                "purpose": (
                    ProfilePurpose.CAMPAIGN if campaign else ProfilePurpose.BUSINESS_AS_USUAL
                ).value,
                "starts_on": created.date() if campaign else None,
                "ends_on": (now + dt.timedelta(days=rng.randint(-90, 90))).date()
                if campaign
                else None,
                "engagement_mode": rng.choice(modes),
                "description": "Posts news, answers questions and shares events.",
                "audience_size": rng.randint(50, 80_000) if rng.random() < 0.6 else None,
                "audience_counted_on": reviewed.date() if reviewed else None,
                "owner_id": rng.choice(staff).id if rng.random() < 0.95 else None,
                "backup_owner_id": rng.choice(staff).id if rng.random() < 0.6 else None,
                "status": status,
                "status_reason": "",
                "status_changed_at": created,
                "activity_note": "Paused until the spring campaign." if status == "dormant" else "",
                "review_interval_months": rng.choice((3, 6, 6, 12)),
                "last_reviewed_at": reviewed,
                "last_reviewed_by_id": rng.choice(staff).id if reviewed else None,
                "review_reminded_for": None,
                "credentials_note": "In the team password manager.",
                "created_by_id": rng.choice(staff).id,
                "created_at": created,
                "updated_at": reviewed or created,
            }
        )
    return rows


def reviews_changes_links(
    rng: random.Random,
    profile_rows: list[dict[str, Any]],
    threads: list[ThreadShape],
    staff: list[Person],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """A review for each reviewed profile, a status change for each, and links to threads."""
    reviews, changes, links = [], [], []
    for row in profile_rows:
        if row["last_reviewed_at"] is not None:
            reviews.append(
                {
                    "profile_id": row["id"],
                    "reviewed_by_id": row["last_reviewed_by_id"],
                    "reviewed_at": row["last_reviewed_at"],
                    "note": "Still ours, owners checked.",
                }
            )
        changes.append(
            {
                "profile_id": row["id"],
                "changed_by_id": row["created_by_id"],
                "changed_at": row["created_at"],
                "field": "status",
                "before": "proposed",
                "after": row["status"],
            }
        )
        if rng.random() < 0.15:
            thread = rng.choice(threads)
            links.append(
                {
                    "profile_id": row["id"],
                    "thread_id": thread.id,
                    "created_by_id": rng.choice(staff).id,
                    "created_at": max(row["created_at"], thread.created_at),
                }
            )
    return reviews, changes, links
