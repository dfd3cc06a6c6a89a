"""Demo data for accounts: departments and staff that the other capabilities' demo data uses."""

from __future__ import annotations

import datetime as dt

from forum.accounts import services as account_services
from forum.accounts.models import Department, Role
from forum.extensions import db

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  (documented demo credential)

DEPARTMENTS = [
    ("communications", "Communications"),
    ("housing", "Housing"),
    ("libraries", "Libraries"),
    ("parks", "Parks and Leisure"),
    ("revenues", "Revenues and Benefits"),
    ("waste", "Waste and Recycling"),
    ("digital", "Digital Services"),
]

# (email local part, name, role, department slug)
STAFF = [
    ("admin", "Ada Okafor", Role.ADMIN, "digital"),
    ("priya.shah", "Priya Shah", Role.SENIOR, "communications"),
    ("tom.hughes", "Tom Hughes", Role.SENIOR, "housing"),
    ("grace.lee", "Grace Lee", Role.SENIOR, "parks"),
    ("sam.riley", "Sam Riley", Role.ENTHUSIAST, "communications"),
    ("lena.fischer", "Lena Fischer", Role.ENTHUSIAST, "libraries"),
    ("omar.haddad", "Omar Haddad", Role.ENTHUSIAST, "housing"),
    ("mia.evans", "Mia Evans", Role.ENTHUSIAST, "parks"),
    ("jack.turner", "Jack Turner", Role.ENTHUSIAST, "waste"),
    ("nia.roberts", "Nia Roberts", Role.MEMBER, "revenues"),
    ("ben.carter", "Ben Carter", Role.MEMBER, "waste"),
    ("zoe.martin", "Zoe Martin", Role.MEMBER, "libraries"),
    ("arjun.patel", "Arjun Patel", Role.MEMBER, "housing"),
    ("chloe.wright", "Chloe Wright", Role.MEMBER, "parks"),
    ("david.kim", "David Kim", Role.MEMBER, "communications"),
    ("ella.morgan", "Ella Morgan", Role.MEMBER, "digital"),
    ("felix.brown", "Felix Brown", Role.ENTHUSIAST, "revenues"),
    ("hana.suzuki", "Hana Suzuki", Role.ADMIN, "communications"),
]

DEMO_DOMAIN = "example.org"


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def seed() -> str:
    """Departments and staff; existing ones (by slug or email) are left as they are."""
    created_departments = created_users = 0
    departments = {}
    for slug, name in DEPARTMENTS:
        department = account_services.department_by_slug(slug)
        if department is None:
            department = Department(slug=slug, name=name)
            db.session.add(department)
            created_departments += 1
        departments[slug] = department
    db.session.flush()
    for local, name, role, slug in STAFF:
        if account_services.user_by_email(demo_email(local)) is None:
            account_services.create_user(
                demo_email(local),
                display_name=name,
                role=role,
                department=departments[slug],
                password=DEMO_PASSWORD,
            )
            created_users += 1
    # One senior is on leave, covered by another senior (a cover must be able to act on her
    # escalations), so escalations and the registry show "away" handling.
    grace = account_services.user_by_email(demo_email("grace.lee"))
    tom = account_services.user_by_email(demo_email("tom.hughes"))
    if grace is not None and tom is not None and grace.away_from is None:
        today = dt.date.today()
        account_services.set_away(
            grace,
            away_from=today - dt.timedelta(days=2),
            away_until=today + dt.timedelta(days=12),
            cover=tom,
        )
    return f"{created_departments} departments, {created_users} staff"
