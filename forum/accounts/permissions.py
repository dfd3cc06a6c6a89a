"""Role checks and object predicates shared by views, the API and templates."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask_login import current_user

from forum.accounts.models import Role, User
from forum.core.errors import NotPermitted

P = ParamSpec("P")
R = TypeVar("R")


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


def admin_required(view: Callable[P, R]) -> Callable[P, R]:
    """The one guard of every admin page (HTML): anyone but an active admin gets a 403 before
    the view runs, whatever the method. Signing in is checked before, for every page."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        require_role(current_user, Role.ADMIN)
        return view(*args, **kwargs)

    guarded.admin_required = True  # type: ignore[attr-defined]
    return guarded
