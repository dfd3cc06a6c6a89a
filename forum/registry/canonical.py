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
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit


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
class _Url:
    host: str
    segments: list[str]
    query: list[tuple[str, str]]

    def param(self, name: str) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return None


# Query parameters that only track where a click came from; never part of an identity.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
    "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "ref", "ref_src", "ref_url", "si",
    "feature", "trk", "trackingid", "li_fat_id", "mibextid", "s", "t", "src", "source",
    "spm", "share_id", "sharer", "hl", "lang", "locale", "originalsubdomain", "_rdr", "rdid",
})

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_BARE_HOST = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:[/?#]|$)", re.IGNORECASE)


def _looks_like_url(value: str) -> bool:
    """A scheme, or a host name followed by a path; a bare dotted name is only a URL when it
    is a known platform's host (handles such as name.bsky.social or john.smith have dots)."""
    if _SCHEME.match(value) or value.startswith("//"):
        return True
    if not _BARE_HOST.match(value):
        return False
    if any(ch in value for ch in "/?#"):
        return True
    return detect_platform_of_host(value.split(":")[0]) is not None


def _parse_url(value: str) -> _Url:
    if value.startswith("//"):
        value = "https:" + value
    elif not _SCHEME.match(value):
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
    return _Url(host=host, segments=segments, query=query)


def _host_is(host: str, bases: tuple[str, ...],
             prefixes: tuple[str, ...] = ("www.", "m.", "mobile.")) -> bool:
    return any(host == base or any(host == p + base for p in prefixes) for base in bases)


def _seg(value: str) -> str:
    return quote(value, safe="@:._-~!$&'()*+,;=")


# --- one rule per platform ---------------------------------------------------------------

X_HANDLE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
X_RESERVED = frozenset({"home", "search", "explore", "hashtag", "settings", "messages", "login",
                        "signup", "notifications", "compose", "tos", "privacy", "share",
                        "intent", "i", "logout", "account"})


def _x(url: _Url | None, raw: str) -> Canonical:
    if url is None:
        return _x_handle(raw.lstrip("@"))
    if not _host_is(url.host, ("x.com", "twitter.com")):
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


FACEBOOK_RESERVED = frozenset({
    "watch", "events", "share", "sharer", "sharer.php", "login", "login.php", "home.php", "help",
    "marketplace", "gaming", "stories", "photo", "photo.php", "photos", "permalink.php",
    "story.php", "hashtag", "search", "reel", "reels", "video.php", "l.php", "dialog",
    "plugins", "settings", "notifications", "messages", "friends", "policies", "privacy",
})
FACEBOOK_NAME = re.compile(r"^[A-Za-z0-9.]{1,50}$")
FACEBOOK_SLUG_WITH_ID = re.compile(r"^.+-(\d{9,})$")


def _facebook_id(account_id: str) -> Canonical:
    return Canonical("facebook", f"https://www.facebook.com/profile.php?id={account_id}", None,
                     account_id)


def _facebook(url: _Url | None, raw: str) -> Canonical:
    if url is None:
        name = raw.strip().lstrip("@")
        if name.isdigit():
            return _facebook_id(name)
        return _facebook_name(name)
    if not _host_is(url.host, ("facebook.com", "fb.com"),
                    ("www.", "m.", "mbasic.", "web.", "touch.", "business.")):
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
        return Canonical("facebook", f"https://www.facebook.com/groups/{_seg(group.lower())}",
                         group)
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
INSTAGRAM_RESERVED = frozenset({"p", "reel", "reels", "tv", "explore", "accounts", "direct",
                                "about", "legal", "developer", "web", "challenge"})


def _instagram(url: _Url | None, raw: str) -> Canonical:
    if url is None:
        return _instagram_name(raw.strip().lstrip("@"))
    if not _host_is(url.host, ("instagram.com", "instagr.am")):
        raise CanonicalError("That is not an Instagram (instagram.com) URL.")
    segs = url.segments
    if len(segs) >= 2 and segs[0].lower() == "stories":
        return _instagram_name(segs[1])
    if not segs or segs[0].lower() in INSTAGRAM_RESERVED:
        raise CanonicalError("That Instagram URL is not an account "
                             "(expected instagram.com/<name>).")
    return _instagram_name(segs[0])


def _instagram_name(name: str) -> Canonical:
    if not INSTAGRAM_NAME.match(name):
        raise CanonicalError("An Instagram username is up to 30 letters, digits, dots or "
                             "underscores.")
    return Canonical("instagram", f"https://www.instagram.com/{name.lower()}", "@" + name)


LINKEDIN_KINDS = ("company", "showcase", "school", "in")
LINKEDIN_SLUG = re.compile(r"^[\w.&%-]{1,120}$")
LINKEDIN_HOST = re.compile(r"^(?:(?:www|[a-z]{2})\.)?linkedin\.com$")


def _linkedin(url: _Url | None, raw: str) -> Canonical:
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
    return Canonical("linkedin", f"https://www.linkedin.com/{kind}/{_seg(slug.lower())}", slug)


YOUTUBE_CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
YOUTUBE_HANDLE = re.compile(r"^[\w.-]{3,30}$")
YOUTUBE_RESERVED = frozenset({"watch", "results", "feed", "playlist", "shorts", "embed", "live",
                              "premium", "redirect", "account", "t", "about", "gaming", "kids",
                              "channel", "c", "user", "hashtag", "post", "signin", "logout"})


def _youtube(url: _Url | None, raw: str) -> Canonical:
    if url is None:
        text = raw.strip()
        if YOUTUBE_CHANNEL_ID.match(text):
            return _youtube_channel(text)
        if not text.startswith("@"):
            raise CanonicalError("Enter a YouTube @handle, a channel id (UC…) or a URL.")
        return _youtube_handle(text[1:])
    if url.host == "youtu.be":
        raise CanonicalError("youtu.be links are videos: paste the channel's address.")
    if not _host_is(url.host, ("youtube.com",), ("www.", "m.", "music.")):
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
        raise CanonicalError("That YouTube URL is not a channel (expected /@handle or "
                             "/channel/UC…).")
    return _youtube_legacy("c", first)


def _youtube_channel(channel_id: str) -> Canonical:
    if not YOUTUBE_CHANNEL_ID.match(channel_id):
        raise CanonicalError("A YouTube channel id is UC followed by 22 characters.")
    # Channel ids are case-sensitive: kept exactly as given.
    return Canonical("youtube", f"https://www.youtube.com/channel/{channel_id}", None, channel_id)


def _youtube_handle(name: str) -> Canonical:
    if not YOUTUBE_HANDLE.match(name):
        raise CanonicalError("A YouTube handle is 3 to 30 letters, digits, dots, dashes or "
                             "underscores.")
    return Canonical("youtube", f"https://www.youtube.com/@{_seg(name.lower())}", "@" + name)


def _youtube_legacy(kind: str, name: str) -> Canonical:
    if not YOUTUBE_HANDLE.match(name) and not re.match(r"^[\w.-]{1,100}$", name):
        raise CanonicalError("That YouTube channel name is not valid.")
    return Canonical("youtube", f"https://www.youtube.com/{kind}/{_seg(name.lower())}", name)


TIKTOK_NAME = re.compile(r"^[A-Za-z0-9._]{2,24}$")


def _tiktok(url: _Url | None, raw: str) -> Canonical:
    if url is None:
        return _tiktok_name(raw.strip().lstrip("@"))
    if url.host in {"vm.tiktok.com", "vt.tiktok.com"}:
        raise CanonicalError("That is a TikTok short link: paste the tiktok.com/@name address.")
    if not _host_is(url.host, ("tiktok.com",)):
        raise CanonicalError("That is not a TikTok (tiktok.com) URL.")
    if not url.segments or not url.segments[0].startswith("@"):
        raise CanonicalError("That TikTok URL is not an account (expected tiktok.com/@name).")
    return _tiktok_name(url.segments[0][1:])


def _tiktok_name(name: str) -> Canonical:
    if not TIKTOK_NAME.match(name):
        raise CanonicalError("A TikTok username is 2 to 24 letters, digits, dots or underscores.")
    return Canonical("tiktok", f"https://www.tiktok.com/@{name.lower()}", "@" + name)


def _threads(url: _Url | None, raw: str) -> Canonical:
    if url is None:
        return _threads_name(raw.strip().lstrip("@"))
    if not _host_is(url.host, ("threads.net", "threads.com")):
        raise CanonicalError("That is not a Threads (threads.com) URL.")
    if not url.segments or not url.segments[0].startswith("@"):
        raise CanonicalError("That Threads URL is not an account (expected threads.com/@name).")
    return _threads_name(url.segments[0][1:])


def _threads_name(name: str) -> Canonical:
    # Threads accounts are Instagram accounts: same username rules.
    if not INSTAGRAM_NAME.match(name):
        raise CanonicalError("A Threads username is up to 30 letters, digits, dots or "
                             "underscores.")
    return Canonical("threads", f"https://www.threads.com/@{name.lower()}", "@" + name)


BLUESKY_DID = re.compile(r"^did:(?:plc:[a-z2-7]{24}|web:[a-z0-9.-]+\.[a-z]{2,})$")
DOMAIN = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _bluesky(url: _Url | None, raw: str) -> Canonical:
    if url is None:
        text = raw.strip()
        if text.lower().startswith("at://"):
            text = text[5:].split("/", 1)[0]
        return _bluesky_actor(text.lstrip("@"))
    if not _host_is(url.host, ("bsky.app",), ("www.", "staging.")):
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
    if not DOMAIN.match(lowered):
        raise CanonicalError("A Bluesky handle is a domain name such as name.bsky.social.")
    return Canonical("bluesky", f"https://bsky.app/profile/{lowered}", "@" + actor.strip())


MASTODON_USER = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$")


def _mastodon(url: _Url | None, raw: str) -> Canonical:
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
    server = server.strip().lower().rstrip(".")
    if not MASTODON_USER.match(user) or len(user) > 30:
        raise CanonicalError("A Mastodon username is letters, digits and underscores.")
    if not DOMAIN.match(server.split(":")[0]):
        raise CanonicalError("The Mastodon server must be a domain name.")
    return Canonical("mastodon", f"https://{server}/@{user.lower()}", f"@{user}@{server}")


PINTEREST_HOST = re.compile(
    r"^(?:(?:www|[a-z]{2})\.)?pinterest\.(?:com|co\.uk|ca|fr|de|ie|es|it|nz|com\.au|at|ch|pt|"
    r"se|dk|nl|jp|co\.kr|com\.mx|cl|ph|be|nz)$")
PINTEREST_NAME = re.compile(r"^[A-Za-z0-9_]{3,30}$")
PINTEREST_RESERVED = frozenset({"pin", "search", "ideas", "today", "business", "_", "settings",
                                "categories", "topics", "login", "explore", "news_hub"})


def _pinterest(url: _Url | None, raw: str) -> Canonical:
    if url is None:
        return _pinterest_name(raw.strip().lstrip("@"))
    if url.host == "pin.it":
        raise CanonicalError("pin.it is a short link: paste the pinterest.com address.")
    if not PINTEREST_HOST.match(url.host):
        raise CanonicalError("That is not a Pinterest (pinterest.com) URL.")
    if not url.segments or url.segments[0].lower() in PINTEREST_RESERVED:
        raise CanonicalError("That Pinterest URL is not an account "
                             "(expected pinterest.com/<name>).")
    return _pinterest_name(url.segments[0])


def _pinterest_name(name: str) -> Canonical:
    if not PINTEREST_NAME.match(name):
        raise CanonicalError("A Pinterest username is 3 to 30 letters, digits or underscores.")
    return Canonical("pinterest", f"https://www.pinterest.com/{name.lower()}", name)


FLICKR_NSID = re.compile(r"^(\d+)@[Nn](\d{2})$")
FLICKR_ALIAS = re.compile(r"^[A-Za-z0-9_-]{1,60}$")


def _flickr(url: _Url | None, raw: str) -> Canonical:
    if url is None:
        return _flickr_account("photos", raw.strip().lstrip("@") if "@N" not in raw.upper()
                               else raw.strip())
    if url.host == "flic.kr":
        raise CanonicalError("flic.kr is a short link: paste the flickr.com address.")
    if not _host_is(url.host, ("flickr.com",)):
        raise CanonicalError("That is not a Flickr (flickr.com) URL.")
    segs = url.segments
    if len(segs) < 2 or segs[0].lower() not in {"photos", "people", "groups"}:
        raise CanonicalError("That Flickr URL is not an account "
                             "(expected flickr.com/photos/<name>).")
    kind = "groups" if segs[0].lower() == "groups" else "photos"
    return _flickr_account(kind, segs[1])


def _flickr_account(kind: str, name: str) -> Canonical:
    nsid = FLICKR_NSID.match(name)
    if nsid:
        account_id = f"{nsid.group(1)}@N{nsid.group(2)}"
        return Canonical("flickr", f"https://www.flickr.com/{kind}/{account_id}", None, account_id)
    if not FLICKR_ALIAS.match(name):
        raise CanonicalError("A Flickr name is letters, digits, dashes or underscores, or an "
                             "id like 12345678@N01.")
    return Canonical("flickr", f"https://www.flickr.com/{kind}/{name.lower()}", name)


WHATSAPP_CHANNEL = re.compile(r"^[A-Za-z0-9]{16,40}$")


def _whatsapp(url: _Url | None, raw: str) -> Canonical:
    if url is None:
        return _whatsapp_channel(raw.strip())
    if url.host in {"wa.me", "api.whatsapp.com", "chat.whatsapp.com"}:
        raise CanonicalError("That is a chat or group link: paste the whatsapp.com/channel/… "
                             "address.")
    if not _host_is(url.host, ("whatsapp.com",), ("www.",)):
        raise CanonicalError("That is not a WhatsApp (whatsapp.com) URL.")
    segs = url.segments
    if len(segs) < 2 or segs[0].lower() != "channel":
        raise CanonicalError("That WhatsApp URL is not a channel (expected "
                             "whatsapp.com/channel/<id>).")
    return _whatsapp_channel(segs[1])


def _whatsapp_channel(channel_id: str) -> Canonical:
    if not WHATSAPP_CHANNEL.match(channel_id):
        raise CanonicalError("A WhatsApp channel id is 16 to 40 letters and digits.")
    # Channel ids are case-sensitive invitation codes, and permanent.
    return Canonical("whatsapp", f"https://whatsapp.com/channel/{channel_id}", None, channel_id)


SNAPCHAT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{1,14}$")


def _snapchat(url: _Url | None, raw: str) -> Canonical:
    if url is None:
        return _snapchat_name(raw.strip().lstrip("@"))
    if not _host_is(url.host, ("snapchat.com",), ("www.", "story.", "m.")):
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


def _reddit(url: _Url | None, raw: str) -> Canonical:
    if url is None:
        text = raw.strip().lstrip("/")
        kind, slash, name = text.partition("/")
        if not slash:
            raise CanonicalError("Write a subreddit as r/name and a user as u/name.")
        return _reddit_account(kind.lower(), name.strip("/"))
    if url.host == "redd.it":
        raise CanonicalError("redd.it links are posts: paste the reddit.com/r/… address.")
    if not _host_is(url.host, ("reddit.com",), ("www.", "old.", "new.", "np.", "m.", "i.")):
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
TWITCH_RESERVED = frozenset({"directory", "videos", "p", "settings", "search", "downloads",
                             "jobs", "turbo", "subscriptions", "inventory", "wallet", "login",
                             "signup", "friends", "messages", "store"})


def _twitch(url: _Url | None, raw: str) -> Canonical:
    if url is None:
        return _twitch_name(raw.strip().lstrip("@"))
    if not _host_is(url.host, ("twitch.tv",)):
        raise CanonicalError("That is not a Twitch (twitch.tv) URL.")
    if not url.segments or url.segments[0].lower() in TWITCH_RESERVED:
        raise CanonicalError("That Twitch URL is not a channel (expected twitch.tv/<name>).")
    return _twitch_name(url.segments[0])


def _twitch_name(name: str) -> Canonical:
    if not TWITCH_NAME.match(name):
        raise CanonicalError("A Twitch name is 3 to 25 letters, digits or underscores.")
    return Canonical("twitch", f"https://www.twitch.tv/{name.lower()}", name)


def _other(url: _Url | None, raw: str) -> Canonical:
    if url is None and _BARE_HOST.match(raw):
        url = _parse_url(raw)
    if url is None:
        raise CanonicalError("Enter the account's full address (https://…).")
    known = detect_platform_of_host(url.host)
    if known is not None:
        raise CanonicalError(f"That is a {PLATFORM_LABELS[known]} address: choose "
                             f"{PLATFORM_LABELS[known]} as the platform.")
    path = "/".join(_seg(s) for s in url.segments)
    query = sorted((k, v) for k, v in url.query
                   if k.lower() not in TRACKING_PARAMS and not k.lower().startswith("utm_"))
    canonical = f"https://{url.host}" + (f"/{path}" if path else "")
    if query:
        canonical += "?" + urlencode(query)
    return Canonical("other", canonical, None)


RULES: dict[str, Callable[[_Url | None, str], Canonical]] = {
    "x": _x, "facebook": _facebook, "instagram": _instagram, "linkedin": _linkedin,
    "youtube": _youtube, "tiktok": _tiktok, "threads": _threads, "bluesky": _bluesky,
    "mastodon": _mastodon, "pinterest": _pinterest, "flickr": _flickr, "whatsapp": _whatsapp,
    "snapchat": _snapchat, "reddit": _reddit, "twitch": _twitch, "other": _other,
}

PLATFORM_LABELS = {
    "x": "X", "facebook": "Facebook", "instagram": "Instagram", "linkedin": "LinkedIn",
    "youtube": "YouTube", "tiktok": "TikTok", "threads": "Threads", "bluesky": "Bluesky",
    "mastodon": "Mastodon", "pinterest": "Pinterest", "flickr": "Flickr",
    "whatsapp": "WhatsApp", "snapchat": "Snapchat", "reddit": "Reddit", "twitch": "Twitch",
    "other": "other",
}

# Hosts that identify a platform, for turning an arbitrary pasted URL into a lookup.
_HOST_TESTS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("x", lambda h: _host_is(h, ("x.com", "twitter.com"))),
    ("facebook", lambda h: _host_is(h, ("facebook.com", "fb.com"),
                                    ("www.", "m.", "mbasic.", "web.", "touch.", "business."))),
    ("instagram", lambda h: _host_is(h, ("instagram.com", "instagr.am"))),
    ("linkedin", lambda h: bool(LINKEDIN_HOST.match(h)) or h == "lnkd.in"),
    ("youtube", lambda h: _host_is(h, ("youtube.com",), ("www.", "m.", "music."))
     or h == "youtu.be"),
    ("tiktok", lambda h: h.endswith("tiktok.com") and h.count(".") <= 2),
    ("threads", lambda h: _host_is(h, ("threads.net", "threads.com"))),
    ("bluesky", lambda h: _host_is(h, ("bsky.app",), ("www.", "staging."))),
    ("pinterest", lambda h: bool(PINTEREST_HOST.match(h)) or h == "pin.it"),
    ("flickr", lambda h: _host_is(h, ("flickr.com",)) or h == "flic.kr"),
    ("whatsapp", lambda h: _host_is(h, ("whatsapp.com",), ("www.", "api.", "chat."))
     or h == "wa.me"),
    ("snapchat", lambda h: _host_is(h, ("snapchat.com",), ("www.", "story.", "m."))),
    ("reddit", lambda h: _host_is(h, ("reddit.com",), ("www.", "old.", "new.", "np.", "m.", "i."))
     or h == "redd.it"),
    ("twitch", lambda h: _host_is(h, ("twitch.tv",))),
)


def detect_platform_of_host(host: str) -> str | None:
    """The known platform a host name belongs to, or None (Mastodon servers are anyone's)."""
    host = host.lower().split(":")[0]
    for slug, test in _HOST_TESTS:
        if test(host):
            return slug
    return None


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
    handle_form = ((platform == "mastodon" and "@" in value and "/" not in value)
                   or (platform == "bluesky" and value.lower().startswith("at://")))
    if _looks_like_url(value) and not handle_form:
        return rule(_parse_url(value), value)
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
    elif _looks_like_url(value):
        host = _parse_url_or_none(value)
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


def _parse_url_or_none(value: str) -> str | None:
    try:
        return _parse_url(value).host
    except CanonicalError:
        return None
