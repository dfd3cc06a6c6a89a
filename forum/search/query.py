"""The date part of the query syntax, taken out of the text before the backend parses the rest.

    date:2026-01-01..2026-03-31   both days included; either end may be left open
    date:2026-03  date:2026       a whole month or year
    after:2026-01-01              on or after that day
    before:2026-04-01             before that day

Days are UTC. Several date terms narrow each other. Years run from 1 to 9998, so that every
period ends on a date Python can hold.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from forum.core.errors import Invalid

_DATE_TERM = re.compile(r"(?<!\S)(date|after|before):(\S*)", re.IGNORECASE)
_DAY = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")

HELP = "Use dates like 2026-03-31, 2026-03 or 2026, and ranges like date:2026-01-01..2026-03-31."
FIRST_YEAR, LAST_YEAR = 1, 9998
RANGE_HELP = f"Use dates from {FIRST_YEAR:04d}-01-01 to {LAST_YEAR:04d}-12-31."


class _OutOfRange(ValueError):
    """A well-formed date outside the years search can count with."""


@dataclass(frozen=True)
class DateFilter:
    text: str
    start: dt.datetime | None = None
    end: dt.datetime | None = None


def _period(raw: str) -> tuple[dt.datetime, dt.datetime]:
    """The [start, end) of a day, month or year written as YYYY-MM-DD, YYYY-MM or YYYY."""
    match = _DAY.match(raw)
    if not match:
        raise ValueError(raw)
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise _OutOfRange(raw)
    month, day = (int(part) if part else None for part in match.groups()[1:])
    if month is None:
        start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
        return start, start.replace(year=year + 1)
    if day is None:
        start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
        following = (
            start.replace(year=year + 1, month=1) if month == 12 else start.replace(month=month + 1)
        )
        return start, following
    start = dt.datetime(year, month, day, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


def extract_dates(text: str) -> DateFilter:
    """Split `date:`, `after:` and `before:` terms from the text; Invalid (field q) when a date
    cannot be read or the range is empty."""
    start: dt.datetime | None = None
    end: dt.datetime | None = None

    def narrow(new_start: dt.datetime | None, new_end: dt.datetime | None) -> None:
        nonlocal start, end
        if new_start is not None:
            start = new_start if start is None else max(start, new_start)
        if new_end is not None:
            end = new_end if end is None else min(end, new_end)

    for match in _DATE_TERM.finditer(text):
        name, value = match.group(1).lower(), match.group(2)
        try:
            if name == "after":
                narrow(_period(value)[0], None)
            elif name == "before":
                narrow(None, _period(value)[0])
            elif ".." in value:
                low, high = value.split("..", 1)
                if not low and not high:
                    raise ValueError(value)
                narrow(_period(low)[0] if low else None, _period(high)[1] if high else None)
            else:
                narrow(*_period(value))
        except _OutOfRange:
            raise Invalid(
                "That search has a date out of range.",
                fields={"q": f"The date in “{match.group(0)}” is out of range. {RANGE_HELP}"},
            ) from None
        except (ValueError, OverflowError):
            raise Invalid(
                "That search has a date we cannot read.",
                fields={"q": f"Cannot read the date in “{match.group(0)}”. {HELP}"},
            ) from None
    if start is not None and end is not None and start >= end:
        raise Invalid(
            "That date range is empty.", fields={"q": "The date range ends before it starts."}
        )
    remaining = " ".join(_DATE_TERM.sub(" ", text).split())
    return DateFilter(text=remaining, start=start, end=end)
