"""Strategy rules (save a version, endorse it, judge each goal); who sees which insights."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from forum.accounts.models import Department, Role, User
from forum.accounts.permissions import has_role, require_role
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid, NotFound, NotPermitted
from forum.extensions import db
from forum.insights import metrics
from forum.insights.models import (
    GOAL_TITLE_MAX,
    MAX_GOALS,
    VISION_MAX,
    Comparison,
    Endorsement,
    Goal,
    StrategyVersion,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GoalInput:
    title: str
    metric_key: str
    comparison: str
    target: float
    revisit_on: dt.date


def current_version() -> StrategyVersion | None:
    """The newest version with its goals and endorsements (None before the first save)."""
    return db.session.scalar(_version_query().order_by(StrategyVersion.number.desc()).limit(1))


def get_version(number: int) -> StrategyVersion:
    """Version `number`; raises NotFound when there is none."""
    version = db.session.scalar(_version_query().where(StrategyVersion.number == number))
    if version is None:
        raise NotFound("There is no such version of the strategy.")
    return version


def list_versions() -> list[StrategyVersion]:
    """Every version, newest first, with their endorsements (for the history list)."""
    return list(
        db.session.scalars(
            select(StrategyVersion)
            .order_by(StrategyVersion.number.desc())
            .options(
                selectinload(StrategyVersion.created_by),
                selectinload(StrategyVersion.endorsements).selectinload(Endorsement.user),
            )
        )
    )


def _version_query():  # type: ignore[no-untyped-def]
    return select(StrategyVersion).options(
        selectinload(StrategyVersion.goals),
        selectinload(StrategyVersion.created_by),
        selectinload(StrategyVersion.endorsements).selectinload(Endorsement.user),
    )


def _validate(vision: str, goals: list[GoalInput]) -> None:
    problems: dict[str, str] = {}
    if not vision.strip():
        problems["vision"] = "Write the vision: a sentence or two on what we are aiming for."
    elif len(vision) > VISION_MAX:
        problems["vision"] = f"Keep the vision under {VISION_MAX} characters."
    if not goals:
        problems["goals"] = "Add at least one goal."
    elif len(goals) > MAX_GOALS:
        problems["goals"] = f"A one-page strategy has at most {MAX_GOALS} goals."
    for index, goal in enumerate(goals):
        if not goal.title.strip() or len(goal.title) > GOAL_TITLE_MAX:
            problems[f"goals.{index}.title"] = (
                f"Give the goal a title of at most {GOAL_TITLE_MAX} characters."
            )
        if metrics.find_metric(goal.metric_key) is None:
            problems[f"goals.{index}.metric_key"] = "Pick a metric from the list."
        if goal.comparison not in {c.value for c in Comparison}:
            problems[f"goals.{index}.comparison"] = "Pick 'at most' or 'at least'."
        if goal.target != goal.target or abs(goal.target) > 1e9:  # NaN or absurd
            problems[f"goals.{index}.target"] = "Give a number."
    if problems:
        raise Invalid("The strategy could not be saved.", fields=problems)


def save_strategy(
    actor: User, *, vision: str, goals: list[GoalInput], now: dt.datetime | None = None
) -> StrategyVersion:
    """Save the strategy as a new version (seniors and admins): every save is kept, never
    overwritten, and other seniors endorse the version they agree with.

    Saving is a revisit: each goal records the metric's value now as its baseline, which the
    page compares the live value with. Raises NotPermitted below senior and Invalid for an
    empty vision, no goals, more than MAX_GOALS, or a goal with an unknown metric.
    """
    require_role(actor, Role.SENIOR)
    _validate(vision, goals)
    now = now or utcnow()
    number = (db.session.scalar(select(func.max(StrategyVersion.number))) or 0) + 1
    version = StrategyVersion(
        number=number, vision=vision.strip(), created_at=now, created_by_id=actor.id
    )
    for position, goal in enumerate(goals):
        version.goals.append(
            Goal(
                position=position,
                title=goal.title.strip(),
                metric_key=goal.metric_key,
                comparison=goal.comparison,
                target=goal.target,
                revisit_on=goal.revisit_on,
                baseline_value=metrics.metric_value(goal.metric_key, now),
                baseline_at=now,
            )
        )
    db.session.add(version)
    db.session.flush()
    logger.info("strategy version %s saved by user %s", number, actor.id)
    return version


def endorse(
    actor: User, version: StrategyVersion, *, now: dt.datetime | None = None
) -> Endorsement:
    """Record that a senior (or admin) endorses this version.

    Raises NotPermitted below senior, Conflict when they already endorsed it.
    """
    require_role(actor, Role.SENIOR)
    existing = db.session.scalar(
        select(Endorsement).where(
            Endorsement.version_id == version.id, Endorsement.user_id == actor.id
        )
    )
    if existing is not None:
        raise Conflict("You have already endorsed this version.")
    endorsement = Endorsement(version_id=version.id, user_id=actor.id, created_at=now or utcnow())
    db.session.add(endorsement)
    db.session.flush()
    logger.info("strategy version %s endorsed by user %s", version.number, actor.id)
    return endorsement


@dataclass
class GoalStatus:
    goal: Goal
    metric: metrics.Metric
    value: float | None
    met: bool | None
    # "better", "worse" or "same" since the last revisit (the baseline); None without data.
    trend: str | None
    change: float | None
    revisit_due: bool


def goal_statuses(version: StrategyVersion, *, now: dt.datetime | None = None) -> list[GoalStatus]:
    """Each goal's live value against its target, and its trend since the version was saved.

    "Better" means moved in the goal's direction: down for "at most", up for "at least".
    """
    now = now or utcnow()
    cache: dict[str, float | None] = {}
    statuses = []
    for goal in version.goals:
        metric = metrics.find_metric(goal.metric_key)
        if metric is None:  # a key retired since the goal was written
            continue
        if goal.metric_key not in cache:
            cache[goal.metric_key] = metrics.metric_value(goal.metric_key, now)
        value = cache[goal.metric_key]
        comparison = goal.comparison_enum
        trend = change = None
        if value is not None and goal.baseline_value is not None:
            change = round(value - goal.baseline_value, 1)
            towards = -change if comparison is Comparison.AT_MOST else change
            trend = "better" if towards > 0 else "worse" if towards < 0 else "same"
        statuses.append(
            GoalStatus(
                goal=goal,
                metric=metric,
                value=value,
                met=comparison.met(value, goal.target),
                trend=trend,
                change=change,
                revisit_due=goal.revisit_on <= now.date(),
            )
        )
    return statuses


def has_endorsed(user: User, version: StrategyVersion) -> bool:
    """True when `user` already endorsed `version` (its endorsements are loaded)."""
    return any(e.user_id == user.id for e in version.endorsements)


def insights_department(viewer: User, department_slug: str | None) -> Department | None:
    """The department whose insights `viewer` may see for this request (None: everything).

    Seniors and admins see everything or any one department; an enthusiast sees only their own
    department (asking for another is NotPermitted; asking for none gives their own). Members,
    and enthusiasts without a department, get NotPermitted; an unknown slug is Invalid.
    """
    require_role(viewer, Role.ENTHUSIAST)
    department = None
    if department_slug:
        department = db.session.scalar(select(Department).where(Department.slug == department_slug))
        if department is None:
            raise Invalid(fields={"department": f"No department with slug {department_slug!r}."})
    if has_role(viewer, Role.SENIOR):
        return department
    if viewer.department_id is None:
        raise NotPermitted(
            "Insights for enthusiasts cover their own department, and you have none."
        )
    if department is not None and department.id != viewer.department_id:
        raise NotPermitted("Enthusiasts see the insights of their own department only.")
    return department or db.session.get(Department, viewer.department_id)


def list_departments() -> list[Department]:
    """Every department by name, for the dashboard's department picker."""
    return list(db.session.scalars(select(Department).order_by(Department.name)))
