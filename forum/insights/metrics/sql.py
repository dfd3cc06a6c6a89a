"""Portable SQL building blocks for reporting: durations, week buckets, month arithmetic, medians.

Each construct compiles to SQLite or PostgreSQL syntax, so one query runs on both.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Float, Select, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from forum.core.db import UTCDateTime
from forum.extensions import db


class minutes_between(FunctionElement[float]):  # noqa: N801  (reads like a SQL function)
    """Minutes from the first timestamp to the second (fractional)."""

    type = Float()
    inherit_cache = True
    name = "minutes_between"


@compiles(minutes_between, "sqlite")
def _minutes_sqlite(element: minutes_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"((julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)})) * 1440.0)"
    )


@compiles(minutes_between, "postgresql")
def _minutes_postgresql(element: minutes_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) / 60.0)"
    )


class week_start(FunctionElement[Any]):  # noqa: N801
    """The Monday (UTC) of the week a timestamp falls in, as a date (a string on SQLite)."""

    type = Date()
    inherit_cache = True
    name = "week_start"


@compiles(week_start, "sqlite")
def _week_sqlite(element: week_start, compiler: Any, **kw: Any) -> str:
    (value,) = list(element.clauses)
    # 'weekday 0' moves forward to Sunday (or stays), then back six days lands on Monday.
    return f"date({compiler.process(value, **kw)}, 'weekday 0', '-6 days')"


@compiles(week_start, "postgresql")
def _week_postgresql(element: week_start, compiler: Any, **kw: Any) -> str:
    (value,) = list(element.clauses)
    return f"CAST(date_trunc('week', {compiler.process(value, **kw)} AT TIME ZONE 'UTC') AS DATE)"


class add_months(FunctionElement[Any]):  # noqa: N801
    """A timestamp plus a whole number of months (a column or a literal)."""

    type = UTCDateTime()
    inherit_cache = True
    name = "add_months"


@compiles(add_months, "sqlite")
def _add_months_sqlite(element: add_months, compiler: Any, **kw: Any) -> str:
    value, months = list(element.clauses)
    # strftime keeps the microseconds so the result compares like the stored text.
    return (
        f"strftime('%Y-%m-%d %H:%M:%f000', {compiler.process(value, **kw)}, "
        f"'+' || ({compiler.process(months, **kw)}) || ' months')"
    )


@compiles(add_months, "postgresql")
def _add_months_postgresql(element: add_months, compiler: Any, **kw: Any) -> str:
    value, months = list(element.clauses)
    return (
        f"({compiler.process(value, **kw)} + "
        f"make_interval(months => CAST({compiler.process(months, **kw)} AS INTEGER)))"
    )


def median_of(values: Select[Any]) -> float | None:
    """The median of a one-column SELECT, computed in the database (None when it is empty).

    Portable: rank the values with ROW_NUMBER() and COUNT() windows and average the middle one
    (odd count) or two (even count); PostgreSQL's percentile_cont is not available on SQLite.
    """
    inner = values.subquery()
    (column,) = list(inner.c)
    ranked = (
        select(
            column.label("v"),
            func.row_number().over(order_by=column).label("rn"),
            func.count().over().label("n"),
        )
        .where(column.is_not(None))
        .subquery()
    )
    middle: ColumnElement[bool] = or_(
        ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2
    )
    result = db.session.scalar(select(func.avg(ranked.c.v)).where(middle))
    return None if result is None else float(result)
