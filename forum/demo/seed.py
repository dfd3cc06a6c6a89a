"""Demo data: each capability contributes a seeder; every seeder skips what already exists."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from sqlalchemy import func, select

from forum.accounts.models import User
from forum.extensions import db

# Each capability has a `demo` module with `seed() -> str`, run in this order: the order of
# the layers, but search last, since it reports what the others queued for the index.
CAPABILITY_SEEDERS = (
    "accounts",
    "alerts",
    "boards",
    "uploads",
    "registry",
    "escalations",
    "meetups",
    "handover",
    "people",
    "insights",
    "search",
)


def seeders() -> list[Callable[[], str]]:
    found: list[Callable[[], str]] = []
    for name in CAPABILITY_SEEDERS:
        try:
            module = importlib.import_module(f"forum.{name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"forum.{name}.demo":
                raise
            continue
        found.append(module.seed)
    return found


def seed_all(*, only_if_empty: bool = False) -> str:
    """Run every seeder; each one leaves existing data alone, so running twice adds nothing."""
    if only_if_empty and (db.session.scalar(select(func.count()).select_from(User)) or 0) > 0:
        return "Database already has data: demo data not loaded."
    parts = [seeder() for seeder in seeders()]
    return "Demo data loaded: " + "; ".join(parts) + "."
