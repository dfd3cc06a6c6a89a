"""Departments: looking them up, and the admins' create and rename."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from forum.accounts.models import Department, Role, User
from forum.accounts.permissions import require_role
from forum.core.errors import Conflict, Invalid
from forum.extensions import db

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def department_by_slug(slug: str) -> Department | None:
    return db.session.scalar(select(Department).where(Department.slug == slug))


def department_for_form(slug: str | None) -> Department | None:
    """The department a form names by slug; None for none. Raises Invalid for an unknown one."""
    if not slug:
        return None
    department = department_by_slug(slug)
    if department is None:
        raise Invalid(fields={"department": "Unknown department."})
    return department


def list_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name)))


def department_member_counts() -> dict[int, int]:
    """Active people per department id, in one query."""
    rows = db.session.execute(
        select(User.department_id, func.count())
        .where(User.department_id.is_not(None), User.is_active.is_(True))
        .group_by(User.department_id)
    )
    return {department_id: count for department_id, count in rows if department_id is not None}


def create_department(actor: User, *, slug: str, name: str) -> Department:
    """Admins create departments; the slug is lower-case letters, digits and hyphens, unique."""
    require_role(actor, Role.ADMIN)
    slug = (slug or "").strip().lower()
    name = (name or "").strip()
    fields = {}
    if not SLUG_RE.match(slug) or len(slug) > 64:
        fields["slug"] = "Use lower-case letters, digits and hyphens (at most 64)."
    if not name or len(name) > 200:
        fields["name"] = "Enter a name of at most 200 characters."
    if fields:
        raise Invalid(fields=fields)
    if department_by_slug(slug) is not None:
        raise Conflict(
            f"A department with slug {slug!r} exists.", fields={"slug": "Already taken."}
        )
    department = Department(slug=slug, name=name)
    db.session.add(department)
    db.session.flush()
    return department


def rename_department(actor: User, department: Department, *, name: str) -> Department:
    require_role(actor, Role.ADMIN)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise Invalid(fields={"name": "Enter a name of at most 200 characters."})
    department.name = name
    db.session.flush()
    return department
