"""How durations read on every page: "45 s", "12 min", "3 h 5 min", "2 d 4 h" (Jinja filters)."""

from __future__ import annotations

import datetime as dt

from flask import Flask

NO_VALUE = "—"


def _minutes_and_up(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def format_duration(value: dt.timedelta | None) -> str:
    """A time span to the second under a minute, then to the minute (rounded down)."""
    if value is None:
        return NO_VALUE
    seconds = max(0, int(value.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    return _minutes_and_up(seconds // 60)


def minutes_text(value: float | None) -> str:
    """A number of minutes (a median, say) to the nearest minute; "—" without data."""
    if value is None:
        return NO_VALUE
    return _minutes_and_up(round(value))


# Plurals whose singular is not the plural without its "s".
_SINGULARS = {"people": "person", "replies": "reply", "activities": "activity"}


def noun(count: float, plural: str) -> str:
    """The noun that agrees with `count`: "person" for 1, "people" otherwise."""
    return _SINGULARS.get(plural, plural.removesuffix("s")) if count == 1 else plural


def counted(count: int, plural: str) -> str:
    """ "1 person", "3 people", "1 thread", "1,204 threads": a count with its noun agreeing."""
    return f"{count:,} {noun(count, plural)}"


def minutes_words(minutes: int | None) -> str:
    """A configured wait in words: "45 minutes", "2 hours", "1 hour 30 minutes", "3 days"."""
    if minutes is None:
        return NO_VALUE
    if minutes < 60:
        return counted(minutes, "minutes")
    hours, rest = divmod(minutes, 60)
    if hours >= 48 and hours % 24 == 0 and not rest:
        return counted(hours // 24, "days")
    return counted(hours, "hours") + (f" {counted(rest, 'minutes')}" if rest else "")


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        duration=format_duration,
        minutes_text=minutes_text,
        counted=counted,
        minutes_words=minutes_words,
    )
