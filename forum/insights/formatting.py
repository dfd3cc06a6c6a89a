"""Template filters that say numbers the way people read them: "1 h 30 min", "40%"."""

from __future__ import annotations

from forum.insights.charts import fmt


def minutes_text(value: float | None) -> str:
    """Minutes as a short duration: "45 min", "2 h 5 min", "3 d 4 h"; "—" without data."""
    if value is None:
        return "—"
    minutes = round(value)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def percent_text(value: float | None) -> str:
    return "—" if value is None else f"{fmt(value)}%"


def metric_text(value: float | None, unit: str) -> str:
    """A metric value with its unit, for the strategy page."""
    if unit == "minutes":
        return minutes_text(value)
    if unit == "percent":
        return percent_text(value)
    return "—" if value is None else f"{fmt(value)} {unit if value != 1 else unit.rstrip('s')}"


FILTERS = {
    "minutes_text": minutes_text,
    "percent_text": percent_text,
    "metric_text": metric_text,
    "insights_number": fmt,
}
