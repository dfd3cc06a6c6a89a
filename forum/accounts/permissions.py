"""Role checks and object predicates shared by views, the API and templates."""

from __future__ import annotations

from forum.accounts.models import Role, User
from forum.core.errors import NotPermitted


def has_role(user: User | None, role: Role) -> bool:
    """True when a signed-in, active user holds `role` or a higher one."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_role(role)
    )


def require_role(user: User | None, role: Role) -> None:
    """Raise NotPermitted unless the user holds at least `role`."""
    if not has_role(user, role):
        raise NotPermitted(f"This needs the {role.label.lower()} role.")


def is_admin(user: User | None) -> bool:
    return has_role(user, Role.ADMIN)


def is_senior(user: User | None) -> bool:
    return has_role(user, Role.SENIOR)
