"""Times as readers see them: every stored time is UTC; pages show it in the reader's zone.

One filter, `when`, renders a date or time in a few named formats inside a `<time>` element
whose `datetime` attribute keeps the exact UTC instant for machines and assistive technology.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from functools import cache

from flask import Flask, current_app, g, has_app_context, has_request_context
from markupsafe import Markup, escape

ZoneChooser = Callable[[], str | None]
_CHOOSER_KEY = "forum.reader_time_zone"

# The named formats: the only ways a page shows a moment. "datetime" is the default.
FORMATS = ("date", "datetime", "precise", "time")


@cache
def _zone(name: str) -> dt.tzinfo:
    return dt.UTC if name == "UTC" else zoneinfo.ZoneInfo(name)


def is_time_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows ("UTC" always is)."""
    if name == "UTC":
        return True
    if not name or name != name.strip() or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        _zone(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


@cache
def time_zone_names() -> tuple[str, ...]:
    """Every choosable zone, sorted: the IANA "Area/Place" names plus UTC."""
    names = {name for name in zoneinfo.available_timezones() if "/" in name}
    return ("UTC", *sorted(name for name in names if not name.startswith(("Etc/", "SystemV/"))))


def choose_reader_zone(app: Flask, chooser: ZoneChooser) -> None:
    """Let a capability say which zone the current reader picked (None: the organization's)."""
    app.extensions[_CHOOSER_KEY] = chooser


def organization_zone_name() -> str:
    return str(current_app.config.get("FORUM_TIMEZONE") or "UTC")


def reader_zone_name() -> str:
    """The reader's own zone when they chose one, else the organization's; UTC outside an app.

    Asked once per request (every timestamp on a page asks): `forget_reader_zone` after the
    reader changes it."""
    if not has_app_context():
        return "UTC"
    in_request = has_request_context()
    if in_request and (known := g.get(_READER_ZONE_KEY)) is not None:
        return str(known)
    chooser: ZoneChooser | None = current_app.extensions.get(_CHOOSER_KEY)
    chosen = chooser() if chooser is not None else None
    name = chosen if chosen and is_time_zone(chosen) else organization_zone_name()
    if in_request:
        setattr(g, _READER_ZONE_KEY, name)
    return name


def forget_reader_zone() -> None:
    """The reader's zone changed during this request: ask again."""
    if has_request_context():
        g.pop(_READER_ZONE_KEY, None)


_READER_ZONE_KEY = "forum_reader_zone"


def reader_zone() -> dt.tzinfo:
    return _zone(reader_zone_name())


def _text(local: dt.datetime, style: str) -> str:
    day = f"{local.day} {local:%b %Y}"
    zone = local.tzname() or ""
    if style == "date":
        return day
    if style == "time":
        return f"{local:%H:%M:%S} {zone}".strip()
    if style == "precise":
        return f"{day}, {local:%H:%M:%S} {zone}".strip()
    return f"{day}, {local:%H:%M} {zone}".strip()


def when(value: dt.datetime | dt.date | None, style: str = "datetime") -> Markup:
    """`value` as a `<time>` element in the reader's zone, in one of FORMATS.

    A naive datetime is taken as UTC, as the database stores it; a plain date has no zone and
    is shown as it is.
    """
    if style not in FORMATS:
        raise ValueError(f"unknown time format {style!r}; use one of {', '.join(FORMATS)}")
    if value is None:
        return Markup("")
    if not isinstance(value, dt.datetime):
        text = f"{value.day} {value:%b %Y}"
        return Markup('<time datetime="{}">{}</time>').format(value.isoformat(), text)
    instant = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    instant = instant.astimezone(dt.UTC)
    local = instant.astimezone(reader_zone())
    stamp = instant.isoformat().replace("+00:00", "Z")
    # An ISO stamp is digits and "-:.TZ" only: nothing to escape, so no Markup.format, whose
    # escaping formatter cost more than the rest of this function on a page of results.
    return Markup(f'<time datetime="{stamp}">{escape(_text(local, style))}</time>')  # noqa: S704


def zone_of(zone_name: str | None) -> dt.tzinfo:
    """A person's zone from their setting: the organization's when it is None or unknown."""
    return _zone(zone_name if zone_name and is_time_zone(zone_name) else organization_zone_name())


def text_in_zone(value: dt.datetime, zone_name: str | None, style: str = "datetime") -> str:
    """`value` as plain text in one of FORMATS, in the zone `zone_name` (the organization's when
    it is None or unknown): for an email to one person, who has no page to read it on."""
    if style not in FORMATS:
        raise ValueError(f"unknown time format {style!r}; use one of {', '.join(FORMATS)}")
    instant = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return _text(instant.astimezone(zone_of(zone_name)), style)


def today() -> dt.date:
    """Today's date for rules (who is away, what is due): the UTC day, as services use, so a
    page's badge and the rule behind it never disagree around midnight. Only display converts."""
    return dt.datetime.now(dt.UTC).date()


def init_app(app: Flask) -> None:
    app.jinja_env.filters["when"] = when
    app.jinja_env.globals["today"] = today
