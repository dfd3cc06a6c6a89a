"""Who may propose, approve, edit and archive registry profiles."""

from __future__ import annotations

from forum.accounts.models import Department, Role, User
from forum.accounts.permissions import has_role, is_admin
from forum.registry.models import SocialProfile


def can_propose(user: User | None) -> bool:
    """Any signed-in, active member of staff may propose a profile."""
    return has_role(user, Role.MEMBER)


def can_approve(user: User | None, department: Department | None) -> bool:
    """Seniors and admins approve anywhere; an enthusiast approves for their own department."""
    if has_role(user, Role.SENIOR):
        return True
    return bool(
        user is not None
        and department is not None
        and has_role(user, Role.ENTHUSIAST)
        and user.department_id == department.id
    )


def can_edit(user: User | None, profile: SocialProfile) -> bool:
    """Owners (primary and backup), the department's enthusiasts, seniors and admins edit."""
    return may_edit(user, profile.department, {profile.owner_id, profile.backup_owner_id})


def may_edit(user: User | None, department: Department, owner_ids: set[int | None]) -> bool:
    """can_edit for a profile of `department` owned by `owner_ids`: also for a profile as an
    edit not yet written would leave it (an import row that edits, then moves the status)."""
    if can_approve(user, department):
        return True
    return bool(has_role(user, Role.MEMBER) and user is not None and user.id in owner_ids)


def can_archive(user: User | None) -> bool:
    """Only admins archive (and restore) profiles."""
    return is_admin(user)
