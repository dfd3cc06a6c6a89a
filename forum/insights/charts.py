"""Chart geometry for the inline SVG charts: plain numbers the templates draw, no drawing library.

Every chart has an id, a title, a one-sentence description (the SVG's <title>/<desc>), and the
table of the same numbers that the page shows behind a <details> toggle.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from forum.core.formatting import counted, noun

# viewBox widths: small enough that labels stay legible when a 375px screen scales the chart
# down, and the stylesheet caps how far wide screens scale them up.
WIDTH = 520
BAR_WIDTH = 360
BAR_ROW = 44


def nice_max(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover  (the loop always returns)


def fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


@dataclass
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    css: str = "bar"
    text_x: float = 0
    text_y: float = 0
    value_x: float = 0

    @property
    def value_text(self) -> str:
        return fmt(self.value)


@dataclass
class Chart:
    id: str
    title: str
    description: str
    height: float
    columns: list[str]
    rows: list[list[str]]
    bars: list[Bar] = field(default_factory=list)
    # Column charts: axis ticks and x labels; legend entries (label, css class).
    ticks: list[dict[str, Any]] = field(default_factory=list)
    x_labels: list[dict[str, Any]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    width: int = WIDTH
    csv: str | None = None
    empty: bool = False
    kind: str = "bars"  # or "columns": the stylesheet sizes them differently


def bar_chart(
    chart_id: str,
    title: str,
    items: list[tuple[str, float]],
    *,
    unit: str,
    csv: str | None = None,
    css: str = "bar",
    column: str = "Category",
) -> Chart:
    """Horizontal bars, one per item, the label above its bar and the value after it."""
    top = max((value for _, value in items), default=0)
    scale = (BAR_WIDTH - 60) / nice_max(top)
    bars = []
    for index, (label, value) in enumerate(items):
        y = index * BAR_ROW
        bars.append(
            Bar(
                label=label,
                value=value,
                x=0,
                y=y + 18,
                width=max(value * scale, 0),
                height=18,
                css=css,
                text_x=0,
                text_y=y + 14,
                value_x=max(value * scale, 0) + 6,
            )
        )
    if items:
        leader = max(items, key=lambda item: item[1])
        description = (
            f"{counted(len(items), 'bars')} of {unit}; "
            f"the largest is {leader[0]} with {fmt(leader[1])}."
        )
    else:
        description = "No data in this period."
    return Chart(
        id=chart_id,
        title=title,
        description=description,
        height=max(len(items) * BAR_ROW, BAR_ROW),
        columns=[column, unit.capitalize()],
        rows=[[label, fmt(value)] for label, value in items],
        bars=bars,
        csv=csv,
        empty=not items or top == 0,
        width=BAR_WIDTH,
    )


def paired_bar_chart(
    chart_id: str,
    title: str,
    items: list[tuple[str, float, float]],
    *,
    unit: str,
    first: str,
    second: str,
    csv: str | None = None,
    column: str = "Category",
) -> Chart:
    """Two bars per item (e.g. the previous period, then this one), label above the pair."""
    top = max((max(a, b) for _, a, b in items), default=0)
    scale = (BAR_WIDTH - 60) / nice_max(top)
    row = BAR_ROW + 14
    bars = []
    for index, (label, a, b) in enumerate(items):
        y = index * row
        for offset, value, css in ((18, a, "bar bar-previous"), (32, b, "bar")):
            bars.append(
                Bar(
                    label=label if offset == 18 else "",
                    value=value,
                    x=0,
                    y=y + offset,
                    width=max(value * scale, 0),
                    height=12,
                    css=css,
                    text_x=0,
                    text_y=y + 14,
                    value_x=max(value * scale, 0) + 6,
                )
            )
    description = (
        f"{len(items)} pairs of bars of {unit}: {first} and {second}."
        if items
        else "No data in this period."
    )
    return Chart(
        id=chart_id,
        title=title,
        description=description,
        height=max(len(items) * row, row),
        columns=[column, first, second],
        rows=[[label, fmt(a), fmt(b)] for label, a, b in items],
        bars=bars,
        legend=[(first, "bar bar-previous"), (second, "bar")],
        csv=csv,
        empty=top == 0,
        width=BAR_WIDTH,
    )


def stacked_columns(
    chart_id: str,
    title: str,
    weeks: list[dt.date],
    series: list[tuple[str, str, list[float]]],
    *,
    unit: str,
    csv: str | None = None,
) -> Chart:
    """One column per week, stacked by series (label, css class, values per week)."""
    left, top_pad, bottom, plot_height = 40, 12, 28, 200
    plot_width = WIDTH - left - 8
    totals = [sum(values[i] for _, _, values in series) for i in range(len(weeks))]
    top = nice_max(max(totals, default=0))
    slot = plot_width / max(len(weeks), 1)
    column_width = max(min(slot * 0.7, 48), 2)
    bars: list[Bar] = []
    for i, week in enumerate(weeks):
        x = left + i * slot + (slot - column_width) / 2
        base = float(top_pad + plot_height)
        for label, css, values in series:
            value = values[i]
            if value <= 0:
                continue
            height = value / top * plot_height
            base -= height
            bars.append(
                Bar(
                    label=f"{label}, week of {week:%-d %b}",
                    value=value,
                    x=x,
                    y=base,
                    width=column_width,
                    height=height,
                    css=f"bar {css}",
                )
            )
    ticks = [
        {"y": top_pad + plot_height - fraction * plot_height, "label": fmt(top * fraction)}
        for fraction in (0, 0.5, 1)
    ]
    every = max(1, math.ceil(len(weeks) / 6))
    x_labels = [
        {
            "x": left + i * slot + slot / 2,
            "y": top_pad + plot_height + 18,
            "label": f"{week:%-d %b}",
        }
        for i, week in enumerate(weeks)
        if i % every == 0
    ]
    total = sum(totals)
    busiest = max(range(len(weeks)), key=lambda i: totals[i]) if weeks else None
    description = (
        f"{fmt(total)} {noun(total, unit)} over {counted(len(weeks), 'weeks')}; "
        "the busiest week began "
        f"{weeks[busiest]:%-d %B %Y} with {fmt(totals[busiest])}."
        if busiest is not None and total
        else "No data in this period."
    )
    rows = [
        [f"{week:%Y-%m-%d}", *(fmt(values[i]) for _, _, values in series), fmt(totals[i])]
        for i, week in enumerate(weeks)
    ]
    return Chart(
        id=chart_id,
        title=title,
        description=description,
        height=top_pad + plot_height + bottom,
        kind="columns",
        columns=["Week starting", *(label for label, _, _ in series), "Total"],
        rows=rows,
        bars=bars,
        ticks=[{**t, "x1": left, "x2": WIDTH - 8} for t in ticks],
        x_labels=x_labels,
        legend=[(label, f"bar {css}") for label, css, _ in series],
        csv=csv,
        empty=total == 0,
    )


def dashboard_charts(report: Any, query: dict[str, str]) -> dict[str, Chart]:
    """The dashboard's charts from a Report; `query` is carried into each CSV link."""
    from flask import url_for

    from forum.boards.models import PostKind
    from forum.escalations.models import Urgency
    from forum.insights.metrics import ATTENTION_REASONS, Rung

    def csv(name: str) -> str:
        return url_for("insights.series_csv", name=name, **query)  # type: ignore[arg-type]

    weeks = [row["week"] for row in report.posts.weekly]
    kinds = [
        (kind.label, f"kind-{kind.value}", [float(row[kind.value]) for row in report.posts.weekly])
        for kind in PostKind
    ]
    reg = report.registry
    return {
        "posts": stacked_columns(
            "chart-posts",
            "New threads per week by kind",
            weeks,
            kinds,
            unit="threads",
            csv=csv("posts_by_kind"),
        ),
        "contributors": bar_chart(
            "chart-contributors",
            "Active contributors per department",
            [(row.name, float(row.count)) for row in report.contributors],
            unit="people",
            csv=csv("active_contributors_by_department"),
            column="Department",
        ),
        "urgency": bar_chart(
            "chart-urgency",
            "Escalations by urgency",
            [(u.label, float(report.escalations.by_urgency.get(u.value, 0))) for u in Urgency],
            unit="escalations",
            csv=csv("escalations_by_urgency"),
            css="bar bar-warn",
            column="Urgency",
        ),
        "status": bar_chart(
            "chart-status",
            "Live profiles by status",
            [(status.capitalize(), float(count)) for status, count in reg.by_status.items()],
            unit="profiles",
            csv=csv("profiles_by_status"),
            column="Status",
        ),
        "platform": bar_chart(
            "chart-platform",
            "Live profiles by platform",
            [(name, float(sum(counts.values()))) for name, counts in reg.by_platform.items()],
            unit="profiles",
            csv=csv("profiles_by_platform"),
            column="Platform",
        ),
        "attention": bar_chart(
            "chart-attention",
            "Profiles needing attention, by reason",
            [
                (ATTENTION_REASONS.get(code, code), float(count))
                for code, count in report.attention.by_reason.items()
            ],
            unit="profiles",
            csv=csv("profiles_needing_attention"),
            css="bar bar-danger",
            column="Reason",
        ),
        "ladder": paired_bar_chart(
            "chart-ladder",
            "Engagement ladder: people at each rung",
            [
                (
                    rung.label,
                    float(report.ladder.previous[rung]),
                    float(report.ladder.current[rung]),
                )
                for rung in Rung
            ],
            unit="people",
            first="Previous period",
            second="This period",
            csv=csv("engagement_ladder"),
            column="Rung",
        ),
    }
