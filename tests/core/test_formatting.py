"""Durations read the same on the escalation pages and the insights dashboard."""

from __future__ import annotations

import datetime as dt

import pytest

from forum.core.formatting import counted, format_duration, minutes_text, minutes_words


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


@pytest.mark.parametrize(
    ("count", "plural", "text"),
    [
        (1, "people", "1 person"),
        (2, "people", "2 people"),
        (0, "threads", "0 threads"),
        (1, "threads", "1 thread"),
        (1, "replies", "1 reply"),
        (1204, "profiles", "1,204 profiles"),
    ],
)
def test_a_count_agrees_with_its_noun(count: int, plural: str, text: str) -> None:
    assert counted(count, plural) == text


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (1, "1 minute"),
        (45, "45 minutes"),
        (60, "1 hour"),
        (90, "1 hour 30 minutes"),
        (1440, "24 hours"),
        (2880, "2 days"),
        (None, "—"),
    ],
)
def test_a_configured_wait_reads_in_words(minutes: int | None, text: str) -> None:
    assert minutes_words(minutes) == text
