"""The date part of the query syntax, parsed without an index."""

from __future__ import annotations

import datetime as dt

import pytest

from forum.core.errors import Invalid
from forum.search.query import extract_dates


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def test_range_includes_both_days_and_leaves_the_words() -> None:
    found = extract_dates("printer date:2026-01-01..2026-03-31 jam")
    assert found.text == "printer jam"
    assert found.start == utc(2026, 1, 1)
    assert found.end == utc(2026, 4, 1)


@pytest.mark.parametrize(
    ("term", "start", "end"),
    [
        ("date:2026-03", utc(2026, 3, 1), utc(2026, 4, 1)),
        ("date:2026-12", utc(2026, 12, 1), utc(2027, 1, 1)),
        ("date:2026", utc(2026, 1, 1), utc(2027, 1, 1)),
        ("date:2026-02-28", utc(2026, 2, 28), utc(2026, 3, 1)),
        ("date:2026-01-01..", utc(2026, 1, 1), None),
        ("date:..2026-01-31", None, utc(2026, 2, 1)),
        ("after:2026-01-15", utc(2026, 1, 15), None),
        ("before:2026-01-15", None, utc(2026, 1, 15)),
        ("AFTER:2026-01-15", utc(2026, 1, 15), None),
    ],
)
def test_date_forms(term: str, start: dt.datetime | None, end: dt.datetime | None) -> None:
    found = extract_dates(term)
    assert (found.start, found.end, found.text) == (start, end, "")


def test_several_date_terms_narrow_each_other() -> None:
    found = extract_dates("after:2026-01-01 before:2026-06-01 date:2026-03..2026-12")
    assert (found.start, found.end) == (utc(2026, 3, 1), utc(2026, 6, 1))


def test_words_that_merely_contain_date_are_left_alone() -> None:
    assert extract_dates("update:now mandate").text == "update:now mandate"


@pytest.mark.parametrize(
    "term",
    [
        "date:yesterday",
        "date:2026-13-01",
        "date:2026-02-30",
        "after:",
        "date:..",
        "before:01/02/2026",
        "date:2026-01-01...2026-02-01",
    ],
)
def test_unreadable_dates_are_invalid_with_a_message_on_q(term: str) -> None:
    with pytest.raises(Invalid) as caught:
        extract_dates(f"printer {term}")
    assert "q" in caught.value.fields


def test_a_range_that_ends_before_it_starts_is_invalid() -> None:
    with pytest.raises(Invalid) as caught:
        extract_dates("date:2026-03-01..2026-01-01")
    assert "ends before it starts" in caught.value.fields["q"]


@pytest.mark.parametrize(
    "term", ["date:9999-12-31", "after:9999-12-31", "date:..9999-12-31", "date:0000", "date:9999"]
)
def test_dates_beyond_the_years_search_can_count_are_invalid_not_a_crash(term: str) -> None:
    with pytest.raises(Invalid) as caught:
        extract_dates(f"printer {term}")
    assert "out of range" in caught.value.fields["q"]
    assert "9998-12-31" in caught.value.fields["q"]


def test_the_last_day_search_can_count_is_read() -> None:
    found = extract_dates("date:9998-12-31")
    assert (found.start, found.end) == (utc(9998, 12, 31), utc(9999, 1, 1))
