"""Plain factory functions with sequence-numbered unique fields."""

from __future__ import annotations

import itertools
from typing import Any

from forum.accounts import services as account_services
from forum.accounts.models import Department, Role, User
from forum.extensions import db

PASSWORD = "correct horse battery"
_sequence = itertools.count(1)


def next_id() -> int:
    return next(_sequence)


def make_department(**overrides: Any) -> Department:
    n = next_id()
    department = Department(
        slug=overrides.pop("slug", f"dept-{n}"),
        name=overrides.pop("name", f"Department {n}"),
        **overrides,
    )
    db.session.add(department)
    db.session.commit()
    return department


def make_user(role: Role = Role.MEMBER, **overrides: Any) -> User:
    n = next_id()
    user = account_services.create_user(
        overrides.pop("email", f"person{n}@example.org"),
        display_name=overrides.pop("display_name", f"Person {n}"),
        role=role,
        department=overrides.pop("department", None),
        password=overrides.pop("password", PASSWORD),
    )
    for key, value in overrides.items():
        setattr(user, key, value)
    db.session.commit()
    return user
