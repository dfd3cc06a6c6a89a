"""The known social platforms: one constant, used by the seeding service and the migration."""

from __future__ import annotations

# (slug, display name, sort order). Slugs are stable identifiers used in the API, CSV and URLs;
# the migration seeds this same list, so add new platforms at the end.
KNOWN_PLATFORMS: tuple[tuple[str, str, int], ...] = (
    ("x", "X (Twitter)", 10),
    ("facebook", "Facebook", 20),
    ("instagram", "Instagram", 30),
    ("linkedin", "LinkedIn", 40),
    ("youtube", "YouTube", 50),
    ("tiktok", "TikTok", 60),
    ("threads", "Threads", 70),
    ("bluesky", "Bluesky", 80),
    ("mastodon", "Mastodon", 90),
    ("pinterest", "Pinterest", 100),
    ("flickr", "Flickr", 110),
    ("whatsapp", "WhatsApp channel", 120),
    ("snapchat", "Snapchat", 130),
    ("reddit", "Reddit", 140),
    ("twitch", "Twitch", 150),
    ("other", "Other", 1000),
)

PLATFORM_SLUGS: frozenset[str] = frozenset(slug for slug, _name, _order in KNOWN_PLATFORMS)
