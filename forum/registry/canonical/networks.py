"""Canonical-URL rules of the big networks: X, Facebook, Instagram, LinkedIn, YouTube, TikTok,
Threads."""

from __future__ import annotations

import re
from collections.abc import Callable

from forum.registry.canonical.base import (
    LINKEDIN_HOST,
    Canonical,
    CanonicalError,
    ParsedUrl,
    host_is,
    quote_segment,
)

X_HANDLE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
X_RESERVED = frozenset(
    {
        "home",
        "search",
        "explore",
        "hashtag",
        "settings",
        "messages",
        "login",
        "signup",
        "notifications",
        "compose",
        "tos",
        "privacy",
        "share",
        "intent",
        "i",
        "logout",
        "account",
    }
)


def _x(url: ParsedUrl | None, raw: str) -> Canonical:
    if url is None:
        return _x_handle(raw.lstrip("@"))
    if not host_is(url.host, ("x.com", "twitter.com")):
        raise CanonicalError("That is not an X (twitter.com or x.com) URL.")
    segs = url.segments
    if len(segs) >= 3 and segs[0] == "i" and segs[1] == "user" and segs[2].isdigit():
        return Canonical("x", f"https://x.com/i/user/{segs[2]}", None, segs[2])
    if segs[:2] == ["intent", "user"] and (url.param("user_id") or "").isdigit():
        uid = url.param("user_id") or ""
        return Canonical("x", f"https://x.com/i/user/{uid}", None, uid)
    if segs[:2] == ["intent", "user"] and url.param("screen_name"):
        return _x_handle(url.param("screen_name") or "")
    if not segs or segs[0].lower() in X_RESERVED:
        raise CanonicalError("That X URL is not an account page (expected x.com/<handle>).")
    return _x_handle(segs[0])


def _x_handle(name: str) -> Canonical:
    name = name.strip().lstrip("@")
    if not X_HANDLE.match(name):
        raise CanonicalError("An X handle is 1 to 15 letters, digits or underscores.")
    return Canonical("x", f"https://x.com/{name.lower()}", "@" + name)


FACEBOOK_RESERVED = frozenset(
    {
        "watch",
        "events",
        "share",
        "sharer",
        "sharer.php",
        "login",
        "login.php",
        "home.php",
        "help",
        "marketplace",
        "gaming",
        "stories",
        "photo",
        "photo.php",
        "photos",
        "permalink.php",
        "story.php",
        "hashtag",
        "search",
        "reel",
        "reels",
        "video.php",
        "l.php",
        "dialog",
        "plugins",
        "settings",
        "notifications",
        "messages",
        "friends",
        "policies",
        "privacy",
    }
)
FACEBOOK_NAME = re.compile(r"^[A-Za-z0-9.]{1,50}$")
FACEBOOK_SLUG_WITH_ID = re.compile(r"^.+-(\d{9,})$")


def _facebook_id(account_id: str) -> Canonical:
    return Canonical(
        "facebook", f"https://www.facebook.com/profile.php?id={account_id}", None, account_id
    )


def _facebook(url: ParsedUrl | None, raw: str) -> Canonical:
    if url is None:
        name = raw.strip().lstrip("@")
        if name.isdigit():
            return _facebook_id(name)
        return _facebook_name(name)
    if not host_is(
        url.host,
        ("facebook.com", "fb.com"),
        ("www.", "m.", "mbasic.", "web.", "touch.", "business."),
    ):
        raise CanonicalError("That is not a Facebook (facebook.com) URL.")
    segs = url.segments
    if not segs:
        raise CanonicalError("That Facebook URL does not name a page or profile.")
    first = segs[0].lower()
    if first == "profile.php":
        account_id = url.param("id") or ""
        if not account_id.isdigit():
            raise CanonicalError("A profile.php URL needs a numeric ?id=.")
        return _facebook_id(account_id)
    if first in {"people", "pages"} and len(segs) >= 3 and segs[-1].isdigit():
        return _facebook_id(segs[-1])
    if first == "pages" and len(segs) >= 2 and FACEBOOK_SLUG_WITH_ID.match(segs[-1]):
        return _facebook_id(FACEBOOK_SLUG_WITH_ID.match(segs[-1]).group(1))  # type: ignore[union-attr]
    if first == "groups" and len(segs) >= 2:
        group = segs[1]
        if group.isdigit():
            return Canonical("facebook", f"https://www.facebook.com/groups/{group}", None, group)
        return Canonical(
            "facebook", f"https://www.facebook.com/groups/{quote_segment(group.lower())}", group
        )
    if first == "pg" and len(segs) >= 2:
        return _facebook_name(segs[1])
    if first in FACEBOOK_RESERVED or first.endswith(".php"):
        raise CanonicalError("That Facebook URL is not a page or profile.")
    if segs[0].isdigit():
        return _facebook_id(segs[0])
    match = FACEBOOK_SLUG_WITH_ID.match(segs[0])
    if match and not FACEBOOK_NAME.match(segs[0]):
        return _facebook_id(match.group(1))
    return _facebook_name(segs[0])


def _facebook_name(name: str) -> Canonical:
    if not FACEBOOK_NAME.match(name):
        raise CanonicalError("A Facebook username is letters, digits and dots.")
    # Facebook ignores dots and case in usernames: john.smith and JohnSmith are one account.
    key = name.replace(".", "").lower()
    if not key:
        raise CanonicalError("A Facebook username is letters, digits and dots.")
    return Canonical("facebook", f"https://www.facebook.com/{key}", name)


INSTAGRAM_NAME = re.compile(r"^[A-Za-z0-9._]{1,30}$")
INSTAGRAM_RESERVED = frozenset(
    {
        "p",
        "reel",
        "reels",
        "tv",
        "explore",
        "accounts",
        "direct",
        "about",
        "legal",
        "developer",
        "web",
        "challenge",
    }
)


def _instagram(url: ParsedUrl | None, raw: str) -> Canonical:
    if url is None:
        return _instagram_name(raw.strip().lstrip("@"))
    if not host_is(url.host, ("instagram.com", "instagr.am")):
        raise CanonicalError("That is not an Instagram (instagram.com) URL.")
    segs = url.segments
    if len(segs) >= 2 and segs[0].lower() == "stories":
        return _instagram_name(segs[1])
    if not segs or segs[0].lower() in INSTAGRAM_RESERVED:
        raise CanonicalError(
            "That Instagram URL is not an account (expected instagram.com/<name>)."
        )
    return _instagram_name(segs[0])


def _instagram_name(name: str) -> Canonical:
    if not INSTAGRAM_NAME.match(name):
        raise CanonicalError(
            "An Instagram username is up to 30 letters, digits, dots or underscores."
        )
    return Canonical("instagram", f"https://www.instagram.com/{name.lower()}", "@" + name)


LINKEDIN_KINDS = ("company", "showcase", "school", "in")
LINKEDIN_SLUG = re.compile(r"^[\w.&%-]{1,120}$")


def _linkedin(url: ParsedUrl | None, raw: str) -> Canonical:
    if url is None:
        text = raw.strip().strip("/")
        kind, _, slug = text.partition("/")
        if not slug:
            kind, slug = "company", text
        return _linkedin_page(kind.lower(), slug)
    if url.host == "lnkd.in":
        raise CanonicalError("lnkd.in is a short link: paste the linkedin.com address it opens.")
    if not LINKEDIN_HOST.match(url.host):
        raise CanonicalError("That is not a LinkedIn (linkedin.com) URL.")
    segs = url.segments
    if len(segs) < 2 or segs[0].lower() not in LINKEDIN_KINDS:
        raise CanonicalError("That LinkedIn URL is not a page (expected /company/<name>).")
    return _linkedin_page(segs[0].lower(), segs[1])


def _linkedin_page(kind: str, slug: str) -> Canonical:
    if kind not in LINKEDIN_KINDS or not LINKEDIN_SLUG.match(slug):
        raise CanonicalError("Expected a LinkedIn page such as company/<name>.")
    if slug.isdigit() and kind != "in":
        return Canonical("linkedin", f"https://www.linkedin.com/{kind}/{slug}", None, slug)
    return Canonical(
        "linkedin", f"https://www.linkedin.com/{kind}/{quote_segment(slug.lower())}", slug
    )


YOUTUBE_CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
YOUTUBE_HANDLE = re.compile(r"^[\w.-]{3,30}$")
YOUTUBE_RESERVED = frozenset(
    {
        "watch",
        "results",
        "feed",
        "playlist",
        "shorts",
        "embed",
        "live",
        "premium",
        "redirect",
        "account",
        "t",
        "about",
        "gaming",
        "kids",
        "channel",
        "c",
        "user",
        "hashtag",
        "post",
        "signin",
        "logout",
    }
)


def _youtube(url: ParsedUrl | None, raw: str) -> Canonical:
    if url is None:
        text = raw.strip()
        if YOUTUBE_CHANNEL_ID.match(text):
            return _youtube_channel(text)
        if not text.startswith("@"):
            raise CanonicalError("Enter a YouTube @handle, a channel id (UC…) or a URL.")
        return _youtube_handle(text[1:])
    if url.host == "youtu.be":
        raise CanonicalError("youtu.be links are videos: paste the channel's address.")
    if not host_is(url.host, ("youtube.com",), ("www.", "m.", "music.")):
        raise CanonicalError("That is not a YouTube (youtube.com) URL.")
    segs = url.segments
    if not segs:
        raise CanonicalError("That YouTube URL does not name a channel.")
    first = segs[0]
    if first.startswith("@"):
        return _youtube_handle(first[1:])
    lowered = first.lower()
    if lowered == "channel" and len(segs) >= 2:
        return _youtube_channel(segs[1])
    if lowered in {"c", "user"} and len(segs) >= 2:
        return _youtube_legacy(lowered, segs[1])
    if lowered in YOUTUBE_RESERVED:
        raise CanonicalError(
            "That YouTube URL is not a channel (expected /@handle or /channel/UC…)."
        )
    return _youtube_legacy("c", first)


def _youtube_channel(channel_id: str) -> Canonical:
    if not YOUTUBE_CHANNEL_ID.match(channel_id):
        raise CanonicalError("A YouTube channel id is UC followed by 22 characters.")
    # Channel ids are case-sensitive: kept exactly as given.
    return Canonical("youtube", f"https://www.youtube.com/channel/{channel_id}", None, channel_id)


def _youtube_handle(name: str) -> Canonical:
    if not YOUTUBE_HANDLE.match(name):
        raise CanonicalError(
            "A YouTube handle is 3 to 30 letters, digits, dots, dashes or underscores."
        )
    return Canonical(
        "youtube", f"https://www.youtube.com/@{quote_segment(name.lower())}", "@" + name
    )


def _youtube_legacy(kind: str, name: str) -> Canonical:
    if not YOUTUBE_HANDLE.match(name) and not re.match(r"^[\w.-]{1,100}$", name):
        raise CanonicalError("That YouTube channel name is not valid.")
    return Canonical(
        "youtube", f"https://www.youtube.com/{kind}/{quote_segment(name.lower())}", name
    )


TIKTOK_NAME = re.compile(r"^[A-Za-z0-9._]{2,24}$")


def _tiktok(url: ParsedUrl | None, raw: str) -> Canonical:
    if url is None:
        return _tiktok_name(raw.strip().lstrip("@"))
    if url.host in {"vm.tiktok.com", "vt.tiktok.com"}:
        raise CanonicalError("That is a TikTok short link: paste the tiktok.com/@name address.")
    if not host_is(url.host, ("tiktok.com",)):
        raise CanonicalError("That is not a TikTok (tiktok.com) URL.")
    if not url.segments or not url.segments[0].startswith("@"):
        raise CanonicalError("That TikTok URL is not an account (expected tiktok.com/@name).")
    return _tiktok_name(url.segments[0][1:])


def _tiktok_name(name: str) -> Canonical:
    if not TIKTOK_NAME.match(name):
        raise CanonicalError("A TikTok username is 2 to 24 letters, digits, dots or underscores.")
    return Canonical("tiktok", f"https://www.tiktok.com/@{name.lower()}", "@" + name)


def _threads(url: ParsedUrl | None, raw: str) -> Canonical:
    if url is None:
        return _threads_name(raw.strip().lstrip("@"))
    if not host_is(url.host, ("threads.net", "threads.com")):
        raise CanonicalError("That is not a Threads (threads.com) URL.")
    if not url.segments or not url.segments[0].startswith("@"):
        raise CanonicalError("That Threads URL is not an account (expected threads.com/@name).")
    return _threads_name(url.segments[0][1:])


def _threads_name(name: str) -> Canonical:
    # Threads accounts are Instagram accounts: same username rules.
    if not INSTAGRAM_NAME.match(name):
        raise CanonicalError("A Threads username is up to 30 letters, digits, dots or underscores.")
    return Canonical("threads", f"https://www.threads.com/@{name.lower()}", "@" + name)


NETWORK_RULES: dict[str, Callable[[ParsedUrl | None, str], Canonical]] = {
    "x": _x,
    "facebook": _facebook,
    "instagram": _instagram,
    "linkedin": _linkedin,
    "youtube": _youtube,
    "tiktok": _tiktok,
    "threads": _threads,
}
