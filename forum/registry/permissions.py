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
    if can_approve(user, profile.department):
        return True
    return bool(
        has_role(user, Role.MEMBER)
        and user is not None
        and user.id in {profile.owner_id, profile.backup_owner_id}
    )


def can_archive(user: User | None) -> bool:
    """Only admins archive (and restore) profiles."""
    return is_admin(user)
