"""Parsing and host rules shared by every platform's canonical-URL rule."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import idna


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
# Labels of letters, digits and hyphens in any script; the top level is letters or an A-label.
BARE_HOST = re.compile(
    r"^(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?:[^\W\d_]{2,}|xn--[a-z0-9-]+)(?::\d+)?(?:[/?#]|$)",
    re.IGNORECASE,
)

# Scripts that may share one host name: Unicode TR39's "highly restrictive" profile (Latin
# with the Chinese, Japanese or Korean scripts). Any other mix, such as Latin with Cyrillic
# or Greek, is how look-alike hosts imitate a real one ("f\u0430cebook.com" with a Cyrillic a).
ALLOWED_SCRIPT_MIXES = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
_SCRIPT_ALIASES = {"CJK": "HAN", "IDEOGRAPHIC": "HAN", "KATAKANA-HIRAGANA": "KATAKANA"}


def _script(letter: str) -> str:
    """The script of a letter, read from its Unicode name ("CYRILLIC SMALL LETTER A")."""
    word = unicodedata.name(letter, "UNKNOWN").split(" ", 1)[0]
    return _SCRIPT_ALIASES.get(word, word)


def host_scripts(unicode_host: str) -> set[str]:
    """The scripts of the letters in a host name (digits, hyphens and dots have none)."""
    return {_script(ch) for ch in unicode_host if unicodedata.category(ch).startswith("L")}


def mixes_scripts(unicode_host: str) -> bool:
    """True when a host's letters come from scripts that are not allowed together."""
    scripts = host_scripts(unicode_host)
    return len(scripts) > 1 and not any(scripts <= mix for mix in ALLOWED_SCRIPT_MIXES)


def unicode_host(ascii_host: str) -> str:
    """The Unicode form of a host kept in IDNA form, for people to read; unchanged if invalid."""
    try:
        return idna.decode(ascii_host)
    except (idna.IDNAError, UnicodeError):
        return ascii_host


def _host_forms(host: str) -> tuple[str, str]:
    """(IDNA form, Unicode form) of a host name; CanonicalError for an invalid label."""
    labels: list[str] = []
    readable: list[str] = []
    for label in host.strip().rstrip(".").lower().split("."):
        try:
            if label.isascii():
                ascii_label = label
                shown = idna.decode(label) if label.startswith("xn--") else label
            else:
                ascii_label = idna.encode(label, uts46=True).decode("ascii")
                shown = idna.decode(ascii_label)
        except (idna.IDNAError, UnicodeError) as exc:
            raise CanonicalError(f"{label!r} is not a valid part of a host name.") from exc
        labels.append(ascii_label)
        readable.append(shown)
    return ".".join(labels), ".".join(readable)


def normalize_host(host: str) -> str:
    """A host name in the one form records and lookups use: lower case, IDNA (punycode).

    "münchen.de" and "xn--mnchen-3ya.de" are the same host and both give the second form.
    Raises CanonicalError for a label that is not a valid internationalized name, and for a
    host whose letters mix scripts (see ALLOWED_SCRIPT_MIXES), in Unicode or in punycode.
    """
    ascii_host, shown_host = _host_forms(host)
    if mixes_scripts(shown_host):
        scripts = " and ".join(sorted(s.capitalize() for s in host_scripts(shown_host)))
        raise CanonicalError(
            f"The host {shown_host} ({ascii_host}) mixes letters of different scripts "
            f"({scripts}), the way look-alike addresses imitate real ones. Type the address "
            "by hand, or check it with the account's owner."
        )
    return ascii_host


def lookalike_host(value: str) -> str | None:
    """The host of a pasted address or `@name@server` handle, as "unicode (punycode)", when
    its letters mix scripts (a look-alike); None otherwise. For telling people why a
    lookup found nothing."""
    value = value.strip()
    if "@" in value and "/" not in value and not SCHEME.match(value):
        host = value.rsplit("@", 1)[1]
    else:
        try:
            parts = urlsplit(value if SCHEME.match(value) else "https://" + value.lstrip("/"))
            host = parts.hostname or ""
        except ValueError:
            return None
    try:
        ascii_host, shown_host = _host_forms(host)
    except CanonicalError:
        return None
    return f"{shown_host} ({ascii_host})" if mixes_scripts(shown_host) else None


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
    host = normalize_host(host)
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
    # Exact names or one subdomain: "eviltiktok.com" ends with "tiktok.com" but is not TikTok.
    ("tiktok", lambda h: h == "tiktok.com" or (h.endswith(".tiktok.com") and h.count(".") == 2)),
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
    """The known platform a host name belongs to, or None (Mastodon servers are anyone's).

    Hosts are compared in IDNA form, so a look-alike (facebook.com with a Cyrillic a, which
    is xn--fcebook-2fg.com) is never a known platform, while full-width letters that IDNA
    maps to ASCII are.
    """
    host = host.lower().split(":")[0]
    try:
        host = normalize_host(host)
    except CanonicalError:
        return None
    for slug, test in HOST_TESTS:
        if test(host):
            return slug
    return None
