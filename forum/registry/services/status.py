"""A profile's lifecycle: proposed → active → dormant → archived, and who may move it."""

from __future__ import annotations

import datetime as dt
import logging

from forum.accounts.models import User
from forum.core.db import utcnow
from forum.core.errors import Invalid, NotPermitted
from forum.extensions import db
from forum.registry import permissions
from forum.registry.models import ProfileStatus, SocialProfile
from forum.registry.services.profiles import REASON_REQUIRED, _parse_status, _record
from forum.registry.services.validation import CleanProfile

logger = logging.getLogger(__name__)

# Which status may follow which, and who may make the move.
TRANSITIONS: dict[ProfileStatus, tuple[ProfileStatus, ...]] = {
    ProfileStatus.PROPOSED: (ProfileStatus.ACTIVE, ProfileStatus.ARCHIVED),
    ProfileStatus.ACTIVE: (ProfileStatus.DORMANT, ProfileStatus.ARCHIVED),
    ProfileStatus.DORMANT: (ProfileStatus.ACTIVE, ProfileStatus.ARCHIVED),
    ProfileStatus.ARCHIVED: (ProfileStatus.DORMANT, ProfileStatus.ACTIVE),
}


def prepare_status_change(
    actor: User,
    profile: SocialProfile,
    status: ProfileStatus | str,
    *,
    reason: str = "",
    planned: CleanProfile | None = None,
) -> tuple[ProfileStatus, str]:
    """Check a status move against every rule of `change_status` and write nothing; returns
    the new status and the cleaned reason. `planned` is the profile as an edit in the same
    step (an import row) will leave it: the rights are checked against that."""
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
    refusal = _move_refusal(actor, profile, old, new, planned)
    if refusal:
        raise NotPermitted(refusal)
    reason = (reason or "").strip()
    if new in REASON_REQUIRED and not reason:
        raise Invalid(fields={"reason": f"Say why the profile is {new.value}."})
    if len(reason) > 2000:
        raise Invalid(fields={"reason": "Use at most 2000 characters."})
    return new, reason


def write_status_change(
    actor: User, profile: SocialProfile, new: ProfileStatus, reason: str, now: dt.datetime
) -> None:
    """Apply a prepared status move and record it (no flush)."""
    old = ProfileStatus(profile.status)
    _record(profile, actor, "status", old.value, new.value, now)
    if reason != (profile.status_reason or ""):
        _record(profile, actor, "status_reason", profile.status_reason, reason, now)
    profile.status, profile.status_reason, profile.status_changed_at = new, reason, now
    profile.updated_at = now
    if old == ProfileStatus.PROPOSED and new == ProfileStatus.ACTIVE:
        # Approval is a review: the cycle starts from the day someone checked the account.
        profile.last_reviewed_at, profile.last_reviewed_by = now, actor


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
    old = ProfileStatus(profile.status)
    new, reason = prepare_status_change(actor, profile, status, reason=reason)
    write_status_change(actor, profile, new, reason, now or utcnow())
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


def _move_refusal(
    user: User,
    profile: SocialProfile,
    old: ProfileStatus,
    new: ProfileStatus,
    planned: CleanProfile | None = None,
) -> str | None:
    """Why `user` may not move `profile` from `old` to `new`, or None when they may."""
    department = planned.department if planned is not None else profile.department
    if new == ProfileStatus.ARCHIVED or old == ProfileStatus.ARCHIVED:
        return None if permissions.can_archive(user) else "Only admins archive or restore profiles."
    if old == ProfileStatus.PROPOSED:
        return (
            None
            if permissions.can_approve(user, department)
            else (f"Only {department.name}'s enthusiasts, seniors or admins approve.")
        )
    owner_ids = (
        {
            planned.owner.id if planned.owner else None,
            planned.backup_owner.id if planned.backup_owner else None,
        }
        if planned is not None
        else {profile.owner_id, profile.backup_owner_id}
    )
    return (
        None
        if permissions.may_edit(user, department, owner_ids)
        else ("Only the owners, the department's enthusiasts, seniors and admins may do that.")
    )


def allowed_transitions(user: User, profile: SocialProfile) -> list[ProfileStatus]:
    """The statuses `user` may move `profile` to (what the status form offers)."""
    old = ProfileStatus(profile.status)
    return [new for new in TRANSITIONS[old] if _move_refusal(user, profile, old, new) is None]
