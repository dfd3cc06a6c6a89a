"""Every page shows a moment through one filter: a <time> element in the reader's time zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from forum.config import ConfigError, load_config
from forum.core import clock

SUMMER_NOON = dt.datetime(2026, 7, 1, 12, 30, 5, tzinfo=dt.UTC)
LATE_EVENING = dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC)


def render(app: Flask, source: str, **context: Any) -> str:
    with app.test_request_context("/"):
        return app.jinja_env.from_string(source).render(**context)


def test_times_show_in_utc_with_the_exact_instant_for_machines(app: Flask) -> None:
    html = render(app, "{{ t|when }}", t=SUMMER_NOON)
    assert html == '<time datetime="2026-07-01T12:30:05Z">1 Jul 2026, 12:30 UTC</time>'


@pytest.mark.parametrize(
    ("style", "text"),
    [
        ("date", "1 Jul 2026"),
        ("datetime", "1 Jul 2026, 12:30 UTC"),
        ("precise", "1 Jul 2026, 12:30:05 UTC"),
        ("time", "12:30:05 UTC"),
    ],
)
def test_the_named_formats(app: Flask, style: str, text: str) -> None:
    assert f">{text}</time>" in render(app, "{{ t|when(style) }}", t=SUMMER_NOON, style=style)


def test_an_unknown_format_is_a_template_bug_not_a_silent_default(app: Flask) -> None:
    with pytest.raises(ValueError, match="unknown time format"):
        render(app, "{{ t|when('%Y') }}", t=SUMMER_NOON)


def test_a_naive_time_is_read_as_the_utc_the_database_stores(app: Flask) -> None:
    naive = SUMMER_NOON.replace(tzinfo=None)
    assert render(app, "{{ t|when }}", t=naive) == render(app, "{{ t|when }}", t=SUMMER_NOON)


def test_a_calendar_date_has_no_zone_to_convert(app: Flask) -> None:
    html = render(app, "{{ d|when('date') }}", d=dt.date(2026, 12, 3))
    assert html == '<time datetime="2026-12-03">3 Dec 2026</time>'


def test_nothing_shows_nothing(app: Flask) -> None:
    assert render(app, "[{{ t|when }}]", t=None) == "[]"


def test_the_organization_zone_moves_the_text_not_the_instant(
    extra_app: Any, app_config: dict[str, Any]
) -> None:
    berlin = extra_app({**app_config, "FORUM_TIMEZONE": "Europe/Berlin"})
    html = render(berlin, "{{ t|when }}", t=LATE_EVENING)
    # 23:30 UTC is already the next day in Berlin (CEST, UTC+2).
    assert html == '<time datetime="2026-07-01T23:30:00Z">2 Jul 2026, 01:30 CEST</time>'
    assert ">2 Jul 2026<" in render(berlin, "{{ t|when('date') }}", t=LATE_EVENING)


def test_rules_keep_the_utc_day_whatever_the_zone(
    extra_app: Any, app_config: dict[str, Any]
) -> None:
    tokyo = extra_app({**app_config, "FORUM_TIMEZONE": "Asia/Tokyo"})
    with tokyo.test_request_context("/"):
        assert tokyo.jinja_env.globals["today"]() == dt.datetime.now(dt.UTC).date()


@pytest.mark.parametrize(
    "name", ["UTC", "Europe/London", "America/Argentina/Buenos_Aires", "Pacific/Chatham"]
)
def test_known_zones(name: str) -> None:
    assert clock.is_time_zone(name)
    assert name in clock.time_zone_names()


@pytest.mark.parametrize(
    "name", ["", " UTC", "Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime", "Europe/"]
)
def test_unknown_or_hostile_zone_names(name: str) -> None:
    assert not clock.is_time_zone(name)


def test_a_bad_organization_zone_stops_the_app_with_the_setting_named(tmp_path: Any) -> None:
    with pytest.raises(ConfigError, match="FORUM_TIMEZONE"):
        load_config(str(tmp_path), {"FORUM_TIMEZONE": "Mars/Olympus_Mons", "SECRET_KEY": "x"})
