"""Forum activity: new posts by kind, active contributors, enthusiast coverage, reply times.

Read-only aggregate SQL over the boards' and accounts' tables (reporting may read them directly).
A department filter means "started or written by people of that department".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, exists, func, select, true
from sqlalchemy.orm import aliased

from forum.accounts.models import Department, Role, User
from forum.boards.models import Board, Post, PostKind, Thread
from forum.extensions import db
from forum.insights.metrics.period import Period
from forum.insights.metrics.sql import median_of, minutes_between, week_start

# Threads that ask the community for help: the ones that can be solved.
HELP_KINDS = tuple(kind.value for kind in PostKind if kind.solvable)
SENIOR_ROLES = (Role.SENIOR.value, Role.ADMIN.value)
KINDS = tuple(kind.value for kind in PostKind)


def visible_post() -> ColumnElement[bool]:
    """A post that counts: neither deleted nor hidden by a moderator."""
    return and_(Post.deleted_at.is_(None), Post.hidden_at.is_(None))


def in_period(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.starts_at, column < period.ends_at)


def _author_in(department_id: int | None, author_column: Any) -> ColumnElement[bool]:
    if department_id is None:
        return true()
    return author_column.in_(select(User.id).where(User.department_id == department_id))


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


@dataclass
class PostsByKind:
    totals: dict[str, int]
    # One row per week (Monday) of the period, oldest first: {"week": date, "<kind>": n, ...}
    weekly: list[dict[str, Any]] = field(default_factory=list)


def posts_by_kind(period: Period, department_id: int | None = None) -> PostsByKind:
    """Threads started in the period, per kind in total and per week (weeks start on Monday)."""
    week = week_start(Thread.created_at).label("week")
    rows = db.session.execute(
        select(week, Thread.kind, func.count())
        .where(in_period(Thread.created_at, period), _author_in(department_id, Thread.author_id))
        .group_by(week, Thread.kind)
    ).all()
    totals = dict.fromkeys(KINDS, 0)
    by_week: dict[dt.date, dict[str, int]] = {}
    for week_value, kind, count in rows:
        totals[kind] = totals.get(kind, 0) + count
        by_week.setdefault(_as_date(week_value), {})[kind] = count
    first = period.start - dt.timedelta(days=period.start.weekday())
    weekly = []
    monday = first
    while monday <= period.end:
        counts = by_week.get(monday, {})
        weekly.append({"week": monday, **{kind: counts.get(kind, 0) for kind in KINDS}})
        monday += dt.timedelta(days=7)
    return PostsByKind(totals=totals, weekly=weekly)


@dataclass
class DepartmentCount:
    department_id: int | None
    slug: str
    name: str
    count: int


def active_contributors_by_department(
    period: Period, department_id: int | None = None
) -> list[DepartmentCount]:
    """People who wrote at least one visible post in the period, per department (zeros too).

    People without a department are one extra row (slug "") when there are any.
    """
    # "+ 0" keeps the planner from walking the author index row by row (SQLite does without
    # statistics): one sequential scan of the period's posts is several times faster.
    authors = (
        select((Post.author_id + 0).label("user_id"))
        .where(in_period(Post.created_at, period), visible_post())
        .distinct()
        .subquery()
    )
    query = (
        select(User.department_id, func.count())
        .join(authors, authors.c.user_id == User.id)
        .group_by(User.department_id)
    )
    if department_id is not None:
        query = query.where(User.department_id == department_id)
    counts: dict[int | None, int] = {row[0]: int(row[1]) for row in db.session.execute(query).all()}
    departments = select(Department.id, Department.slug, Department.name).order_by(Department.name)
    if department_id is not None:
        departments = departments.where(Department.id == department_id)
    result = [
        DepartmentCount(id_, slug, name, counts.get(id_, 0))
        for id_, slug, name in db.session.execute(departments).all()
    ]
    if department_id is None and counts.get(None):
        result.append(DepartmentCount(None, "", "No department", counts[None]))
    return result


@dataclass
class UncoveredDepartment:
    department_id: int
    slug: str
    name: str
    # Active enthusiast accounts in the department (none of whom posted in the period).
    enthusiasts: int


def departments_without_enthusiast(
    period: Period, department_id: int | None = None
) -> list[UncoveredDepartment]:
    """Departments where no enthusiast with an active account wrote a visible post in the period.

    `enthusiasts` tells "nobody holds the role" (0) apart from "they were quiet" (> 0).
    """
    enthusiast = and_(User.role == Role.ENTHUSIAST.value, User.is_active.is_(True))
    covered = (
        select(User.department_id)
        .join(Post, Post.author_id == User.id)
        .where(
            enthusiast,
            User.department_id.is_not(None),
            in_period(Post.created_at, period),
            visible_post(),
        )
        .distinct()
    )
    enthusiasts = (
        select(User.department_id, func.count().label("n"))
        .where(enthusiast)
        .group_by(User.department_id)
        .subquery()
    )
    query = (
        select(Department.id, Department.slug, Department.name, func.coalesce(enthusiasts.c.n, 0))
        .outerjoin(enthusiasts, enthusiasts.c.department_id == Department.id)
        .where(Department.id.not_in(covered))
        .order_by(Department.name)
    )
    if department_id is not None:
        query = query.where(Department.id == department_id)
    return [UncoveredDepartment(*row) for row in db.session.execute(query).all()]


def _help_threads(period: Period, department_id: int | None) -> ColumnElement[bool]:
    return and_(
        Thread.kind.in_(HELP_KINDS),
        in_period(Thread.created_at, period),
        _author_in(department_id, Thread.author_id),
    )


def _first_reply_minutes(period: Period, department_id: int | None, *, seniors_only: bool) -> Any:
    """SELECT of minutes from each help thread's start to its first reply by someone else."""
    reply = aliased(Post)
    query = (
        select(Thread.id, Thread.created_at, func.min(reply.created_at).label("first_at"))
        .join(
            reply,
            and_(
                reply.thread_id == Thread.id,
                reply.author_id != Thread.author_id,
                reply.deleted_at.is_(None),
                reply.hidden_at.is_(None),
            ),
        )
        .where(_help_threads(period, department_id))
    )
    if seniors_only:
        replier = aliased(User)
        query = query.join(
            replier, and_(replier.id == reply.author_id, replier.role.in_(SENIOR_ROLES))
        )
    firsts = query.group_by(Thread.id, Thread.created_at).subquery()
    return select(minutes_between(firsts.c.created_at, firsts.c.first_at))


@dataclass
class Responsiveness:
    help_threads: int
    solved: int
    unanswered: int
    median_minutes_to_first_reply: float | None
    median_minutes_to_senior_reply: float | None

    @property
    def percent_solved(self) -> float | None:
        return None if not self.help_threads else round(100.0 * self.solved / self.help_threads, 1)


def _has_reply_by_other() -> ColumnElement[bool]:
    reply = aliased(Post)
    return exists().where(
        reply.thread_id == Thread.id,
        reply.author_id != Thread.author_id,
        reply.deleted_at.is_(None),
        reply.hidden_at.is_(None),
    )


def _is_solved() -> ColumnElement[bool]:
    return (Thread.solution_post_id.is_not(None)) | (Thread.solution_thread_id.is_not(None))


def responsiveness(period: Period, department_id: int | None = None) -> Responsiveness:
    """For questions and failures started in the period: how many, how many solved, how many
    with no reply from anyone else yet, and the median minutes to the first reply by someone
    else and to the first reply by a senior or admin (threads never answered do not count)."""
    solved = case((_is_solved(), 1), else_=0)
    unanswered = case((and_(~_is_solved(), ~_has_reply_by_other()), 1), else_=0)
    total, solved_count, unanswered_count = db.session.execute(
        select(
            func.count(), func.coalesce(func.sum(solved), 0), func.coalesce(func.sum(unanswered), 0)
        )
        .select_from(Thread)
        .where(_help_threads(period, department_id))
    ).one()
    return Responsiveness(
        help_threads=int(total),
        solved=int(solved_count),
        unanswered=int(unanswered_count),
        median_minutes_to_first_reply=median_of(
            _first_reply_minutes(period, department_id, seniors_only=False)
        ),
        median_minutes_to_senior_reply=median_of(
            _first_reply_minutes(period, department_id, seniors_only=True)
        ),
    )


@dataclass
class UnansweredThread:
    id: int
    title: str
    kind: str
    board_name: str
    created_at: dt.datetime


def unanswered_questions(
    period: Period,
    department_id: int | None = None,
    *,
    board_clause: ColumnElement[bool] | None = None,
    limit: int = 25,
) -> list[UnansweredThread]:
    """Questions and failures started in the period, unsolved, with no reply from anyone else;
    oldest first. `board_clause` (a WHERE on Board) limits them to boards the viewer may see."""
    query = (
        select(Thread.id, Thread.title, Thread.kind, Board.name, Thread.created_at)
        .join(Board, Board.id == Thread.board_id)
        .where(_help_threads(period, department_id), ~_is_solved(), ~_has_reply_by_other())
        .order_by(Thread.created_at, Thread.id)
        .limit(limit)
    )
    if board_clause is not None:
        query = query.where(board_clause)
    return [UnansweredThread(*row) for row in db.session.execute(query).all()]


def active_contributor_count(period: Period, department_id: int | None = None) -> int:
    """Distinct people who wrote at least one visible post in the period."""
    return int(
        db.session.scalar(
            select(func.count(distinct(Post.author_id))).where(
                in_period(Post.created_at, period),
                visible_post(),
                _author_in(department_id, Post.author_id),
            )
        )
        or 0
    )
