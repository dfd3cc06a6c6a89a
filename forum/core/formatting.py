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


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(duration=format_duration, minutes_text=minutes_text)
