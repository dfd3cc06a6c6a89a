"""Canonical-URL rules of the other platforms: Bluesky, Mastodon, Pinterest, Flickr, WhatsApp,
Snapchat, Reddit, Twitch and any other site."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode

from forum.registry.canonical.base import (
    BARE_HOST,
    PINTEREST_HOST,
    PLATFORM_LABELS,
    TRACKING_PARAMS,
    Canonical,
    CanonicalError,
    ParsedUrl,
    detect_platform_of_host,
    host_is,
    normalize_host,
    parse_url,
    quote_segment,
)

BLUESKY_DID = re.compile(r"^did:(?:plc:[a-z2-7]{24}|web:[a-z0-9.-]+\.[a-z]{2,})$")
DOMAIN = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _bluesky(url: ParsedUrl | None, raw: str) -> Canonical:
    if url is None:
        text = raw.strip()
        if text.lower().startswith("at://"):
            text = text[5:].split("/", 1)[0]
        return _bluesky_actor(text.lstrip("@"))
    if not host_is(url.host, ("bsky.app",), ("www.", "staging.")):
        raise CanonicalError("That is not a Bluesky (bsky.app) URL.")
    segs = url.segments
    if len(segs) < 2 or segs[0] != "profile":
        raise CanonicalError("That Bluesky URL is not a profile (expected bsky.app/profile/…).")
    return _bluesky_actor(segs[1])


def _bluesky_actor(actor: str) -> Canonical:
    lowered = actor.strip().lower()
    if lowered.startswith("did:"):
        if not BLUESKY_DID.match(lowered):
            raise CanonicalError("That is not a valid Bluesky DID (did:plc:…).")
        return Canonical("bluesky", f"https://bsky.app/profile/{lowered}", None, lowered)
    if not lowered.isascii() or lowered.startswith("xn--") or ".xn--" in lowered:
        lowered = normalize_host(lowered)
        actor = lowered
    if not DOMAIN.match(lowered):
        raise CanonicalError("A Bluesky handle is a domain name such as name.bsky.social.")
    return Canonical("bluesky", f"https://bsky.app/profile/{lowered}", "@" + actor.strip())


MASTODON_USER = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$")


def _mastodon(url: ParsedUrl | None, raw: str) -> Canonical:
    if url is None:
        text = raw.strip().lstrip("@")
        user, at, server = text.partition("@")
        if not at:
            raise CanonicalError("Include the server: @name@server.example.")
        return _mastodon_account(user, server)
    if detect_platform_of_host(url.host) not in {None, "mastodon"}:
        raise CanonicalError("That URL belongs to another platform, not a Mastodon server.")
    segs = url.segments
    if segs and segs[0] == "web":
        segs = segs[1:]
    if segs and segs[0].startswith("@"):
        user, _, server = segs[0][1:].partition("@")
        return _mastodon_account(user, server or url.host)
    if len(segs) >= 2 and segs[0] == "users":
        return _mastodon_account(segs[1], url.host)
    raise CanonicalError("That is not a Mastodon profile (expected https://server/@name).")


def _mastodon_account(user: str, server: str) -> Canonical:
    if not MASTODON_USER.match(user) or len(user) > 30:
        raise CanonicalError("A Mastodon username is letters, digits and underscores.")
    name, colon, port = server.strip().lower().rstrip(".").partition(":")
    server = normalize_host(name) + colon + port if name else ""
    if not DOMAIN.match(server.split(":")[0]):
        raise CanonicalError("The Mastodon server must be a domain name.")
    return Canonical("mastodon", f"https://{server}/@{user.lower()}", f"@{user}@{server}")


PINTEREST_NAME = re.compile(r"^[A-Za-z0-9_]{3,30}$")
PINTEREST_RESERVED = frozenset(
    {
        "pin",
        "search",
        "ideas",
        "today",
        "business",
        "_",
        "settings",
        "categories",
        "topics",
        "login",
        "explore",
        "news_hub",
    }
)


def _pinterest(url: ParsedUrl | None, raw: str) -> Canonical:
    if url is None:
        return _pinterest_name(raw.strip().lstrip("@"))
    if url.host == "pin.it":
        raise CanonicalError("pin.it is a short link: paste the pinterest.com address.")
    if not PINTEREST_HOST.match(url.host):
        raise CanonicalError("That is not a Pinterest (pinterest.com) URL.")
    if not url.segments or url.segments[0].lower() in PINTEREST_RESERVED:
        raise CanonicalError(
            "That Pinterest URL is not an account (expected pinterest.com/<name>)."
        )
    return _pinterest_name(url.segments[0])


def _pinterest_name(name: str) -> Canonical:
    if not PINTEREST_NAME.match(name):
        raise CanonicalError("A Pinterest username is 3 to 30 letters, digits or underscores.")
    return Canonical("pinterest", f"https://www.pinterest.com/{name.lower()}", name)


FLICKR_NSID = re.compile(r"^(\d+)@[Nn](\d{2})$")
FLICKR_ALIAS = re.compile(r"^[A-Za-z0-9_-]{1,60}$")


def _flickr(url: ParsedUrl | None, raw: str) -> Canonical:
    if url is None:
        return _flickr_account(
            "photos", raw.strip().lstrip("@") if "@N" not in raw.upper() else raw.strip()
        )
    if url.host == "flic.kr":
        raise CanonicalError("flic.kr is a short link: paste the flickr.com address.")
    if not host_is(url.host, ("flickr.com",)):
        raise CanonicalError("That is not a Flickr (flickr.com) URL.")
    segs = url.segments
    if len(segs) < 2 or segs[0].lower() not in {"photos", "people", "groups"}:
        raise CanonicalError(
            "That Flickr URL is not an account (expected flickr.com/photos/<name>)."
        )
    kind = "groups" if segs[0].lower() == "groups" else "photos"
    return _flickr_account(kind, segs[1])


def _flickr_account(kind: str, name: str) -> Canonical:
    nsid = FLICKR_NSID.match(name)
    if nsid:
        account_id = f"{nsid.group(1)}@N{nsid.group(2)}"
        return Canonical("flickr", f"https://www.flickr.com/{kind}/{account_id}", None, account_id)
    if not FLICKR_ALIAS.match(name):
        raise CanonicalError(
            "A Flickr name is letters, digits, dashes or underscores, or an id like 12345678@N01."
        )
    return Canonical("flickr", f"https://www.flickr.com/{kind}/{name.lower()}", name)


WHATSAPP_CHANNEL = re.compile(r"^[A-Za-z0-9]{16,40}$")


def _whatsapp(url: ParsedUrl | None, raw: str) -> Canonical:
    if url is None:
        return _whatsapp_channel(raw.strip())
    if url.host in {"wa.me", "api.whatsapp.com", "chat.whatsapp.com"}:
        raise CanonicalError(
            "That is a chat or group link: paste the whatsapp.com/channel/… address."
        )
    if not host_is(url.host, ("whatsapp.com",), ("www.",)):
        raise CanonicalError("That is not a WhatsApp (whatsapp.com) URL.")
    segs = url.segments
    if len(segs) < 2 or segs[0].lower() != "channel":
        raise CanonicalError(
            "That WhatsApp URL is not a channel (expected whatsapp.com/channel/<id>)."
        )
    return _whatsapp_channel(segs[1])


def _whatsapp_channel(channel_id: str) -> Canonical:
    if not WHATSAPP_CHANNEL.match(channel_id):
        raise CanonicalError("A WhatsApp channel id is 16 to 40 letters and digits.")
    # Channel ids are case-sensitive invitation codes, and permanent.
    return Canonical("whatsapp", f"https://whatsapp.com/channel/{channel_id}", None, channel_id)


SNAPCHAT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{1,14}$")


def _snapchat(url: ParsedUrl | None, raw: str) -> Canonical:
    if url is None:
        return _snapchat_name(raw.strip().lstrip("@"))
    if not host_is(url.host, ("snapchat.com",), ("www.", "story.", "m.")):
        raise CanonicalError("That is not a Snapchat (snapchat.com) URL.")
    segs = url.segments
    if len(segs) >= 2 and segs[0].lower() in {"add", "s", "p"}:
        return _snapchat_name(segs[1])
    if segs and segs[0].startswith("@"):
        return _snapchat_name(segs[0][1:])
    raise CanonicalError("That Snapchat URL is not an account (expected snapchat.com/add/<name>).")


def _snapchat_name(name: str) -> Canonical:
    if not SNAPCHAT_NAME.match(name):
        raise CanonicalError("A Snapchat username is 3 to 15 characters, starting with a letter.")
    return Canonical("snapchat", f"https://www.snapchat.com/add/{name.lower()}", name)


REDDIT_NAME = re.compile(r"^[A-Za-z0-9_-]{2,21}$")


def _reddit(url: ParsedUrl | None, raw: str) -> Canonical:
    if url is None:
        text = raw.strip().lstrip("/")
        kind, slash, name = text.partition("/")
        if not slash:
            raise CanonicalError("Write a subreddit as r/name and a user as u/name.")
        return _reddit_account(kind.lower(), name.strip("/"))
    if url.host == "redd.it":
        raise CanonicalError("redd.it links are posts: paste the reddit.com/r/… address.")
    if not host_is(url.host, ("reddit.com",), ("www.", "old.", "new.", "np.", "m.", "i.")):
        raise CanonicalError("That is not a Reddit (reddit.com) URL.")
    segs = url.segments
    if len(segs) < 2:
        raise CanonicalError("That Reddit URL is not a subreddit or user (expected /r/<name>).")
    return _reddit_account(segs[0].lower(), segs[1])


def _reddit_account(kind: str, name: str) -> Canonical:
    if kind not in {"r", "u", "user"} or not REDDIT_NAME.match(name):
        raise CanonicalError("Expected r/<subreddit> or u/<user> (letters, digits, _ and -).")
    if kind == "r":
        return Canonical("reddit", f"https://www.reddit.com/r/{name.lower()}", f"r/{name}")
    return Canonical("reddit", f"https://www.reddit.com/user/{name.lower()}", f"u/{name}")


TWITCH_NAME = re.compile(r"^[A-Za-z0-9_]{3,25}$")
TWITCH_RESERVED = frozenset(
    {
        "directory",
        "videos",
        "p",
        "settings",
        "search",
        "downloads",
        "jobs",
        "turbo",
        "subscriptions",
        "inventory",
        "wallet",
        "login",
        "signup",
        "friends",
        "messages",
        "store",
    }
)


def _twitch(url: ParsedUrl | None, raw: str) -> Canonical:
    if url is None:
        return _twitch_name(raw.strip().lstrip("@"))
    if not host_is(url.host, ("twitch.tv",)):
        raise CanonicalError("That is not a Twitch (twitch.tv) URL.")
    if not url.segments or url.segments[0].lower() in TWITCH_RESERVED:
        raise CanonicalError("That Twitch URL is not a channel (expected twitch.tv/<name>).")
    return _twitch_name(url.segments[0])


def _twitch_name(name: str) -> Canonical:
    if not TWITCH_NAME.match(name):
        raise CanonicalError("A Twitch name is 3 to 25 letters, digits or underscores.")
    return Canonical("twitch", f"https://www.twitch.tv/{name.lower()}", name)


def _other(url: ParsedUrl | None, raw: str) -> Canonical:
    if url is None and BARE_HOST.match(raw):
        url = parse_url(raw)
    if url is None:
        raise CanonicalError("Enter the account's full address (https://…).")
    known = detect_platform_of_host(url.host)
    if known is not None:
        raise CanonicalError(
            f"That is a {PLATFORM_LABELS[known]} address: choose "
            f"{PLATFORM_LABELS[known]} as the platform."
        )
    path = "/".join(quote_segment(s) for s in url.segments)
    query = sorted(
        (k, v)
        for k, v in url.query
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith("utm_")
    )
    canonical = f"https://{url.host}" + (f"/{path}" if path else "")
    if query:
        canonical += "?" + urlencode(query)
    return Canonical("other", canonical, None)


COMMUNITY_RULES: dict[str, Callable[[ParsedUrl | None, str], Canonical]] = {
    "bluesky": _bluesky,
    "mastodon": _mastodon,
    "pinterest": _pinterest,
    "flickr": _flickr,
    "whatsapp": _whatsapp,
    "snapchat": _snapchat,
    "reddit": _reddit,
    "twitch": _twitch,
    "other": _other,
}
