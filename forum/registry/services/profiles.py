"""Registering, editing, approving, archiving and reviewing profiles, with full history."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from forum.accounts.models import User
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid, NotFound, NotPermitted
from forum.extensions import db
from forum.registry import permissions
from forum.registry.models import (
    Platform,
    ProfileChange,
    ProfileReview,
    ProfileStatus,
    SocialProfile,
)
from forum.registry.services.validation import FIELDS, CleanProfile, clean, current_values

logger = logging.getLogger(__name__)

# Which status may follow which, and who may make the move.
TRANSITIONS: dict[ProfileStatus, tuple[ProfileStatus, ...]] = {
    ProfileStatus.PROPOSED: (ProfileStatus.ACTIVE, ProfileStatus.ARCHIVED),
    ProfileStatus.ACTIVE: (ProfileStatus.DORMANT, ProfileStatus.ARCHIVED),
    ProfileStatus.DORMANT: (ProfileStatus.ACTIVE, ProfileStatus.ARCHIVED),
    ProfileStatus.ARCHIVED: (ProfileStatus.DORMANT, ProfileStatus.ACTIVE),
}
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
    for candidate in db.session.scalars(query):
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


def describe(profile: SocialProfile) -> str:
    """A one-line name for messages: "#12 Parks on X (Parks and Leisure, active)"."""
    return (
        f"#{profile.id} {profile.display_name} on {profile.platform.name} "
        f"({profile.department.name}, {profile.status})"
    )


def _refuse_duplicate(data: CleanProfile, exclude_id: int | None = None) -> None:
    existing = find_duplicate(
        data.platform, data.canonical_url, data.platform_account_id, exclude_id=exclude_id
    )
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


def _apply(profile: SocialProfile, data: CleanProfile) -> dict[str, tuple[Any, Any]]:
    """Copy checked values onto the profile; returns {field: (before, after)} of real changes."""
    changed: dict[str, tuple[Any, Any]] = {}
    pairs = {
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
    for field, after in pairs.items():
        before = getattr(profile, field)
        if _display(field, before) != _display(field, after):
            changed[field] = (before, after)
        setattr(profile, field, after)
    profile.handle_key = data.handle_key
    return changed


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
    if not permissions.can_propose(actor):
        raise NotPermitted("Sign in with an active account to propose a profile.")
    now = now or utcnow()
    raw = dict(values)
    if not raw.get("owner"):
        raw["owner"] = actor
    data = clean(raw)
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
    _refuse_duplicate(data)
    profile = SocialProfile(
        created_by=actor,
        created_at=now,
        updated_at=now,
        status=wanted,
        status_reason=reason,
        status_changed_at=now,
    )
    _apply(profile, data)
    if wanted == ProfileStatus.ACTIVE:
        profile.last_reviewed_at, profile.last_reviewed_by = now, actor
    db.session.add(profile)
    db.session.flush()
    _record(profile, actor, "registered", None, f"{data.canonical_url} ({wanted.value})", now)
    db.session.flush()
    logger.info("profile %s registered (%s) by user %s", profile.id, wanted.value, actor.id)
    return profile


def update_profile(
    actor: User,
    profile: SocialProfile,
    values: Mapping[str, Any],
    *,
    now: dt.datetime | None = None,
) -> list[ProfileChange]:
    """Change some fields (only the keys given); every changed field is recorded.

    Owners, the department's enthusiasts, seniors and admins edit; moving a profile to another
    department needs the right to approve there. Archived profiles are read-only. Raises
    NotPermitted, Invalid (nothing changed), or Conflict when the new URL is another record's.
    """
    if not permissions.can_edit(actor, profile):
        raise NotPermitted(
            "Only the owners, the department's enthusiasts, seniors and admins "
            "may edit this profile."
        )
    if profile.status == ProfileStatus.ARCHIVED:
        raise Invalid(
            "Archived profiles cannot be edited; an admin can restore it first.",
            fields={"status": "Archived profiles cannot be edited."},
        )
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise Invalid(fields=dict.fromkeys(sorted(unknown), "Not a profile field."))
    now = now or utcnow()
    merged = current_values(profile)
    if "handle" in values and "url" not in values and values.get("handle") != profile.handle:
        merged["url"] = ""  # a new handle alone means a new address: derive it
    if "url" in values and "handle" not in values and values.get("url") != profile.url:
        merged["handle"] = ""  # a new address alone means the handle it names
    merged.update(values)
    data = clean(merged, current=profile)
    if data.department.id != profile.department_id and not permissions.can_approve(
        actor, data.department
    ):
        raise NotPermitted(
            f"Only {data.department.name}'s enthusiasts, seniors or admins may "
            "move a profile there."
        )
    if (
        data.canonical_url != profile.canonical_url
        or data.platform_account_id != profile.platform_account_id
    ):
        _refuse_duplicate(data, exclude_id=profile.id)
    changed = _apply(profile, data)
    changes = [
        _record(profile, actor, field, before, after, now)
        for field, (before, after) in changed.items()
    ]
    if changes:
        profile.updated_at = now
        db.session.flush()
        logger.info("profile %s edited by user %s: %s", profile.id, actor.id, ", ".join(changed))
    return changes


def _parse_status(value: ProfileStatus | str) -> ProfileStatus:
    try:
        return ProfileStatus(str(value).strip().lower())
    except ValueError as exc:
        raise Invalid(
            fields={"status": "Choose one of: " + ", ".join(s.value for s in ProfileStatus) + "."}
        ) from exc


def change_status(
    actor: User,
    profile: SocialProfile,
    status: ProfileStatus | str,
    *,
    reason: str = "",
    now: dt.datetime | None = None,
) -> SocialProfile:
    """Move a profile along proposed → active → dormant → archived (dormant ↔ active too).

    Approving (proposed → active) needs the right to approve for the department; active ↔
    dormant is for anyone who may edit; archiving and restoring are for admins. Dormant and
    archived need a reason. Raises Invalid for a move that is not allowed, NotPermitted.
    """
    new = _parse_status(status)
    old = ProfileStatus(profile.status)
    if new == old:
        raise Invalid(
            f"The profile is already {old.value}.", fields={"status": f"Already {old.value}."}
        )
    if new not in TRANSITIONS[old]:
        raise Invalid(
            f"A {old.value} profile cannot become {new.value}.",
            fields={"status": f"A {old.value} profile cannot become {new.value}."},
        )
    refusal = _move_refusal(actor, profile, old, new)
    if refusal:
        raise NotPermitted(refusal)
    reason = (reason or "").strip()
    if new in REASON_REQUIRED and not reason:
        raise Invalid(fields={"reason": f"Say why the profile is {new.value}."})
    if len(reason) > 2000:
        raise Invalid(fields={"reason": "Use at most 2000 characters."})
    now = now or utcnow()
    _record(profile, actor, "status", old.value, new.value, now)
    if reason != (profile.status_reason or ""):
        _record(profile, actor, "status_reason", profile.status_reason, reason, now)
    profile.status, profile.status_reason, profile.status_changed_at = new, reason, now
    profile.updated_at = now
    if old == ProfileStatus.PROPOSED and new == ProfileStatus.ACTIVE:
        # Approval is a review: the cycle starts from the day someone checked the account.
        profile.last_reviewed_at, profile.last_reviewed_by = now, actor
    db.session.flush()
    logger.info("profile %s %s -> %s by user %s", profile.id, old.value, new.value, actor.id)
    return profile


def approve_profile(
    actor: User, profile: SocialProfile, *, now: dt.datetime | None = None
) -> SocialProfile:
    """Approve a proposed profile (make it active); see change_status."""
    return change_status(actor, profile, ProfileStatus.ACTIVE, now=now)


def archive_profile(
    actor: User, profile: SocialProfile, *, reason: str, now: dt.datetime | None = None
) -> SocialProfile:
    """Archive a profile (admins only, with a reason); see change_status."""
    if not permissions.can_archive(actor):
        raise NotPermitted("Only admins archive profiles.")
    return change_status(actor, profile, ProfileStatus.ARCHIVED, reason=reason, now=now)


def mark_reviewed(
    actor: User, profile: SocialProfile, *, note: str = "", now: dt.datetime | None = None
) -> ProfileReview:
    """Record that someone who may edit checked the profile is still right; restarts the
    review cycle. Only active and dormant profiles are reviewed. Raises NotPermitted,
    Invalid."""
    if not permissions.can_edit(actor, profile):
        raise NotPermitted(
            "Only the owners, the department's enthusiasts, seniors and admins "
            "may review this profile."
        )
    if profile.status not in {ProfileStatus.ACTIVE, ProfileStatus.DORMANT}:
        raise Invalid(
            f"A {profile.status} profile is not reviewed.",
            fields={"note": f"A {profile.status} profile is not reviewed."},
        )
    note = (note or "").strip()
    if len(note) > 2000:
        raise Invalid(fields={"note": "Use at most 2000 characters."})
    now = now or utcnow()
    review = ProfileReview(profile=profile, reviewed_by=actor, reviewed_at=now, note=note)
    db.session.add(review)
    _record(profile, actor, "reviewed", profile.last_reviewed_at, now, now)
    if note:
        _record(profile, actor, "review_note", None, note, now)
    profile.last_reviewed_at, profile.last_reviewed_by = now, actor
    db.session.flush()
    return review


def reviews(profile: SocialProfile) -> list[ProfileReview]:
    """The profile's reviews, newest first."""
    return list(
        db.session.scalars(
            select(ProfileReview)
            .where(ProfileReview.profile_id == profile.id)
            .options(selectinload(ProfileReview.reviewed_by))
            .order_by(ProfileReview.reviewed_at.desc(), ProfileReview.id.desc())
        )
    )


def _move_refusal(
    user: User, profile: SocialProfile, old: ProfileStatus, new: ProfileStatus
) -> str | None:
    """Why `user` may not move `profile` from `old` to `new`, or None when they may."""
    if new == ProfileStatus.ARCHIVED or old == ProfileStatus.ARCHIVED:
        return None if permissions.can_archive(user) else "Only admins archive or restore profiles."
    if old == ProfileStatus.PROPOSED:
        return (
            None
            if permissions.can_approve(user, profile.department)
            else (f"Only {profile.department.name}'s enthusiasts, seniors or admins approve.")
        )
    return (
        None
        if permissions.can_edit(user, profile)
        else ("Only the owners, the department's enthusiasts, seniors and admins may do that.")
    )


def allowed_transitions(user: User, profile: SocialProfile) -> list[ProfileStatus]:
    """The statuses `user` may move `profile` to (what the status form offers)."""
    old = ProfileStatus(profile.status)
    return [new for new in TRANSITIONS[old] if _move_refusal(user, profile, old, new) is None]
