"""Template filters that say insights' numbers the way people read them: "40%", "3 fixes"."""

from __future__ import annotations

from forum.core.formatting import minutes_text
from forum.insights.charts import fmt


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
    "percent_text": percent_text,
    "metric_text": metric_text,
    "insights_number": fmt,
}
