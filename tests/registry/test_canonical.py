"""Canonical URL rules, platform by platform: every form of an account gives one URL."""

from __future__ import annotations

import pytest

from forum.registry.canonical import CanonicalError, canonicalize, detect_platform_of_host, guess
from forum.registry.platforms import PLATFORM_SLUGS

DID = "did:plc:abcdefghijklmnopqrstuvwx"

# (platform, input, canonical URL, permanent account id or None)
SAME_ACCOUNT = [
    # X / Twitter: every host form becomes x.com, handles are case-insensitive.
    ("x", "https://x.com/CouncilParks", "https://x.com/councilparks", None),
    ("x", "http://twitter.com/CouncilParks", "https://x.com/councilparks", None),
    ("x", "https://mobile.twitter.com/councilparks/", "https://x.com/councilparks", None),
    ("x", "https://www.twitter.com/COUNCILPARKS?s=20&t=abc", "https://x.com/councilparks", None),
    ("x", "twitter.com/CouncilParks#top", "https://x.com/councilparks", None),
    (
        "x",
        "https://x.com/CouncilParks/status/1790000000000000000",
        "https://x.com/councilparks",
        None,
    ),
    ("x", "@CouncilParks", "https://x.com/councilparks", None),
    ("x", "councilparks", "https://x.com/councilparks", None),
    ("x", "https://x.com/i/user/783214", "https://x.com/i/user/783214", "783214"),
    (
        "x",
        "https://twitter.com/intent/user?user_id=783214",
        "https://x.com/i/user/783214",
        "783214",
    ),
    (
        "x",
        "https://twitter.com/intent/user?screen_name=CouncilParks",
        "https://x.com/councilparks",
        None,
    ),
    # Facebook: pages by name (case and dots ignored), numeric ids, profile.php, m./fb.com.
    (
        "facebook",
        "https://www.facebook.com/CityCouncil",
        "https://www.facebook.com/citycouncil",
        None,
    ),
    (
        "facebook",
        "https://m.facebook.com/City.Council/?ref=bookmarks",
        "https://www.facebook.com/citycouncil",
        None,
    ),
    ("facebook", "fb.com/citycouncil/posts/123", "https://www.facebook.com/citycouncil", None),
    (
        "facebook",
        "http://facebook.com/citycouncil/about",
        "https://www.facebook.com/citycouncil",
        None,
    ),
    (
        "facebook",
        "https://www.facebook.com/profile.php?id=100064123456789&sk=about",
        "https://www.facebook.com/profile.php?id=100064123456789",
        "100064123456789",
    ),
    (
        "facebook",
        "https://web.facebook.com/100064123456789",
        "https://www.facebook.com/profile.php?id=100064123456789",
        "100064123456789",
    ),
    (
        "facebook",
        "https://www.facebook.com/people/Parks-Team/100064123456789/",
        "https://www.facebook.com/profile.php?id=100064123456789",
        "100064123456789",
    ),
    (
        "facebook",
        "https://www.facebook.com/pages/Parks-Team/100064123456789",
        "https://www.facebook.com/profile.php?id=100064123456789",
        "100064123456789",
    ),
    (
        "facebook",
        "https://www.facebook.com/Parks-Team-100064123456789/",
        "https://www.facebook.com/profile.php?id=100064123456789",
        "100064123456789",
    ),
    (
        "facebook",
        "https://www.facebook.com/groups/LocalGreenSpaces/",
        "https://www.facebook.com/groups/localgreenspaces",
        None,
    ),
    (
        "facebook",
        "https://www.facebook.com/pg/CityCouncil/about/",
        "https://www.facebook.com/citycouncil",
        None,
    ),
    (
        "facebook",
        "100064123456789",
        "https://www.facebook.com/profile.php?id=100064123456789",
        "100064123456789",
    ),
    # Instagram.
    (
        "instagram",
        "https://www.instagram.com/City_Libraries/",
        "https://www.instagram.com/city_libraries",
        None,
    ),
    (
        "instagram",
        "https://instagram.com/city_libraries?igshid=abc123",
        "https://www.instagram.com/city_libraries",
        None,
    ),
    (
        "instagram",
        "https://www.instagram.com/stories/city_libraries/3141592653/",
        "https://www.instagram.com/city_libraries",
        None,
    ),
    ("instagram", "instagr.am/City_Libraries", "https://www.instagram.com/city_libraries", None),
    ("instagram", "@city.libraries", "https://www.instagram.com/city.libraries", None),
    # LinkedIn company pages (and showcase/school pages).
    (
        "linkedin",
        "https://www.linkedin.com/company/City-Council/",
        "https://www.linkedin.com/company/city-council",
        None,
    ),
    (
        "linkedin",
        "https://uk.linkedin.com/company/city-council/about/?trk=x",
        "https://www.linkedin.com/company/city-council",
        None,
    ),
    (
        "linkedin",
        "linkedin.com/company/1234567/",
        "https://www.linkedin.com/company/1234567",
        "1234567",
    ),
    (
        "linkedin",
        "https://www.linkedin.com/showcase/city-jobs",
        "https://www.linkedin.com/showcase/city-jobs",
        None,
    ),
    ("linkedin", "company/city-council", "https://www.linkedin.com/company/city-council", None),
    ("linkedin", "city-council", "https://www.linkedin.com/company/city-council", None),
    # YouTube: @handles are case-insensitive, channel ids are permanent and case-sensitive.
    (
        "youtube",
        "https://www.youtube.com/@CityCouncil",
        "https://www.youtube.com/@citycouncil",
        None,
    ),
    (
        "youtube",
        "https://m.youtube.com/@citycouncil/videos?view=0",
        "https://www.youtube.com/@citycouncil",
        None,
    ),
    ("youtube", "@CityCouncil", "https://www.youtube.com/@citycouncil", None),
    (
        "youtube",
        "https://www.youtube.com/channel/UCaBcDeFgHiJkLmNoPqRsTuV/featured",
        "https://www.youtube.com/channel/UCaBcDeFgHiJkLmNoPqRsTuV",
        "UCaBcDeFgHiJkLmNoPqRsTuV",
    ),
    (
        "youtube",
        "UCaBcDeFgHiJkLmNoPqRsTuV",
        "https://www.youtube.com/channel/UCaBcDeFgHiJkLmNoPqRsTuV",
        "UCaBcDeFgHiJkLmNoPqRsTuV",
    ),
    (
        "youtube",
        "https://www.youtube.com/c/CityCouncilTV",
        "https://www.youtube.com/c/citycounciltv",
        None,
    ),
    (
        "youtube",
        "https://www.youtube.com/user/CityCouncilTV",
        "https://www.youtube.com/user/citycounciltv",
        None,
    ),
    (
        "youtube",
        "https://www.youtube.com/CityCouncilTV",
        "https://www.youtube.com/c/citycounciltv",
        None,
    ),
    # TikTok.
    (
        "tiktok",
        "https://www.tiktok.com/@City.Parks?lang=en",
        "https://www.tiktok.com/@city.parks",
        None,
    ),
    (
        "tiktok",
        "https://m.tiktok.com/@city.parks/video/7300000000000000000",
        "https://www.tiktok.com/@city.parks",
        None,
    ),
    ("tiktok", "@City.Parks", "https://www.tiktok.com/@city.parks", None),
    # Threads (threads.net moved to threads.com).
    ("threads", "https://www.threads.net/@City.Parks", "https://www.threads.com/@city.parks", None),
    (
        "threads",
        "https://threads.com/@city.parks/post/C1a2b3",
        "https://www.threads.com/@city.parks",
        None,
    ),
    ("threads", "@city.parks", "https://www.threads.com/@city.parks", None),
    # Bluesky: handles are domains (case-insensitive); DIDs are permanent.
    (
        "bluesky",
        "https://bsky.app/profile/CityCouncil.bsky.social",
        "https://bsky.app/profile/citycouncil.bsky.social",
        None,
    ),
    (
        "bluesky",
        "https://bsky.app/profile/citycouncil.bsky.social/post/3kabc",
        "https://bsky.app/profile/citycouncil.bsky.social",
        None,
    ),
    (
        "bluesky",
        "@citycouncil.bsky.social",
        "https://bsky.app/profile/citycouncil.bsky.social",
        None,
    ),
    ("bluesky", "news.council.example", "https://bsky.app/profile/news.council.example", None),
    (
        "bluesky",
        "https://bsky.app/profile/did:plc:abcdefghijklmnopqrstuvwx",
        f"https://bsky.app/profile/{DID}",
        DID,
    ),
    ("bluesky", "did:plc:abcdefghijklmnopqrstuvwx", f"https://bsky.app/profile/{DID}", DID),
    (
        "bluesky",
        "at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3k",
        f"https://bsky.app/profile/{DID}",
        DID,
    ),
    # Mastodon: @user@server and https://server/@user are one account.
    ("mastodon", "@CityNews@Social.Example", "https://social.example/@citynews", None),
    ("mastodon", "citynews@social.example", "https://social.example/@citynews", None),
    ("mastodon", "https://social.example/@CityNews", "https://social.example/@citynews", None),
    (
        "mastodon",
        "https://social.example/@citynews/111222333444",
        "https://social.example/@citynews",
        None,
    ),
    ("mastodon", "https://social.example/users/citynews", "https://social.example/@citynews", None),
    (
        "mastodon",
        "https://mastodon.online/@citynews@social.example",
        "https://social.example/@citynews",
        None,
    ),
    ("mastodon", "https://social.example/web/@citynews", "https://social.example/@citynews", None),
    # Pinterest (country domains and boards fold into the account).
    (
        "pinterest",
        "https://www.pinterest.com/CityParks/",
        "https://www.pinterest.com/cityparks",
        None,
    ),
    (
        "pinterest",
        "https://uk.pinterest.com/cityparks/autumn-walks/",
        "https://www.pinterest.com/cityparks",
        None,
    ),
    (
        "pinterest",
        "https://www.pinterest.co.uk/cityparks",
        "https://www.pinterest.com/cityparks",
        None,
    ),
    ("pinterest", "cityparks", "https://www.pinterest.com/cityparks", None),
    # Flickr: aliases and NSIDs (permanent).
    (
        "flickr",
        "https://www.flickr.com/photos/CityArchive/albums",
        "https://www.flickr.com/photos/cityarchive",
        None,
    ),
    (
        "flickr",
        "https://flickr.com/people/cityarchive/",
        "https://www.flickr.com/photos/cityarchive",
        None,
    ),
    (
        "flickr",
        "https://www.flickr.com/photos/12345678@n02/",
        "https://www.flickr.com/photos/12345678@N02",
        "12345678@N02",
    ),
    ("flickr", "12345678@N02", "https://www.flickr.com/photos/12345678@N02", "12345678@N02"),
    (
        "flickr",
        "https://www.flickr.com/groups/cityarchive-friends/",
        "https://www.flickr.com/groups/cityarchive-friends",
        None,
    ),
    # WhatsApp channels: the id is permanent and case-sensitive.
    (
        "whatsapp",
        "https://whatsapp.com/channel/0029VaAbCdEfGhIjKlMnOp1Q",
        "https://whatsapp.com/channel/0029VaAbCdEfGhIjKlMnOp1Q",
        "0029VaAbCdEfGhIjKlMnOp1Q",
    ),
    (
        "whatsapp",
        "https://www.whatsapp.com/channel/0029VaAbCdEfGhIjKlMnOp1Q/?utm_source=x",
        "https://whatsapp.com/channel/0029VaAbCdEfGhIjKlMnOp1Q",
        "0029VaAbCdEfGhIjKlMnOp1Q",
    ),
    # Snapchat.
    (
        "snapchat",
        "https://www.snapchat.com/add/CityParks?share_id=x",
        "https://www.snapchat.com/add/cityparks",
        None,
    ),
    ("snapchat", "https://snapchat.com/@cityparks", "https://www.snapchat.com/add/cityparks", None),
    (
        "snapchat",
        "https://story.snapchat.com/s/cityparks",
        "https://www.snapchat.com/add/cityparks",
        None,
    ),
    ("snapchat", "CityParks", "https://www.snapchat.com/add/cityparks", None),
    # Reddit: subreddits and users.
    (
        "reddit",
        "https://www.reddit.com/r/CityCouncil/",
        "https://www.reddit.com/r/citycouncil",
        None,
    ),
    (
        "reddit",
        "https://old.reddit.com/r/citycouncil/comments/abc/title/",
        "https://www.reddit.com/r/citycouncil",
        None,
    ),
    ("reddit", "r/CityCouncil", "https://www.reddit.com/r/citycouncil", None),
    ("reddit", "/r/citycouncil", "https://www.reddit.com/r/citycouncil", None),
    (
        "reddit",
        "https://www.reddit.com/user/CityCouncilTeam",
        "https://www.reddit.com/user/citycouncilteam",
        None,
    ),
    (
        "reddit",
        "https://reddit.com/u/citycouncilteam",
        "https://www.reddit.com/user/citycouncilteam",
        None,
    ),
    ("reddit", "u/CityCouncilTeam", "https://www.reddit.com/user/citycouncilteam", None),
    # Twitch.
    (
        "twitch",
        "https://www.twitch.tv/CityCouncilLive",
        "https://www.twitch.tv/citycouncillive",
        None,
    ),
    (
        "twitch",
        "https://m.twitch.tv/citycouncillive/videos?filter=all",
        "https://www.twitch.tv/citycouncillive",
        None,
    ),
    ("twitch", "CityCouncilLive", "https://www.twitch.tv/citycouncillive", None),
    # Other: host lower-cased, tracking parameters, fragments and trailing slashes dropped,
    # meaningful query parameters kept (sorted).
    (
        "other",
        "HTTP://Forum.Example.org/Groups/Parks/?utm_source=news&utm_medium=x#latest",
        "https://forum.example.org/Groups/Parks",
        None,
    ),
    (
        "other",
        "https://forum.example.org/group?id=7&fbclid=abc&b=2",
        "https://forum.example.org/group?b=2&id=7",
        None,
    ),
    ("other", "forum.example.org/parks", "https://forum.example.org/parks", None),
    ("other", "https://forum.example.org:443/parks/", "https://forum.example.org/parks", None),
]


@pytest.mark.parametrize(("platform", "value", "expected", "account_id"), SAME_ACCOUNT)
def test_every_form_of_an_account_gives_one_canonical_url(
    platform: str, value: str, expected: str, account_id: str | None
) -> None:
    result = canonicalize(platform, value)
    assert result.url == expected
    assert result.account_id == account_id
    assert result.platform == platform


# (platform, input that is not an account of that platform)
NOT_OF_PLATFORM = [
    ("x", "https://www.facebook.com/citycouncil"),
    ("x", "https://x.com/home"),
    ("x", "https://x.com/search?q=council"),
    ("x", "@this_handle_is_too_long"),
    ("x", "https://twitter.com/"),
    ("facebook", "https://x.com/citycouncil"),
    ("facebook", "https://www.facebook.com/watch/?v=123"),
    ("facebook", "https://www.facebook.com/profile.php"),
    ("facebook", "https://www.facebook.com/sharer/sharer.php?u=x"),
    ("facebook", "https://notfacebook.com/citycouncil"),
    ("instagram", "https://www.instagram.com/p/Cabc123/"),
    ("instagram", "https://www.instagram.com/explore/tags/parks/"),
    ("instagram", "https://instagram.com.evil.example/cityparks"),
    ("linkedin", "https://www.linkedin.com/feed/"),
    ("linkedin", "https://lnkd.in/abc"),
    ("youtube", "https://youtu.be/dQw4w9WgXcQ"),
    ("youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ("youtube", "https://www.youtube.com/channel/UCshort"),
    ("youtube", "citycouncil"),
    ("tiktok", "https://vm.tiktok.com/ZMabc/"),
    ("tiktok", "https://www.tiktok.com/discover/parks"),
    ("threads", "https://www.instagram.com/city.parks"),
    ("bluesky", "https://bsky.app/search?q=x"),
    ("bluesky", "did:plc:tooshort"),
    ("bluesky", "nodots"),
    ("mastodon", "@citynews"),
    ("mastodon", "https://x.com/@citynews"),
    ("mastodon", "https://social.example/about"),
    ("pinterest", "https://pin.it/abc"),
    ("pinterest", "https://www.pinterest.com/pin/123/"),
    ("flickr", "https://flic.kr/p/abc"),
    ("flickr", "https://www.flickr.com/explore"),
    ("whatsapp", "https://wa.me/441234567890"),
    ("whatsapp", "https://chat.whatsapp.com/AbCdEf123456"),
    ("whatsapp", "https://www.whatsapp.com/download"),
    ("snapchat", "https://www.snapchat.com/discover"),
    ("reddit", "https://redd.it/abc123"),
    ("reddit", "https://www.reddit.com/"),
    ("reddit", "citycouncil"),
    ("twitch", "https://www.twitch.tv/directory/game/x"),
    ("twitch", "https://www.twitch.tv/"),
    ("other", "https://twitter.com/citycouncil"),
    ("other", "just some words"),
    ("other", "citycouncil"),
    ("other", "ftp://files.example.org/x"),
    ("other", "javascript:alert(1)"),
    ("x", "https://evil.example@x.com/citycouncil"),
    ("x", ""),
    ("nosuchplatform", "https://example.org"),
]


@pytest.mark.parametrize(("platform", "value"), NOT_OF_PLATFORM)
def test_values_that_are_not_accounts_of_the_platform_are_refused(
    platform: str, value: str
) -> None:
    with pytest.raises(CanonicalError) as excinfo:
        canonicalize(platform, value)
    assert str(excinfo.value)


def test_every_known_platform_has_a_rule() -> None:
    from forum.registry.canonical import RULES

    assert set(RULES) == PLATFORM_SLUGS


def test_handles_are_kept_as_written_beside_the_canonical_url() -> None:
    result = canonicalize("x", "https://twitter.com/CouncilParks")
    assert result.handle == "@CouncilParks"
    assert result.handle_key == "councilparks"
    assert canonicalize("mastodon", "https://Social.Example/@CityNews").handle == (
        "@CityNews@social.example"
    )
    assert canonicalize("reddit", "https://www.reddit.com/r/CityCouncil").handle == "r/CityCouncil"


def test_channel_ids_keep_their_case() -> None:
    upper = canonicalize("youtube", "https://www.youtube.com/channel/UCaBcDeFgHiJkLmNoPqRsTuV")
    lower = canonicalize("youtube", "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv")
    assert upper.url != lower.url


@pytest.mark.parametrize(
    ("host", "platform"),
    [
        ("mobile.twitter.com", "x"),
        ("m.facebook.com", "facebook"),
        ("uk.linkedin.com", "linkedin"),
        ("www.youtube.com", "youtube"),
        ("social.example", None),
        ("old.reddit.com", "reddit"),
        ("www.pinterest.co.uk", "pinterest"),
        ("www.threads.net", "threads"),
    ],
)
def test_hosts_identify_their_platform(host: str, platform: str | None) -> None:
    assert detect_platform_of_host(host) == platform


def test_guess_reads_a_url_by_its_host() -> None:
    readings = guess("https://mobile.twitter.com/CouncilParks?s=20")
    assert [(r.platform, r.url) for r in readings] == [("x", "https://x.com/councilparks")]


def test_guess_reads_mastodon_and_bluesky_forms() -> None:
    assert [r.url for r in guess("@news@social.example")] == ["https://social.example/@news"]
    assert [r.url for r in guess("https://social.example/@news")] == [
        "https://social.example/@news"
    ]
    assert guess("did:plc:abcdefghijklmnopqrstuvwx")[0].platform == "bluesky"
    assert guess("r/CityCouncil")[0].url == "https://www.reddit.com/r/citycouncil"


def test_guess_reads_a_bare_handle_on_every_platform_that_accepts_it() -> None:
    platforms = {r.platform for r in guess("@councilparks")}
    assert {"x", "instagram", "tiktok", "youtube", "threads"} <= platforms
    assert "other" not in platforms


def test_guess_of_nonsense_is_empty() -> None:
    assert guess("") == []
    assert guess("two words") == []
