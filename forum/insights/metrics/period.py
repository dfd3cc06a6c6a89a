"""The reporting period: whole UTC days from `start` to `end`, both included."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from forum.core.errors import Invalid

DEFAULT_DAYS = 84  # twelve weeks
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=dt.UTC)

    @property
    def ends_at(self) -> dt.datetime:
        """Exclusive: midnight after the last day."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length that ends the day before this one starts."""
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    @classmethod
    def ending(cls, end: dt.date, days: int = DEFAULT_DAYS) -> Period:
        return cls(end - dt.timedelta(days=days - 1), end)

    @classmethod
    def parse(cls, start: dt.date | None, end: dt.date | None, *, today: dt.date) -> Period:
        """The period from optional bounds (defaults: the twelve weeks up to today).

        Raises Invalid when the end is before the start or the range is longer than three years.
        """
        end = end or today
        start = start or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        if end < start:
            raise Invalid(
                "The end date is before the start date.",
                fields={"to": "Pick an end date on or after the start date."},
            )
        if (end - start).days + 1 > MAX_DAYS:
            raise Invalid(
                "That range is too long.", fields={"from": "Pick a range of at most three years."}
            )
        return cls(start, end)
