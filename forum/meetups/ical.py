"""An iCalendar (RFC 5545) file for one meet-up, written by hand: one VEVENT in UTC.

Text values are escaped (backslash, semicolon, comma, newline: section 3.3.11) and every line
is folded at 75 octets without splitting a UTF-8 character (section 3.1); lines end in CRLF.
The UID is stable per meet-up and site, and SEQUENCE grows with every change, so a calendar
that imported the file updates its copy (and shows a cancellation) when it is imported again.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from forum.meetups.models import Meetup

PRODID = "-//forum//Meet-ups//EN"


def escape_text(value: str) -> str:
    """A TEXT value as RFC 5545 writes it (control characters other than line breaks and tabs,
    which TEXT may not hold, are dropped)."""
    value = "".join(ch for ch in value if ch in "\r\n\t" or (ord(ch) >= 32 and ord(ch) != 127))
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, continued with CRLF and a space."""
    chunks: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            chunks.append(current)
            current = char
            limit = 74  # the continuation's leading space counts
        else:
            current += char
    chunks.append(current)
    return "\r\n ".join(chunks)


def utc_stamp(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(meetup: Meetup, *, base: str, now: dt.datetime) -> str:
    """The whole file for `meetup`; `base` is the site's absolute base URL."""
    page = f"{base}/meetups/{meetup.id}"
    # The Markdown source reads as plain text; a calendar shows no HTML.
    description = (
        f"{meetup.description}\n\nOrganized by {meetup.organizer.display_name}: {page}".strip()
    )
    location = meetup.place or meetup.online_url or ""
    host = urlsplit(base).hostname or "forum"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:meetup-{meetup.id}@{host}",
        f"DTSTAMP:{utc_stamp(now)}",
        f"CREATED:{utc_stamp(meetup.created_at)}",
        f"LAST-MODIFIED:{utc_stamp(meetup.updated_at)}",
        f"SEQUENCE:{meetup.sequence or 0}",
        f"DTSTART:{utc_stamp(meetup.starts_at)}",
        f"DTEND:{utc_stamp(meetup.ends_at)}",
        f"SUMMARY:{escape_text(meetup.title)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"LOCATION:{escape_text(location)}",
        f"URL:{page}",
        f"STATUS:{'CANCELLED' if meetup.is_cancelled else 'CONFIRMED'}",
    ]
    if meetup.online_url:
        lines.append(f"CONFERENCE;VALUE=URI:{meetup.online_url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)
