"""Durations read the same on the escalation pages and the insights dashboard."""

from __future__ import annotations

import datetime as dt

import pytest

from forum.core.formatting import format_duration, minutes_text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-5, "0 s"),
        (45, "45 s"),
        (60, "1 min"),
        (119, "1 min"),
        (3600, "1 h"),
        (3600 + 5 * 60, "1 h 5 min"),
        (86400, "1 d"),
        (2 * 86400 + 4 * 3600 + 59, "2 d 4 h"),
    ],
)
def test_a_time_span_reads_to_the_second_then_the_minute(seconds: int, text: str) -> None:
    assert format_duration(dt.timedelta(seconds=seconds)) == text


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(0.4, "0 min"), (44.6, "45 min"), (125, "2 h 5 min"), (1440, "1 d"), (1500, "1 d 1 h")],
)
def test_a_number_of_minutes_rounds_to_the_nearest_minute(minutes: float, text: str) -> None:
    assert minutes_text(minutes) == text


def test_no_value_reads_as_a_dash() -> None:
    assert format_duration(None) == minutes_text(None) == "—"
