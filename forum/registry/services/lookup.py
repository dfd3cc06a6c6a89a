"""Verify: is this URL or handle one of ours? The check staff make against impersonators."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from forum.extensions import db
from forum.registry.canonical import Canonical, guess, handle_key, lookalike_host
from forum.registry.models import ProfileStatus, SocialProfile
from forum.registry.services.profiles import STATUS_ORDER, _loaded


@dataclass(frozen=True)
class Verdict:
    """What a lookup found, in words a member of staff can pass on."""

    official: bool
    message: str


def lookup(value: str) -> list[SocialProfile]:
    """Registered profiles that `value` (any URL form, a handle, or a permanent id) names,
    official ones first; [] when nothing matches.

    A record whose permanent id differs from the one the URL carries is not a match: the
    handle was given up and someone else now holds it.
    """
    value = (value or "").strip()
    if not value:
        return []
    readings = guess(value)
    conditions = []
    for reading in readings:
        conditions.append(SocialProfile.canonical_url == reading.url)
        if reading.account_id:
            conditions.append(SocialProfile.platform_account_id == reading.account_id)
    if "/" not in value:
        key = handle_key(value)
        if key:
            conditions.append(SocialProfile.handle_key == key)
        conditions.append(SocialProfile.platform_account_id == value)
    if not conditions:
        return []
    found = list(
        db.session.scalars(select(SocialProfile).where(or_(*conditions)).options(*_loaded()))
    )
    matches = [profile for profile in found if _consistent(profile, readings)]
    matches.sort(key=lambda p: (STATUS_ORDER[ProfileStatus(p.status)], p.id))
    return matches


def _consistent(profile: SocialProfile, readings: list[Canonical]) -> bool:
    same_platform = [r for r in readings if r.platform == profile.platform.slug]
    for reading in same_platform:
        if (
            reading.account_id
            and profile.platform_account_id
            and reading.account_id != profile.platform_account_id
        ):
            return False
    return True


def verdict(profile: SocialProfile | None, *, looked_up: str = "") -> Verdict:
    """The sentence the verify page and API give for a lookup result (of `looked_up`).

    A look-alike address (its host mixes scripts, see canonical.normalize_host) is never
    registered, and the verdict says so: that is how impersonators copy a real address.
    """
    if profile is None:
        lookalike = lookalike_host(looked_up) if looked_up else None
        if lookalike:
            return Verdict(
                False,
                f"Not registered, and a look-alike: the host {lookalike} mixes letters of "
                "different scripts to imitate another address.",
            )
        return Verdict(
            False, "Not registered: this account is not in the register of official accounts."
        )
    owner = profile.owner.display_name if profile.owner else "nobody (no owner recorded)"
    where = f"registered to {profile.department.name}, owned by {owner}"
    status = ProfileStatus(profile.status)
    if status == ProfileStatus.ACTIVE:
        return Verdict(True, f"Official: {where}.")
    if status == ProfileStatus.DORMANT:
        return Verdict(True, f"Official but dormant: {where}.")
    if status == ProfileStatus.PROPOSED:
        return Verdict(False, f"Proposed, not yet approved: {where}.")
    return Verdict(False, f"Archived: no longer an official account (was {where}).")
