"""Parsing and host rules shared by every platform's canonical-URL rule."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit


class CanonicalError(ValueError):
    """The value is not a URL or handle of an account on the chosen platform."""


@dataclass(frozen=True)
class Canonical:
    platform: str
    url: str
    # The handle as written ("@CouncilParks", "r/London", "@news@social.example"), when the
    # input names one; None when only a permanent id was given.
    handle: str | None = None
    # The permanent account id when the input carries one.
    account_id: str | None = None

    @property
    def handle_key(self) -> str | None:
        return handle_key(self.handle) if self.handle else None


def handle_key(handle: str) -> str:
    """The lookup key of a handle: lower-case, without a leading "@" or "/"."""
    return handle.strip().lstrip("@/").lower()


@dataclass(frozen=True)
class ParsedUrl:
    host: str
    segments: list[str]
    query: list[tuple[str, str]]

    def param(self, name: str) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return None


# Query parameters that only track where a click came from; never part of an identity.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ref",
        "ref_src",
        "ref_url",
        "si",
        "feature",
        "trk",
        "trackingid",
        "li_fat_id",
        "mibextid",
        "s",
        "t",
        "src",
        "source",
        "spm",
        "share_id",
        "sharer",
        "hl",
        "lang",
        "locale",
        "originalsubdomain",
        "_rdr",
        "rdid",
    }
)

SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
BARE_HOST = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:[/?#]|$)", re.IGNORECASE)


def looks_like_url(value: str) -> bool:
    """A scheme, or a host name followed by a path; a bare dotted name is only a URL when it
    is a known platform's host (handles such as name.bsky.social or john.smith have dots)."""
    if SCHEME.match(value) or value.startswith("//"):
        return True
    if not BARE_HOST.match(value):
        return False
    if any(ch in value for ch in "/?#"):
        return True
    return detect_platform_of_host(value.split(":")[0]) is not None


def parse_url(value: str) -> ParsedUrl:
    if value.startswith("//"):
        value = "https:" + value
    elif not SCHEME.match(value):
        value = "https://" + value
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise CanonicalError("That is not a valid URL.") from exc
    if parts.scheme.lower() not in {"http", "https"}:
        raise CanonicalError("Use an http or https URL.")
    if parts.username is not None or parts.password is not None:
        raise CanonicalError("The URL must not contain a user name or password.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host or "." not in host:
        raise CanonicalError("The URL has no host name.")
    if port not in (None, 80, 443):
        host = f"{host}:{port}"
    segments = [unquote(s) for s in parts.path.split("/") if s.strip()]
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return ParsedUrl(host=host, segments=segments, query=query)


def host_is(
    host: str, bases: tuple[str, ...], prefixes: tuple[str, ...] = ("www.", "m.", "mobile.")
) -> bool:
    return any(host == base or any(host == p + base for p in prefixes) for base in bases)


def quote_segment(value: str) -> str:
    return quote(value, safe="@:._-~!$&'()*+,;=")


LINKEDIN_HOST = re.compile(r"^(?:(?:www|[a-z]{2})\.)?linkedin\.com$")
PINTEREST_HOST = re.compile(
    r"^(?:(?:www|[a-z]{2})\.)?pinterest\.(?:com|co\.uk|ca|fr|de|ie|es|it|nz|com\.au|at|ch|pt|"
    r"se|dk|nl|jp|co\.kr|com\.mx|cl|ph|be|nz)$"
)

PLATFORM_LABELS = {
    "x": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "threads": "Threads",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "pinterest": "Pinterest",
    "flickr": "Flickr",
    "whatsapp": "WhatsApp",
    "snapchat": "Snapchat",
    "reddit": "Reddit",
    "twitch": "Twitch",
    "other": "other",
}

# Hosts that identify a platform, for turning an arbitrary pasted URL into a lookup.
HOST_TESTS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("x", lambda h: host_is(h, ("x.com", "twitter.com"))),
    (
        "facebook",
        lambda h: host_is(
            h, ("facebook.com", "fb.com"), ("www.", "m.", "mbasic.", "web.", "touch.", "business.")
        ),
    ),
    ("instagram", lambda h: host_is(h, ("instagram.com", "instagr.am"))),
    ("linkedin", lambda h: bool(LINKEDIN_HOST.match(h)) or h == "lnkd.in"),
    (
        "youtube",
        lambda h: host_is(h, ("youtube.com",), ("www.", "m.", "music.")) or h == "youtu.be",
    ),
    ("tiktok", lambda h: h.endswith("tiktok.com") and h.count(".") <= 2),
    ("threads", lambda h: host_is(h, ("threads.net", "threads.com"))),
    ("bluesky", lambda h: host_is(h, ("bsky.app",), ("www.", "staging."))),
    ("pinterest", lambda h: bool(PINTEREST_HOST.match(h)) or h == "pin.it"),
    ("flickr", lambda h: host_is(h, ("flickr.com",)) or h == "flic.kr"),
    (
        "whatsapp",
        lambda h: host_is(h, ("whatsapp.com",), ("www.", "api.", "chat.")) or h == "wa.me",
    ),
    ("snapchat", lambda h: host_is(h, ("snapchat.com",), ("www.", "story.", "m."))),
    (
        "reddit",
        lambda h: (
            host_is(h, ("reddit.com",), ("www.", "old.", "new.", "np.", "m.", "i."))
            or h == "redd.it"
        ),
    ),
    ("twitch", lambda h: host_is(h, ("twitch.tv",))),
)


def detect_platform_of_host(host: str) -> str | None:
    """The known platform a host name belongs to, or None (Mastodon servers are anyone's)."""
    host = host.lower().split(":")[0]
    for slug, test in HOST_TESTS:
        if test(host):
            return slug
    return None
