"""The platform table: seeding the known platforms and reading them."""

from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.registry.models import Platform
from forum.registry.platforms import KNOWN_PLATFORMS


def ensure_platforms() -> int:
    """Insert every known platform that is missing (by slug); idempotent. Returns how many."""
    existing = set(db.session.scalars(select(Platform.slug)))
    added = 0
    for slug, name, order in KNOWN_PLATFORMS:
        if slug not in existing:
            db.session.add(Platform(slug=slug, name=name, sort_order=order))
            added += 1
    if added:
        db.session.flush()
    return added


def list_platforms() -> list[Platform]:
    """Every platform, in display order (seeding the known ones first if the table is empty)."""
    platforms = list(
        db.session.scalars(select(Platform).order_by(Platform.sort_order, Platform.name))
    )
    if not platforms and ensure_platforms():
        return list_platforms()
    return platforms


def platform_by_slug(slug: str) -> Platform | None:
    """The platform with this slug (case-insensitive), seeding known platforms on first use."""
    slug = (slug or "").strip().lower()
    platform = db.session.scalar(select(Platform).where(Platform.slug == slug))
    if platform is None and any(known == slug for known, _n, _o in KNOWN_PLATFORMS):
        ensure_platforms()
        platform = db.session.scalar(select(Platform).where(Platform.slug == slug))
    return platform
