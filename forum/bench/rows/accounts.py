"""Rows for departments, staff and their in-app notifications."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from forum.accounts.models import EmailPreference, Role
from forum.accounts.services.handles import handle_from_email
from forum.bench.shape import BOARDS, DEPARTMENTS, Person, PostShape, can_see

NOTIFICATIONS_PER_PERSON = 15


def departments(start: dt.datetime) -> list[dict[str, Any]]:
    return [
        {"id": number, "slug": slug, "name": name, "created_at": start}
        for number, (slug, name) in enumerate(DEPARTMENTS, start=1)
    ]


def users(
    rng: random.Random, staff: list[Person], password_hash: str, start: dt.datetime
) -> list[dict[str, Any]]:
    """Everyone shares one password hash (hashing 200 passwords would be the slowest step)."""
    preferences = [EmailPreference.IMMEDIATELY, EmailPreference.DAILY, EmailPreference.OFF]
    rows = []
    today = (start + dt.timedelta(days=365)).date()
    seniors = [p.id for p in staff if p.role is Role.SENIOR]
    taken: set[str] = set()
    for person in staff:
        away = person.role is Role.SENIOR and rng.random() < 0.1
        base = handle = handle_from_email(person.email)
        number = 2
        while handle in taken:  # the same rule as accounts' unique_handle, without a query
            handle, number = f"{base}-{number}", number + 1
        taken.add(handle)
        rows.append(
            {
                "id": person.id,
                "email": person.email,
                "handle": handle,
                "display_name": person.name,
                "department_id": person.department + 1,
                "role": person.role.value,
                "is_active": person.is_active,
                "password_hash": password_hash,
                "session_token": f"{rng.getrandbits(128):032x}",
                "created_at": start,
                "away_from": today - dt.timedelta(days=2) if away else None,
                "away_until": today + dt.timedelta(days=10) if away else None,
                "cover_user_id": rng.choice(seniors) if away and seniors else None,
                "email_preference": rng.choices(preferences, weights=(5, 3, 2))[0].value,
            }
        )
    return rows


def notifications(
    rng: random.Random, staff: list[Person], posts: list[PostShape], titles: dict[int, str]
) -> list[dict[str, Any]]:
    """Reply notices about posts each person may see; most of them read."""
    rows = []
    for person in staff:
        for _ in range(NOTIFICATIONS_PER_PERSON):
            post = rng.choice(posts)
            if post.position == 0 or not can_see(person, post.thread.board):
                continue
            rows.append(
                {
                    "user_id": person.id,
                    "kind": "reply",
                    "title": f"{post.author.name} replied in {titles[post.thread.id]}"[:300],
                    "body": "",
                    "url": f"/p/{post.id}",
                    "dedupe_key": f"bench:reply:{post.id}:{person.id}",
                    "created_at": post.created_at,
                    "read_at": post.created_at + dt.timedelta(hours=2)
                    if rng.random() < 0.7
                    else None,
                    # Settled long ago: the digest has nothing to send about seeded history.
                    "digested_at": post.created_at,
                }
            )
    unique = {row["dedupe_key"]: row for row in rows}
    return list(unique.values())


def board_department(board: int) -> int | None:
    """The department id (1-based) of a department-only board, None for staff boards."""
    department = BOARDS[board][2]
    return None if department is None else department + 1
