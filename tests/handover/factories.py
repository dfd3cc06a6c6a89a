"""Factories for hand-over tests: a department, its admin, and a leaver who holds things."""

from __future__ import annotations

from typing import Any

from forum.accounts.models import Role
from tests.factories import make_department, make_user
from tests.registry.factories import make_profile


def make_leaver_world(profiles: int = 3) -> dict[str, Any]:
    """An admin, a department with an enthusiast who owns `profiles` profiles and backs up one,
    and two colleagues to take over."""
    dept = make_department()
    admin = make_user(Role.ADMIN)
    leaver = make_user(Role.ENTHUSIAST, department=dept, display_name="Lee Leaving")
    heir = make_user(Role.ENTHUSIAST, department=dept, display_name="Hana Heir")
    other = make_user(Role.MEMBER, department=dept, display_name="Omar Other")
    owned = [
        make_profile(actor=admin, department=dept, owner=leaver, backup_owner=other)
        for _ in range(profiles)
    ]
    backed = make_profile(actor=admin, department=dept, owner=other, backup_owner=leaver)
    return {
        "dept": dept,
        "admin": admin,
        "leaver": leaver,
        "heir": heir,
        "other": other,
        "owned": owned,
        "backed": backed,
    }
