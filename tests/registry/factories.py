"""Registry factories: profiles registered through the service, so every rule applies."""

from __future__ import annotations

from typing import Any

from forum.accounts.models import Department, Role, User
from forum.extensions import db
from forum.registry import services
from forum.registry.models import SocialProfile
from tests.factories import make_department, make_user, next_id

_UNSET: Any = object()


def make_profile(
    *,
    actor: User | None = None,
    department: Department | None = None,
    status: str | None = None,
    status_reason: str = "",
    **values: Any,
) -> SocialProfile:
    """A registered profile (active unless `status` says otherwise), with an owner and backup."""
    department = department or make_department()
    actor = actor or make_user(Role.ADMIN)
    n = next_id()
    fields: dict[str, Any] = {
        "platform": "x",
        "url": f"https://x.com/council_{n}",
        "display_name": f"Council account {n}",
        "department": department,
    }
    for role in ("owner", "backup_owner"):
        given = values.pop(role, _UNSET)
        fields[role] = make_user(department=department) if given is _UNSET else given
    fields.update(values)
    profile = services.register_profile(actor, fields, status=status, status_reason=status_reason)
    db.session.commit()
    return profile
