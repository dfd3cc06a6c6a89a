"""Local date-times from forms: read in the reader's zone, stored in UTC (and back for editing).

A form's `datetime-local` input has no zone: the person means their own wall-clock time, the
zone the `when` filter shows them (forum.core.clock). Around a change of the clocks a local
time may not exist (the hour skipped in spring) or happen twice (the hour repeated in autumn):
the first is refused with a message, the second is taken as the earlier of the two instants,
the one a calendar would pick.
"""

from __future__ import annotations

import datetime as dt

from forum.core.clock import reader_zone
from forum.core.errors import Invalid


def local_to_utc(local: dt.datetime, zone: dt.tzinfo, *, field: str) -> dt.datetime:
    """The UTC instant of the naive wall-clock time `local` in `zone`.

    Raises Invalid on `field` when that time does not exist there (skipped by a DST change).
    """
    wall = local.replace(tzinfo=None, second=0, microsecond=0)
    instant = wall.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall:
        raise Invalid(
            fields={
                field: f"{wall:%H:%M} on {wall.day} {wall:%b %Y} does not exist in "
                f"{zone} (the clocks go forward then); pick another time."
            }
        )
    return instant


def utc_to_local(instant: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """The naive wall-clock time in `zone` of a stored UTC instant (a form's initial value)."""
    return instant.astimezone(zone).replace(tzinfo=None)


def from_reader(local: dt.datetime | None, *, field: str) -> dt.datetime:
    """A form's local date-time in the current reader's zone, as UTC; Invalid when missing."""
    if local is None:
        raise Invalid(fields={field: "Enter a date and time."})
    return local_to_utc(local, reader_zone(), field=field)


def to_reader(instant: dt.datetime) -> dt.datetime:
    return utc_to_local(instant, reader_zone())
