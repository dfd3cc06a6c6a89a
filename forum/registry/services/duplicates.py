"""One record per account: finding the record a URL or permanent id already has."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import or_, select

from forum.extensions import db
from forum.registry.models import Platform, SocialProfile
from forum.registry.services.validation import CleanProfile


def find_duplicate(
    platform: Platform, canonical_url: str, account_id: str | None, *, exclude_id: int | None = None
) -> SocialProfile | None:
    """The record of the same account: same permanent id on the platform, or same canonical
    URL unless both records carry different permanent ids (a handle someone else took over)."""
    conditions = [SocialProfile.canonical_url == canonical_url]
    if account_id:
        conditions.append(
            (SocialProfile.platform_id == platform.id)
            & (SocialProfile.platform_account_id == account_id)
        )
    query = select(SocialProfile).where(or_(*conditions)).order_by(SocialProfile.id)
    if exclude_id is not None:
        query = query.where(SocialProfile.id != exclude_id)
    return first_same_account(db.session.scalars(query), platform, account_id)


def first_same_account(
    candidates: Iterable[SocialProfile], platform: Platform, account_id: str | None
) -> SocialProfile | None:
    """The first candidate (same canonical URL or same permanent id) that is the same
    account: find_duplicate's rule, shared with imports that look candidates up in bulk."""
    for candidate in candidates:
        same_id = bool(
            account_id
            and candidate.platform_id == platform.id
            and candidate.platform_account_id == account_id
        )
        ids_differ = bool(
            account_id
            and candidate.platform_account_id
            and candidate.platform_account_id != account_id
        )
        if same_id or not ids_differ:
            return candidate
    return None


# How a caller finds the record of the same account: the database by default, or an
# import's in-memory index of the rows it loaded.
DuplicateFinder = Callable[[CleanProfile, int | None], SocialProfile | None]


def find_in_database(data: CleanProfile, exclude_id: int | None) -> SocialProfile | None:
    """The default DuplicateFinder: find_duplicate for checked values."""
    return find_duplicate(
        data.platform, data.canonical_url, data.platform_account_id, exclude_id=exclude_id
    )
