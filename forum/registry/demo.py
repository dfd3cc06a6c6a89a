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

# (platform, address, display name, department, owner, backup or None, registered days ago,
#  status, extra fields). Owners are demo staff (local part of their email).
PROFILES: list[tuple[str, str, str, str, str, str | None, int, str, dict[str, Any]]] = [
    (
        "x",
        "https://twitter.com/NorthbrookCC",
        "Northbrook Council",
        "communications",
        "priya.shah",
        "sam.riley",
        60,
        "active",
        {"engagement_mode": "engaging", "audience_size": 48200, "platform_account_id": "1187364"},
    ),
    (
        "facebook",
        "https://www.facebook.com/NorthbrookCouncil",
        "Northbrook Council",
        "communications",
        "sam.riley",
        "david.kim",
        90,
        "active",
        {"audience_size": 31750, "engagement_mode": "engaging"},
    ),
    (
        "instagram",
        "https://www.instagram.com/northbrook_council/",
        "Northbrook Council",
        "communications",
        "david.kim",
        "sam.riley",
        120,
        "active",
        {"audience_size": 12900},
    ),
    (
        "linkedin",
        "https://www.linkedin.com/company/northbrook-council/",
        "Northbrook Council",
        "communications",
        "priya.shah",
        "hana.suzuki",
        45,
        "active",
        {"description": "Jobs, tenders and corporate news.", "audience_size": 8800},
    ),
    (
        "youtube",
        "https://www.youtube.com/@NorthbrookCouncil",
        "Northbrook Council TV",
        "communications",
        "david.kim",
        "priya.shah",
        300,
        "active",
        {
            "platform_account_id": "UCq3Xb7NnW2kP8vZr5mT1aYc",
            "description": "Full council meetings, live and on demand.",
        },
    ),
    (
        "tiktok",
        "https://www.tiktok.com/@northbrookcouncil",
        "Northbrook Council",
        "communications",
        "sam.riley",
        None,
        70,
        "active",
        {"description": "Short explainers. Backup still to be found."},
    ),
    (
        "threads",
        "https://www.threads.net/@northbrook_council",
        "Northbrook Council",
        "communications",
        "david.kim",
        "sam.riley",
        30,
        "active",
        {},
    ),
    (
        "bluesky",
        "https://bsky.app/profile/northbrook.gov.example",
        "Northbrook Council",
        "communications",
        "sam.riley",
        "priya.shah",
        20,
        "active",
        {"platform_account_id": "did:plc:n4rthbr00kc0unc1labcdefg"},
    ),
    (
        "mastodon",
        "@news@social.northbrook.example",
        "Northbrook News",
        "communications",
        "hana.suzuki",
        "sam.riley",
        40,
        "active",
        {"engagement_mode": "communicating"},
    ),
    (
        "whatsapp",
        "https://whatsapp.com/channel/0029VaNorthbrookNews1A2b",
        "Northbrook updates",
        "communications",
        "priya.shah",
        "david.kim",
        25,
        "active",
        {},
    ),
    (
        "x",
        "https://x.com/NorthbrookVotes",
        "Northbrook Elections 2025",
        "communications",
        "priya.shah",
        "sam.riley",
        260,
        "active",
        {
            "purpose": "campaign",
            "starts_on": "2025-03-01",
            "ends_on": "2025-05-15",
            "description": "Voter registration campaign for the May elections.",
        },
    ),
    (
        "x",
        "https://x.com/NorthbrookHomes",
        "Northbrook Housing",
        "housing",
        "tom.hughes",
        "omar.haddad",
        150,
        "active",
        {"audience_size": 6100},
    ),
    (
        "facebook",
        "https://m.facebook.com/NorthbrookHousing/",
        "Northbrook Housing",
        "housing",
        "omar.haddad",
        "arjun.patel",
        400,
        "active",
        {"review_interval_months": 6, "audience_size": 9400},
    ),
    (
        "instagram",
        "https://instagram.com/northbrook.housing",
        "Northbrook Housing",
        "housing",
        "arjun.patel",
        None,
        35,
        "proposed",
        {"description": "Proposed: photos of new homes and repairs."},
    ),
    (
        "youtube",
        "https://www.youtube.com/channel/UCh0us1ngN0rthbr00kTV1a2",
        "Housing repairs how-to",
        "housing",
        "omar.haddad",
        "tom.hughes",
        220,
        "dormant",
        {"activity_note": "No new videos until the repairs contract is renewed in spring."},
    ),
    (
        "facebook",
        "https://www.facebook.com/NorthbrookLibraries",
        "Northbrook Libraries",
        "libraries",
        "lena.fischer",
        "zoe.martin",
        100,
        "active",
        {"audience_size": 5400},
    ),
    (
        "instagram",
        "https://www.instagram.com/northbrooklibraries",
        "Northbrook Libraries",
        "libraries",
        "zoe.martin",
        "lena.fischer",
        80,
        "active",
        {"audience_size": 3900},
    ),
    (
        "x",
        "https://twitter.com/NbrookLibraries",
        "Northbrook Libraries",
        "libraries",
        "lena.fischer",
        "zoe.martin",
        500,
        "dormant",
        {},
    ),
    (
        "tiktok",
        "https://www.tiktok.com/@northbrookreads",
        "Northbrook Reads",
        "libraries",
        "zoe.martin",
        "lena.fischer",
        50,
        "active",
        {
            "purpose": "campaign",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "description": "Reading challenge for teenagers.",
        },
    ),
    (
        "flickr",
        "https://www.flickr.com/photos/northbrookarchive/",
        "Local history archive",
        "libraries",
        "lena.fischer",
        "zoe.martin",
        60,
        "active",
        {"engagement_mode": "collaborating"},
    ),
    (
        "pinterest",
        "https://uk.pinterest.com/northbrooklibraries/",
        "Northbrook Libraries",
        "libraries",
        "zoe.martin",
        None,
        200,
        "active",
        {},
    ),
    (
        "instagram",
        "https://www.instagram.com/northbrookparks/",
        "Northbrook Parks",
        "parks",
        "grace.lee",
        "mia.evans",
        110,
        "active",
        {"audience_size": 7200},
    ),
    (
        "x",
        "https://mobile.twitter.com/NorthbrookParks",
        "Northbrook Parks",
        "parks",
        "mia.evans",
        "chloe.wright",
        130,
        "active",
        {},
    ),
    (
        "facebook",
        "https://www.facebook.com/profile.php?id=100064987654321",
        "Northbrook Parks and Leisure",
        "parks",
        "chloe.wright",
        "mia.evans",
        75,
        "active",
        {},
    ),
    (
        "snapchat",
        "https://www.snapchat.com/add/nbrookparks",
        "Parks summer",
        "parks",
        "mia.evans",
        "grace.lee",
        280,
        "active",
        {
            "purpose": "campaign",
            "starts_on": "2025-06-01",
            "ends_on": "2025-09-01",
            "description": "Summer events in the parks.",
        },
    ),
    (
        "reddit",
        "https://www.reddit.com/r/NorthbrookParks/",
        "r/NorthbrookParks",
        "parks",
        "chloe.wright",
        "ben.carter",
        60,
        "active",
        {"engagement_mode": "collaborating"},
    ),
    (
        "twitch",
        "https://www.twitch.tv/northbrookleisure",
        "Northbrook Leisure esports",
        "parks",
        "chloe.wright",
        "mia.evans",
        240,
        "dormant",
        {},
    ),
    (
        "x",
        "https://x.com/NorthbrookBins",
        "Northbrook Bins",
        "waste",
        "jack.turner",
        "ben.carter",
        90,
        "active",
        {"audience_size": 2300, "engagement_mode": "engaging"},
    ),
    (
        "facebook",
        "https://www.facebook.com/NorthbrookRecycles",
        "Northbrook Recycles",
        "waste",
        "ben.carter",
        None,
        150,
        "active",
        {},
    ),
    (
        "youtube",
        "https://www.youtube.com/@NorthbrookRecycles",
        "Recycling explained",
        "waste",
        "jack.turner",
        "ben.carter",
        45,
        "active",
        {},
    ),
    (
        "linkedin",
        "https://www.linkedin.com/showcase/northbrook-revenues",
        "Revenues and Benefits",
        "revenues",
        "felix.brown",
        "nia.roberts",
        55,
        "active",
        {},
    ),
    (
        "x",
        "https://x.com/NbrookBenefits",
        "Cost of living help",
        "revenues",
        "nia.roberts",
        "felix.brown",
        95,
        "active",
        {"purpose": "campaign", "starts_on": "2025-10-01", "ends_on": "2026-03-31"},
    ),
    (
        "other",
        "https://forum.northbrook-digital.example/groups/open-data",
        "Open data community",
        "digital",
        "ella.morgan",
        "admin",
        65,
        "active",
        {"engagement_mode": "collaborating", "description": "Discourse forum for open data users."},
    ),
    (
        "bluesky",
        "https://bsky.app/profile/digital.northbrook.gov.example",
        "Northbrook Digital",
        "digital",
        "ella.morgan",
        "admin",
        15,
        "proposed",
        {},
    ),
]


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
