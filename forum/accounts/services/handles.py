"""Handles: the URL-safe name of a person's page (/u/<handle>) and of their @mentions."""

from __future__ import annotations

import re

from flask import current_app, has_request_context, request, url_for
from sqlalchemy import select

from forum.accounts.models import User
from forum.extensions import db

# The same shape as an @mention (core.markup_policy.MENTION_RE), lower case: so every handle
# can be mentioned, and every mention names at most one handle.
HANDLE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$")
# Room for a "-NNN" suffix within the 64 characters of the column.
BASE_LENGTH = 56


def handle_from_email(email: str) -> str:
    """The handle an address suggests: its local part, lower-cased, with anything but letters,
    digits, ".", "_" and "-" turned into "-" (`Priya.Shah+x@…` → `priya.shah-x`)."""
    local = email.split("@", 1)[0].lower()
    cleaned = re.sub(r"[^a-z0-9._-]+", "-", local)
    cleaned = re.sub(r"-{2,}", "-", cleaned)[:BASE_LENGTH].strip("._-")
    return cleaned or "person"


def unique_handle(base: str) -> str:
    """`base`, or `base-2`, `base-3`… : the first that no account holds yet (one query)."""
    taken = set(
        db.session.scalars(
            select(User.handle).where(
                (User.handle == base) | User.handle.startswith(f"{base}-", autoescape=True)
            )
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def user_by_handle(handle: str) -> User | None:
    """The account with this handle (any case), active or not; None for an unknown one."""
    handle = (handle or "").strip().lower()
    if not HANDLE_RE.match(handle):
        return None
    return db.session.scalar(select(User).where(User.handle == handle))


# The endpoint of a person's page; the people capability (higher up) registers it.
PERSON_ENDPOINT = "people.person"


def person_url(user: User | str | None) -> str | None:
    """The address of the page of `user` (or of the person with this handle), `/u/<handle>`,
    for links from any capability's pages; None for nobody, outside a request, or when no app
    serves person pages."""
    handle = user if isinstance(user, str) else getattr(user, "handle", None)
    if not handle or not has_request_context() or PERSON_ENDPOINT not in current_app.view_functions:
        return None
    if not HANDLE_RE.match(handle):
        return url_for(PERSON_ENDPOINT, handle=handle)
    # A valid handle needs no quoting in a path, so the address is built around it: pages
    # link dozens of people, and url_for for each showed in profiles.
    head, tail = _person_url_pattern()
    return f"{head}{handle}{tail}"


def _person_url_pattern() -> tuple[str, str]:
    patterns: dict[str, tuple[str, str]] = current_app.extensions.setdefault("forum.person_url", {})
    pattern = patterns.get(request.script_root)
    if pattern is None:
        url = url_for(PERSON_ENDPOINT, handle=_SENTINEL)
        head, _sentinel, tail = url.partition(_SENTINEL)
        pattern = patterns[request.script_root] = (head, tail)
    return pattern


_SENTINEL = "person0handle0sentinel"
