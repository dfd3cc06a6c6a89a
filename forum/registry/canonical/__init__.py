"""Per-platform rules that turn any URL or handle of an account into one canonical URL.

Two registrations of the same account must compare equal whatever form people paste:
`http://mobile.twitter.com/CouncilParks?s=20` and `@councilparks` both become
`https://x.com/councilparks`. Where a URL carries the platform's permanent account id (a
YouTube channel id, a Facebook numeric id, a Bluesky DID, a Flickr NSID, a WhatsApp channel
id) it is returned beside the handle, because a handle can be renamed or re-used by someone
else while the id cannot. Pure functions: no database, no network.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from forum.registry.canonical.base import (
    PLATFORM_LABELS,
    Canonical,
    CanonicalError,
    ParsedUrl,
    detect_platform_of_host,
    handle_key,
    lookalike_host,
    looks_like_url,
    normalize_host,
    parse_url,
)
from forum.registry.canonical.communities import COMMUNITY_RULES
from forum.registry.canonical.networks import NETWORK_RULES

__all__ = [
    "PLATFORM_LABELS",
    "RULES",
    "Canonical",
    "CanonicalError",
    "canonicalize",
    "detect_platform_of_host",
    "guess",
    "handle_key",
    "lookalike_host",
    "normalize_host",
]

RULES: dict[str, Callable[[ParsedUrl | None, str], Canonical]] = {
    **NETWORK_RULES,
    **COMMUNITY_RULES,
}


def canonicalize(platform: str, value: str) -> Canonical:
    """The canonical form of `value` (a URL or a handle) on `platform`.

    Raises CanonicalError with a message fit for a form field when the value is empty, not a
    URL or handle the platform uses, or a URL of a different platform.
    """
    rule = RULES.get(platform)
    if rule is None:
        raise CanonicalError("Unknown platform.")
    value = (value or "").strip()
    if not value:
        raise CanonicalError("Enter a URL or handle.")
    if any(ch.isspace() for ch in value):
        raise CanonicalError("A URL or handle has no spaces.")
    handle_form = (platform == "mastodon" and "@" in value and "/" not in value) or (
        platform == "bluesky" and value.lower().startswith("at://")
    )
    if looks_like_url(value) and not handle_form:
        return rule(parse_url(value), value)
    return rule(None, value)


def guess(value: str) -> list[Canonical]:
    """Every canonical reading of a pasted URL or handle, for lookups that know no platform.

    A URL gives at most one (its host decides the platform, unknown hosts are read as Mastodon
    profiles or "other"); a bare handle like "@name" gives one reading per platform that
    accepts it.
    """
    value = (value or "").strip()
    if not value or any(ch.isspace() for ch in value):
        return []
    readings: list[Canonical] = []
    if value.lower().startswith(("did:", "at://")):
        candidates: tuple[str, ...] = ("bluesky",)
    elif re.match(r"^@?[^@/\s]+@[^@/\s]+\.[^@/\s]+$", value):
        candidates = ("mastodon",)
    elif looks_like_url(value):
        host = host_or_none(value)
        if host is None:
            return []
        known = detect_platform_of_host(host)
        candidates = (known,) if known else ("mastodon", "other")
    elif re.match(r"^/?[ru]/", value, re.IGNORECASE):
        candidates = ("reddit",)
    else:
        candidates = tuple(slug for slug in RULES if slug not in {"other", "mastodon"})
    for slug in candidates:
        try:
            readings.append(canonicalize(slug, value))
        except CanonicalError:
            continue
        if slug == "mastodon" and readings:
            break
    return readings


def host_or_none(value: str) -> str | None:
    try:
        return parse_url(value).host
    except CanonicalError:
        return None
