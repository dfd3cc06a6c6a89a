"""One dashboard's numbers for a period and scope, and the same numbers as CSV series."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement

from forum.accounts.models import Department
from forum.boards.models import PostKind
from forum.escalations.models import Urgency
from forum.insights import metrics
from forum.insights.metrics import Period, Rung
from forum.people.services.numbers import DepartmentSkills
from forum.registry.models import ProfileStatus


class Report:
    """One dashboard's sections, each computed on first use (a CSV needs only its own)."""

    def __init__(
        self,
        period: Period,
        department: Department | None,
        *,
        now: dt.datetime,
        board_clause: ColumnElement[bool] | None = None,
    ) -> None:
        self.period, self.department, self.now = period, department, now
        self.board_clause = board_clause
        self.department_id = department.id if department else None

    @cached_property
    def posts(self) -> metrics.PostsByKind:
        return metrics.posts_by_kind(self.period, self.department_id)

    @cached_property
    def contributors(self) -> list[metrics.DepartmentCount]:
        return metrics.active_contributors_by_department(self.period, self.department_id)

    @property
    def contributors_total(self) -> int:
        # Everyone has one department or none, so the rows add up to the distinct total.
        return sum(row.count for row in self.contributors)

    @cached_property
    def uncovered(self) -> list[metrics.UncoveredDepartment]:
        return metrics.departments_without_enthusiast(self.period, self.department_id)

    @cached_property
    def responsiveness(self) -> metrics.Responsiveness:
        return metrics.responsiveness(self.period, self.department_id)

    @cached_property
    def unanswered(self) -> list[metrics.UnansweredThread]:
        return metrics.unanswered_questions(
            self.period, self.department_id, board_clause=self.board_clause
        )

    @cached_property
    def escalations(self) -> metrics.EscalationStats:
        return metrics.escalation_stats(self.period, self.department_id)

    @cached_property
    def attention(self) -> metrics.Attention:
        return metrics.profiles_needing_attention(self.now, self.department_id)

    @cached_property
    def registry(self) -> metrics.RegistryHealth:
        return metrics.registry_health(self.now, self.department_id, attention=self.attention)

    @cached_property
    def ladder(self) -> metrics.Ladder:
        return metrics.engagement_ladder(self.period, self.department_id)

    @cached_property
    def skills(self) -> list[DepartmentSkills]:
        """A snapshot: skills offered and training wanted now, by department."""
        return metrics.skill_metrics.by_department(self.department_id)


def build_report(
    period: Period,
    department: Department | None,
    *,
    now: dt.datetime,
    board_clause: ColumnElement[bool] | None = None,
) -> Report:
    """The dashboard for `period` and `department` (None: everything); registry sections are a
    snapshot at `now`; `board_clause` limits the unanswered list to boards the viewer sees."""
    return Report(period, department, now=now, board_clause=board_clause)


def _minutes(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _rung(rung: Rung | None) -> str:
    return rung.key if rung is not None else "none"


Series = tuple[list[str], list[list[Any]]]
_STATUSES = [s.value for s in ProfileStatus if s != ProfileStatus.ARCHIVED]
_KINDS = [kind.value for kind in PostKind]


def _transitions(ladder: metrics.Ladder) -> list[tuple[tuple[Rung | None, Rung | None], int]]:
    return sorted(ladder.transitions.items(), key=lambda item: (item[0][0] or 0, item[0][1] or 0))


_SERIES: dict[str, Callable[[Report], Series]] = {
    "posts_by_kind": lambda rep: (
        ["week_starting", *_KINDS, "total"],
        [
            [row["week"].isoformat(), *(row[k] for k in _KINDS), sum(row[k] for k in _KINDS)]
            for row in rep.posts.weekly
        ],
    ),
    "active_contributors_by_department": lambda rep: (
        ["department", "slug", "contributors"],
        [[row.name, row.slug, row.count] for row in rep.contributors],
    ),
    "departments_without_enthusiast": lambda rep: (
        ["department", "slug", "enthusiast_accounts"],
        [[row.name, row.slug, row.enthusiasts] for row in rep.uncovered],
    ),
    "response_times": lambda rep: (
        ["measure", "value"],
        [
            ["help_threads", rep.responsiveness.help_threads],
            ["solved", rep.responsiveness.solved],
            ["percent_solved", rep.responsiveness.percent_solved],
            ["unanswered", rep.responsiveness.unanswered],
            [
                "median_minutes_to_first_reply",
                _minutes(rep.responsiveness.median_minutes_to_first_reply),
            ],
            [
                "median_minutes_to_senior_reply",
                _minutes(rep.responsiveness.median_minutes_to_senior_reply),
            ],
        ],
    ),
    "unanswered_questions": lambda rep: (
        ["thread_id", "title", "kind", "board", "created_at"],
        [[t.id, t.title, t.kind, t.board_name, t.created_at.isoformat()] for t in rep.unanswered],
    ),
    "escalations_by_urgency": lambda rep: (
        ["urgency", "escalations"],
        [[u.value, rep.escalations.by_urgency.get(u.value, 0)] for u in Urgency],
    ),
    "escalation_times": lambda rep: (
        ["measure", "value"],
        [
            ["escalations", rep.escalations.total],
            ["climbed", rep.escalations.climbed],
            ["climbs", rep.escalations.climbs],
            ["percent_climbed", rep.escalations.percent_climbed],
            [
                "median_minutes_to_senior_ack",
                _minutes(rep.escalations.median_minutes_to_senior_ack),
            ],
            ["median_minutes_to_resolve", _minutes(rep.escalations.median_minutes_to_resolve)],
        ],
    ),
    "profiles_by_status": lambda rep: (
        ["status", "profiles"],
        [[s, rep.registry.by_status.get(s, 0)] for s in _STATUSES],
    ),
    "profiles_by_platform": lambda rep: (
        ["platform", *_STATUSES, "total"],
        [
            [name, *(counts.get(s, 0) for s in _STATUSES), sum(counts.values())]
            for name, counts in rep.registry.by_platform.items()
        ],
    ),
    "registry_health": lambda rep: (
        ["measure", "value"],
        [
            ["live_profiles", rep.registry.total],
            ["reviews_overdue", rep.registry.review_overdue],
            ["single_owner", rep.registry.single_owner],
            ["campaigns_past_end", rep.registry.campaigns_past_end],
            ["percent_reviewed_6_months", rep.registry.percent_reviewed_recently],
            ["needing_attention", rep.attention.total],
        ],
    ),
    "profiles_needing_attention": lambda rep: (
        ["reason", "label", "profiles"],
        [
            [code, metrics.ATTENTION_REASONS.get(code, code), count]
            for code, count in rep.attention.by_reason.items()
        ],
    ),
    "engagement_ladder": lambda rep: (
        ["rung", "label", "previous_period", "this_period"],
        [
            [rung.key, rung.label, rep.ladder.previous[rung], rep.ladder.current[rung]]
            for rung in Rung
        ],
    ),
    "ladder_movement": lambda rep: (
        ["from_rung", "to_rung", "people"],
        [
            [_rung(before), _rung(after), count]
            for (before, after), count in _transitions(rep.ladder)
        ],
    ),
    "skills_by_department": lambda rep: (
        ["department", "slug", "kind", "skill", "people"],
        [
            [row.department, row.slug or "", kind, name, count]
            for row in rep.skills
            for kind, pairs in (("offers", row.offers), ("wants", row.wants))
            for name, count in pairs
        ],
    ),
}
SERIES_NAMES = tuple(_SERIES)


def series(report: Report, name: str) -> Series:
    """One dashboard series as (header, rows); KeyError for an unknown name."""
    return _SERIES[name](report)


def ladder_moves(ladder: metrics.Ladder) -> list[dict[str, Any]]:
    """Every (previous rung → rung now) pair with its people, lowest rungs first, labelled."""

    def label(rung: Rung | None) -> str:
        return rung.label if rung is not None else "Not active"

    return [
        {"before": label(before), "after": label(after), "people": count}
        for (before, after), count in _transitions(ladder)
    ]


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    # A cell starting like a formula is neutralized so spreadsheets show it as text.
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def to_csv(header: list[str], rows: list[list[Any]]) -> str:
    """A CSV document that is safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def as_json(report: Report) -> dict[str, Any]:
    """The API's body: the same numbers as the dashboard."""
    r, e, reg, ladder = report.responsiveness, report.escalations, report.registry, report.ladder
    department = report.department
    return {
        "from": report.period.start,
        "to": report.period.end,
        "department": department.slug if department else None,
        "posts_by_kind": {
            "totals": report.posts.totals,
            "weekly": [
                {"week_starting": row["week"], "counts": {k.value: row[k.value] for k in PostKind}}
                for row in report.posts.weekly
            ],
        },
        "active_contributors": report.contributors_total,
        "active_contributors_by_department": [
            {"department": row.slug or None, "name": row.name, "contributors": row.count}
            for row in report.contributors
        ],
        "departments_without_enthusiast": [
            {"department": row.slug, "name": row.name, "enthusiast_accounts": row.enthusiasts}
            for row in report.uncovered
        ],
        "help_threads": r.help_threads,
        "solved": r.solved,
        "percent_solved": r.percent_solved,
        "unanswered": r.unanswered,
        "median_minutes_to_first_reply": _minutes(r.median_minutes_to_first_reply),
        "median_minutes_to_senior_reply": _minutes(r.median_minutes_to_senior_reply),
        "unanswered_questions": [
            {
                "thread_id": t.id,
                "title": t.title,
                "kind": t.kind,
                "board": t.board_name,
                "created_at": t.created_at,
            }
            for t in report.unanswered
        ],
        "escalations": {
            "by_urgency": e.by_urgency,
            "total": e.total,
            "climbed": e.climbed,
            "climbs": e.climbs,
            "percent_climbed": e.percent_climbed,
            "median_minutes_to_resolve": _minutes(e.median_minutes_to_resolve),
        },
        "median_minutes_to_senior_ack": _minutes(e.median_minutes_to_senior_ack),
        "profiles_needing_attention": {
            "total": report.attention.total,
            "by_reason": report.attention.by_reason,
        },
        "registry": {
            "by_status": reg.by_status,
            "by_platform": reg.by_platform,
            "total": reg.total,
            "reviews_overdue": reg.review_overdue,
            "single_owner": reg.single_owner,
            "campaigns_past_end": reg.campaigns_past_end,
            "percent_reviewed_6_months": reg.percent_reviewed_recently,
        },
        "engagement_ladder": {
            "rungs": [
                {
                    "rung": rung.key,
                    "label": rung.label,
                    "people": ladder.current[rung],
                    "previous_period": ladder.previous[rung],
                }
                for rung in Rung
            ],
            "movement": {
                "up": ladder.moved_up,
                "down": ladder.moved_down,
                "same": ladder.stayed,
                "joined": ladder.joined,
                "dropped_off": ladder.dropped_off,
            },
            "transitions": [
                {"from": _rung(before), "to": _rung(after), "people": count}
                for (before, after), count in _transitions(ladder)
            ],
        },
        "skills_by_department": [
            {
                "department": row.slug,
                "name": row.department,
                "people": row.people,
                "with_skill": row.with_skill,
                "offers": [{"skill": name, "people": n} for name, n in row.offers],
                "wants": [{"skill": name, "people": n} for name, n in row.wants],
            }
            for row in report.skills
        ],
    }
