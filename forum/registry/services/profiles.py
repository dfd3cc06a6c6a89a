"""Registering profiles, loading one, and the change records every edit writes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import selectinload

from forum.accounts.models import User
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid, NotFound, NotPermitted
from forum.extensions import db
from forum.registry import permissions
from forum.registry.models import (
    Platform,
    ProfileChange,
    ProfileStatus,
    SocialProfile,
)
from forum.registry.services.duplicates import DuplicateFinder, find_in_database
from forum.registry.services.validation import (
    CleanProfile,
    Lookups,
    clean,
)

logger = logging.getLogger(__name__)

REASON_REQUIRED = frozenset({ProfileStatus.DORMANT, ProfileStatus.ARCHIVED})
STATUS_ORDER = {
    ProfileStatus.ACTIVE: 0,
    ProfileStatus.DORMANT: 1,
    ProfileStatus.PROPOSED: 2,
    ProfileStatus.ARCHIVED: 3,
}


def _loaded() -> Any:
    """Options that load what pages, the API and attention rules read from a profile."""
    return (
        selectinload(SocialProfile.platform),
        selectinload(SocialProfile.department),
        selectinload(SocialProfile.owner).selectinload(User.cover_user),
        selectinload(SocialProfile.backup_owner).selectinload(User.cover_user),
        selectinload(SocialProfile.last_reviewed_by),
    )


def get_profile(profile_id: int) -> SocialProfile:
    """The profile with this id; NotFound otherwise. Every member of staff may see every
    profile: the register exists so anyone can check what is official."""
    profile = db.session.scalar(
        select(SocialProfile).where(SocialProfile.id == profile_id).options(*_loaded())
    )
    if profile is None:
        raise NotFound("No profile with that id.")
    return profile


def describe(profile: SocialProfile) -> str:
    """A one-line name for messages: "#12 Parks on X (Parks and Leisure, active)"."""
    return (
        f"#{profile.id} {profile.display_name} on {profile.platform.name} "
        f"({profile.department.name}, {profile.status})"
    )


def _refuse_duplicate(
    data: CleanProfile, exclude_id: int | None = None, find: DuplicateFinder | None = None
) -> None:
    existing = (find or find_in_database)(data, exclude_id)
    if existing is not None:
        message = f"This account is already registered as {describe(existing)}."
        raise Conflict(message, fields={"url": message})


def _display(field: str, value: Any) -> str | None:
    """How a field's value is written in the history: emails, slugs, ISO dates."""
    if value is None or value == "":
        return None
    if isinstance(value, User):
        return value.email
    if isinstance(value, Platform):
        return value.slug
    if hasattr(value, "slug"):
        return str(value.slug)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _record(
    profile: SocialProfile,
    actor: User | None,
    field: str,
    before: Any,
    after: Any,
    now: dt.datetime,
) -> ProfileChange:
    change = ProfileChange(
        profile=profile,
        changed_by=actor,
        changed_at=now,
        field=field,
        before=_display(field, before),
        after=_display(field, after),
    )
    db.session.add(change)
    return change


def _pairs(data: CleanProfile) -> dict[str, Any]:
    """Each stored attribute and the value checked data gives it."""
    return {
        "platform": data.platform,
        "url": data.url,
        "handle": data.handle,
        "platform_account_id": data.platform_account_id,
        "display_name": data.display_name,
        "department": data.department,
        "purpose": data.purpose,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "engagement_mode": data.engagement_mode,
        "description": data.description,
        "audience_size": data.audience_size,
        "audience_counted_on": data.audience_counted_on,
        "owner": data.owner,
        "backup_owner": data.backup_owner,
        "review_interval_months": data.review_interval_months,
        "credentials_note": data.credentials_note,
        "activity_note": data.activity_note,
        "canonical_url": data.canonical_url,
    }


def changed_fields(profile: SocialProfile, data: CleanProfile) -> list[str]:
    """The fields `write_update` would record for `data`, without changing anything."""
    return [
        field
        for field, after in _pairs(data).items()
        if _display(field, getattr(profile, field)) != _display(field, after)
    ]


def _apply(profile: SocialProfile, data: CleanProfile) -> dict[str, tuple[Any, Any]]:
    """Copy checked values onto the profile; returns {field: (before, after)} of real changes."""
    changed: dict[str, tuple[Any, Any]] = {}
    for field, after in _pairs(data).items():
        before = getattr(profile, field)
        if _display(field, before) != _display(field, after):
            changed[field] = (before, after)
        setattr(profile, field, after)
    profile.handle_key = data.handle_key
    return changed


@dataclass(frozen=True)
class Registration:
    """A registration that passed every rule: what `create_profile` writes."""

    data: CleanProfile
    status: ProfileStatus
    reason: str


def prepare_registration(
    actor: User,
    values: Mapping[str, Any],
    *,
    status: ProfileStatus | str | None = None,
    status_reason: str = "",
    lookups: Lookups | None = None,
    find: DuplicateFinder | None = None,
    checked: CleanProfile | None = None,
) -> Registration:
    """Check a registration against every rule of `register_profile` and write nothing.

    Raises what register_profile raises. `lookups` and `find` let an import resolve
    platforms, departments, people and existing records from rows it loaded in bulk;
    `checked` is `values` already cleaned (with the owner defaulting to `actor`).
    """
    if not permissions.can_propose(actor):
        raise NotPermitted("Sign in with an active account to propose a profile.")
    raw = dict(values)
    if not raw.get("owner"):
        raw["owner"] = actor
    data = checked if checked is not None else clean(raw, lookups=lookups)
    may_approve = permissions.can_approve(actor, data.department)
    wanted = (
        _parse_status(status)
        if status
        else (ProfileStatus.ACTIVE if may_approve else ProfileStatus.PROPOSED)
    )
    if wanted in {ProfileStatus.ACTIVE, ProfileStatus.DORMANT} and not may_approve:
        raise NotPermitted(
            f"Only {data.department.name}'s enthusiasts, seniors or admins may "
            "register an account as active; propose it instead."
        )
    if wanted == ProfileStatus.ARCHIVED and not permissions.can_archive(actor):
        raise NotPermitted("Only admins may register an archived account.")
    reason = (status_reason or "").strip()
    if wanted in REASON_REQUIRED and not reason:
        raise Invalid(fields={"status_reason": "Say why the account is " + wanted.value + "."})
    _refuse_duplicate(data, find=find)
    return Registration(data, wanted, reason)


# Fields of `_pairs` stored as a foreign key to another row.
_RELATED = frozenset({"platform", "department", "owner", "backup_owner"})


def _new_columns(actor: User, registration: Registration, now: dt.datetime) -> dict[str, Any]:
    """Every column of a newly registered profile, foreign keys by id: the one description
    of a new row that `create_profile` and `insert_profiles` both write."""
    columns: dict[str, Any] = {}
    for name, value in _pairs(registration.data).items():
        if name in _RELATED:
            columns[f"{name}_id"] = value.id if value is not None else None
        else:
            columns[name] = value
    active = registration.status == ProfileStatus.ACTIVE
    columns.update(
        handle_key=registration.data.handle_key,
        status=registration.status,
        status_reason=registration.reason,
        status_changed_at=now,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
        last_reviewed_at=now if active else None,
        last_reviewed_by_id=actor.id if active else None,
    )
    return columns


def _registered_note(registration: Registration) -> str:
    return f"{registration.data.canonical_url} ({registration.status.value})"


def create_profile(actor: User, registration: Registration, now: dt.datetime) -> SocialProfile:
    """Add a prepared registration and its history entry to the session (no flush)."""
    profile = SocialProfile(**_new_columns(actor, registration, now))
    db.session.add(profile)
    _record(profile, actor, "registered", None, _registered_note(registration), now)
    return profile


def insert_profiles(actor: User, registrations: list[Registration], now: dt.datetime) -> list[int]:
    """Write prepared registrations and their history entries as `create_profile` would,
    in a few statements rather than several per profile (an import's batch). Returns the
    new ids in the order given."""
    if not registrations:
        return []
    ids = list(
        db.session.scalars(
            insert(SocialProfile).returning(SocialProfile.id, sort_by_parameter_order=True),
            [_new_columns(actor, registration, now) for registration in registrations],
        )
    )
    db.session.execute(
        insert(ProfileChange),
        [
            {
                "profile_id": profile_id,
                "changed_by_id": actor.id,
                "changed_at": now,
                "field": "registered",
                "before": None,
                "after": _registered_note(registration),
            }
            for profile_id, registration in zip(ids, registrations, strict=True)
        ],
    )
    return ids


def register_profile(
    actor: User,
    values: Mapping[str, Any],
    *,
    status: ProfileStatus | str | None = None,
    status_reason: str = "",
    now: dt.datetime | None = None,
) -> SocialProfile:
    """Register an account. Any member proposes; someone who may approve for the department
    (its enthusiasts, seniors, admins) registers it `active` by default.

    The owner defaults to the person registering. Raises Invalid (every field problem at
    once), Conflict naming the existing record when the account is already registered (in
    any URL form, or by permanent id), NotPermitted when asking for a status one may not set.
    """
    registration = prepare_registration(actor, values, status=status, status_reason=status_reason)
    profile = create_profile(actor, registration, now or utcnow())
    db.session.flush()
    logger.info(
        "profile %s registered (%s) by user %s", profile.id, registration.status.value, actor.id
    )
    return profile


def _parse_status(value: ProfileStatus | str) -> ProfileStatus:
    try:
        return ProfileStatus(str(value).strip().lower())
    except ValueError as exc:
        raise Invalid(
            fields={"status": "Choose one of: " + ", ".join(s.value for s in ProfileStatus) + "."}
        ) from exc


def profiles_held_by(user: User) -> list[SocialProfile]:
    """The profiles `user` owns or backs up (archived ones left out), by name: what their
    person page lists. Every member of staff may see every profile."""
    return list(
        db.session.scalars(
            select(SocialProfile)
            .where(
                or_(SocialProfile.owner_id == user.id, SocialProfile.backup_owner_id == user.id),
                SocialProfile.status != ProfileStatus.ARCHIVED,
            )
            .options(*_loaded())
            .order_by(func.lower(SocialProfile.display_name))
        )
    )
