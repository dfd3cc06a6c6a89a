"""The public answer to "is this account ours?": status, platform and department, nothing more.

What /verify, /api/v1/verify and the badge pages show to people outside the organization is
decided here, once: never an owner, a note, a reason or an id. A proposed profile is not yet
ours to vouch for, so to the public it is "not ours" like an unknown account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum.core.errors import Invalid, NotFound
from forum.extensions import db
from forum.registry.canonical import guess, host_or_none, lookalike_host
from forum.registry.canonical.base import looks_like_url
from forum.registry.models import ProfileStatus, SocialProfile
from forum.registry.services.lookup import lookup, verdict

PublicStatus = Literal["official", "archived"]

# What the public is told of each status; a status missing here is "not ours" (a 404).
PUBLIC_STATUS: dict[ProfileStatus, PublicStatus] = {
    ProfileStatus.ACTIVE: "official",
    ProfileStatus.DORMANT: "official",
    ProfileStatus.ARCHIVED: "archived",
}
# The longest address or handle a lookup reads (the registry stores URLs up to 500).
MAX_LOOKUP_LENGTH = 500
_BADGE_KEY = re.compile(r"^[A-Za-z0-9_-]{8,32}$")


@dataclass(frozen=True)
class PublicAnswer:
    """One registered account as the public may see it."""

    status: PublicStatus
    platform: str  # the platform's slug ("x", "facebook"), as elsewhere in the API
    platform_name: str
    department: str  # the department's name: its slug is an internal identifier
    handle: str
    url: str  # the canonical address

    @property
    def label(self) -> str:
        return "Official" if self.status == "official" else "Archived"


@dataclass(frozen=True)
class PublicLookup:
    """A lookup's outcome: the public answers (best first), every matching record (for staff
    only: it includes proposed ones), and what to say when there is no public answer."""

    value: str
    answers: list[PublicAnswer]
    matches: list[SocialProfile]
    not_found_message: str


def public_answer_of(profile: SocialProfile) -> PublicAnswer | None:
    """The public view of `profile`, or None when the public is told "not ours" (proposed)."""
    status = PUBLIC_STATUS.get(ProfileStatus(profile.status))
    if status is None:
        return None
    return PublicAnswer(
        status=status,
        platform=profile.platform.slug,
        platform_name=profile.platform.name,
        department=profile.department.name,
        handle=profile.handle,
        url=profile.canonical_url,
    )


def public_lookup(value: str) -> PublicLookup:
    """Look `value` (any URL form or handle, as `lookup` reads it) up for the public.

    Raises Invalid (field `url`) when the value is empty, longer than MAX_LOOKUP_LENGTH, or
    names no registered account and is neither an address (with a host) nor a handle any
    platform accepts.
    """
    value = (value or "").strip()
    if not value:
        raise Invalid("Enter an address or handle to check.", fields={"url": "Required."})
    if len(value) > MAX_LOOKUP_LENGTH:
        raise Invalid(
            "That is too long for an address or handle.",
            fields={"url": f"At most {MAX_LOOKUP_LENGTH} characters."},
        )
    matches = lookup(value)
    if not matches and not _readable(value):
        raise Invalid(
            "That is not an address or handle we can read.",
            fields={"url": "Paste an account's address (https://...) or its handle (@name)."},
        )
    answers = [answer for answer in map(public_answer_of, matches) if answer is not None]
    return PublicLookup(
        value=value,
        answers=answers,
        matches=matches,
        not_found_message=verdict(None, looked_up=value).message,
    )


def _readable(value: str) -> bool:
    """Some platform's address or handle, or at least an address with a host: then "not
    ours" is the answer (a handle too long for X, a look-alike host), not "unreadable"."""
    if guess(value) or lookalike_host(value):
        return True
    return (
        looks_like_url(value)
        and not any(ch.isspace() for ch in value)
        and bool(host_or_none(value))
    )


def public_answer(value: str) -> PublicAnswer:
    """The best public answer for `value` (official before archived).

    Raises Invalid as public_lookup does, and NotFound (saying why, e.g. a look-alike host)
    when no official or archived account matches.
    """
    found = public_lookup(value)
    if not found.answers:
        raise NotFound(found.not_found_message)
    return found.answers[0]


def badge(key: str) -> PublicAnswer:
    """The badge page's account: the official or archived profile whose badge key is `key`.

    Raises NotFound for a key of no profile and for a profile not yet approved.
    """
    profile = None
    if _BADGE_KEY.match(key or ""):
        profile = db.session.scalars(
            select(SocialProfile)
            .where(SocialProfile.badge_key == key)
            .options(selectinload(SocialProfile.platform), selectinload(SocialProfile.department))
        ).first()
    answer = public_answer_of(profile) if profile is not None else None
    if answer is None:
        raise NotFound("There is no badge at this address.")
    return answer


def badge_available(profile: SocialProfile) -> bool:
    """Whether the profile's badge page answers (it does once the profile is approved)."""
    return bool(profile.badge_key) and public_answer_of(profile) is not None
