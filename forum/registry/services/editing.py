"""Editing a registered profile: the rules, then the changed fields, each recorded."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from forum.accounts.models import User
from forum.core.db import utcnow
from forum.core.errors import Invalid, NotPermitted
from forum.extensions import db
from forum.registry import permissions
from forum.registry.models import ProfileChange, ProfileStatus, SocialProfile
from forum.registry.services.duplicates import DuplicateFinder
from forum.registry.services.profiles import _apply, _record, _refuse_duplicate
from forum.registry.services.validation import (
    FIELDS,
    CleanProfile,
    Lookups,
    clean,
    current_values,
)

logger = logging.getLogger(__name__)


def prepare_update(
    actor: User,
    profile: SocialProfile,
    values: Mapping[str, Any],
    *,
    lookups: Lookups | None = None,
    find: DuplicateFinder | None = None,
) -> CleanProfile:
    """Check an edit against every rule of `update_profile` and write nothing; returns the
    profile's values as they would be. Raises what update_profile raises."""
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
    merged = current_values(profile)
    if "handle" in values and "url" not in values and values.get("handle") != profile.handle:
        merged["url"] = ""  # a new handle alone means a new address: derive it
    if "url" in values and "handle" not in values and values.get("url") != profile.url:
        merged["handle"] = ""  # a new address alone means the handle it names
    merged.update(values)
    data = clean(merged, current=profile, lookups=lookups)
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
        _refuse_duplicate(data, exclude_id=profile.id, find=find)
    return data


def write_update(
    actor: User, profile: SocialProfile, data: CleanProfile, now: dt.datetime
) -> list[ProfileChange]:
    """Copy a prepared edit onto the profile and record each changed field (no flush)."""
    changed = _apply(profile, data)
    changes = [
        _record(profile, actor, field, before, after, now)
        for field, (before, after) in changed.items()
    ]
    if changes:
        profile.updated_at = now
    return changes


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
    data = prepare_update(actor, profile, values)
    changes = write_update(actor, profile, data, now or utcnow())
    if changes:
        db.session.flush()
        logger.info(
            "profile %s edited by user %s: %s",
            profile.id,
            actor.id,
            ", ".join(change.field for change in changes),
        )
    return changes
