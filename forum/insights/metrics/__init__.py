"""Every insights query (aggregate, read-only SQL), split by noun, and the metric keys goals use.

`METRICS` is the fixed list of keys a strategy goal may be tied to; `metric_value(key, now)`
computes one over the trailing `GOAL_WINDOW_DAYS` (or as a snapshot at `now`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from forum.insights.metrics import skills as skill_metrics
from forum.insights.metrics.escalations import EscalationStats, escalation_stats
from forum.insights.metrics.people import Ladder, Rung, engagement_ladder
from forum.insights.metrics.period import Period
from forum.insights.metrics.posts import (
    DepartmentCount,
    PostsByKind,
    Responsiveness,
    UnansweredThread,
    UncoveredDepartment,
    active_contributor_count,
    active_contributors_by_department,
    departments_without_enthusiast,
    posts_by_kind,
    responsiveness,
    unanswered_questions,
)
from forum.insights.metrics.profiles import (
    ATTENTION_REASONS,
    Attention,
    RegistryHealth,
    profiles_needing_attention,
    registry_health,
)
from forum.people.models import SkillKind

__all__ = [
    "ATTENTION_REASONS",
    "GOAL_WINDOW_DAYS",
    "METRICS",
    "Attention",
    "DepartmentCount",
    "EscalationStats",
    "Ladder",
    "Metric",
    "Period",
    "PostsByKind",
    "RegistryHealth",
    "Responsiveness",
    "Rung",
    "UnansweredThread",
    "UncoveredDepartment",
    "active_contributor_count",
    "active_contributors_by_department",
    "departments_without_enthusiast",
    "engagement_ladder",
    "escalation_stats",
    "find_metric",
    "metric_choices",
    "metric_value",
    "posts_by_kind",
    "profiles_needing_attention",
    "registry_health",
    "responsiveness",
    "unanswered_questions",
]

# Goals are measured over the last twelve weeks (windowed metrics) or at the moment (snapshots).
GOAL_WINDOW_DAYS = 84


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str  # "people", "departments", "minutes", "percent", "profiles", "threads"
    lower_is_better: bool
    compute: Callable[[Period, dt.datetime], float | None]


def _count(value: int) -> float:
    return float(value)


_METRICS = [
    Metric(
        "departments_without_enthusiast",
        "Departments with no active enthusiast",
        "departments",
        True,
        lambda p, now: _count(len(departments_without_enthusiast(p))),
    ),
    Metric(
        "active_contributors",
        "Active contributors",
        "people",
        False,
        lambda p, now: _count(active_contributor_count(p)),
    ),
    Metric(
        "median_minutes_to_first_reply",
        "Median time to first reply",
        "minutes",
        True,
        lambda p, now: responsiveness(p).median_minutes_to_first_reply,
    ),
    Metric(
        "median_minutes_to_senior_reply",
        "Median time to a senior reply",
        "minutes",
        True,
        lambda p, now: responsiveness(p).median_minutes_to_senior_reply,
    ),
    Metric(
        "median_minutes_to_senior_ack",
        "Median time to a senior acknowledging an escalation",
        "minutes",
        True,
        lambda p, now: escalation_stats(p).median_minutes_to_senior_ack,
    ),
    Metric(
        "median_minutes_to_resolve",
        "Median time to resolve an escalation",
        "minutes",
        True,
        lambda p, now: escalation_stats(p).median_minutes_to_resolve,
    ),
    Metric(
        "percent_escalations_climbed",
        "Escalations that climbed the ladder",
        "percent",
        True,
        lambda p, now: escalation_stats(p).percent_climbed,
    ),
    Metric(
        "percent_questions_solved",
        "Questions and failures solved",
        "percent",
        False,
        lambda p, now: responsiveness(p).percent_solved,
    ),
    Metric(
        "unanswered_questions",
        "Unanswered questions and failures",
        "threads",
        True,
        lambda p, now: _count(responsiveness(p).unanswered),
    ),
    Metric(
        "profiles_needing_attention",
        "Profiles needing attention",
        "profiles",
        True,
        lambda p, now: _count(profiles_needing_attention(now).total),
    ),
    Metric(
        "profiles_review_overdue",
        "Profiles with a review overdue",
        "profiles",
        True,
        lambda p, now: _count(registry_health(now).review_overdue),
    ),
    Metric(
        "percent_profiles_reviewed_6_months",
        "Profiles reviewed in the last 6 months",
        "percent",
        False,
        lambda p, now: registry_health(now).percent_reviewed_recently,
    ),
    Metric(
        "people_helping",
        "People who helped others to a solution",
        "people",
        False,
        lambda p, now: _count(engagement_ladder(p).current[Rung.HELPING]),
    ),
    Metric(
        "percent_people_with_skill",
        "People offering at least one skill",
        "percent",
        False,
        lambda p, now: skill_metrics.percent_with_skill(),
    ),
    Metric(
        "people_offering_skills",
        "People offering a skill",
        "people",
        False,
        lambda p, now: skill_metrics.people_count(SkillKind.OFFERS),
    ),
    Metric(
        "people_wanting_training",
        "People wanting training",
        "people",
        True,
        lambda p, now: skill_metrics.people_count(SkillKind.WANTS),
    ),
]
METRICS: dict[str, Metric] = {metric.key: metric for metric in _METRICS}


def _skill_metric(key: str, label: str, kind: SkillKind, name: str) -> Metric:
    return Metric(
        key,
        label,
        "people",
        kind is SkillKind.WANTS,
        lambda p, now: skill_metrics.people_count(kind, name),
    )


def find_metric(key: str) -> Metric | None:
    """The metric of `key`: a fixed one, or a per-skill one of an active skills-list entry
    (see metrics/skills.py); None for a key that measures nothing (now)."""
    if key in METRICS:
        return METRICS[key]
    parsed = skill_metrics.parse_skill_key(key)
    if parsed is None:
        return None
    kind, name = parsed
    prefix = "People offering" if kind is SkillKind.OFFERS else "People wanting training in"
    return _skill_metric(key, f"{prefix} {name}", kind, name)


def metric_choices() -> list[Metric]:
    """Every metric a goal may be tied to now: the fixed ones, then one per skill and kind."""
    return [*METRICS.values(), *(_skill_metric(*row) for row in skill_metrics.skill_metric_keys())]


def metric_value(key: str, now: dt.datetime) -> float | None:
    """The organization-wide value of metric `key` for the window ending on `now`'s day.

    Raises KeyError for a key that measures nothing (see find_metric).
    """
    metric = find_metric(key)
    if metric is None:
        raise KeyError(key)
    value = metric.compute(Period.ending(now.date(), GOAL_WINDOW_DAYS), now)
    return None if value is None else round(value, 1)
