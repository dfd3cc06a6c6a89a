"""Demo data: a council's social accounts on many platforms, some of them needing attention."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forum.accounts import services as account_services
from forum.accounts.demo import demo_email
from forum.accounts.models import User
from forum.core.db import utcnow
from forum.extensions import db
from forum.registry import services
from forum.registry.canonical import canonicalize
from forum.registry.demo_content import PROFILES


def _person(local: str | None) -> User | None:
    return account_services.user_by_email(demo_email(local)) if local else None


def seed() -> str:
    """Register the demo accounts that are not registered yet (by canonical URL)."""
    services.ensure_platforms()
    admin = _person("admin")
    if admin is None:
        return "0 social profiles (no demo staff)"
    now = utcnow()
    # One colleague is away without cover, so the register shows that gap.
    ben = _person("ben.carter")
    if ben is not None and ben.away_from is None:
        account_services.set_away(
            ben,
            away_from=now.date() - dt.timedelta(days=3),
            away_until=now.date() + dt.timedelta(days=10),
            cover=None,
        )
    created = 0
    for platform, url, name, department, owner, backup, age, status, extra in PROFILES:
        canonical = canonicalize(platform, url)
        platform_row = services.platform_by_slug(platform)
        if (
            platform_row is None
            or services.find_duplicate(
                platform_row,
                canonical.url,
                extra.get("platform_account_id") or canonical.account_id,
            )
            is not None
        ):
            continue
        registered = now - dt.timedelta(days=age)
        values: dict[str, Any] = {
            "platform": platform,
            "url": url,
            "display_name": name,
            "department": department,
            "owner": _person(owner),
            "backup_owner": _person(backup),
            "credentials_note": f"Team password manager, folder Social/{department.capitalize()}",
        }
        values.update(extra)
        initial = "proposed" if status == "proposed" else "active"
        profile = services.register_profile(admin, values, status=initial, now=registered)
        if status == "dormant":
            services.change_status(
                admin,
                profile,
                "dormant",
                reason="Paused: no capacity",
                now=registered + dt.timedelta(days=age // 2),
            )
        created += 1
    db.session.flush()
    return f"{created} social profiles"
