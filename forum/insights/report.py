"""One dashboard's numbers for a period and scope, and the same numbers as CSV series."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement

from forum.accounts.models import Department
from forum.boards.models import PostKind
from forum.escalations.models import Urgency
from forum.insights import metrics
from forum.insights.metrics import Period, Rung
from forum.registry.models import ProfileStatus


@dataclass
class Report:
    period: Period
    department: Department | None
    now: dt.datetime
    posts: metrics.PostsByKind
    contributors: list[metrics.DepartmentCount]
    contributors_total: int
    uncovered: list[metrics.UncoveredDepartment]
    responsiveness: metrics.Responsiveness
    unanswered: list[metrics.UnansweredThread]
    escalations: metrics.EscalationStats
    attention: metrics.Attention
    registry: metrics.RegistryHealth
    ladder: metrics.Ladder


def build_report(period: Period, department: Department | None, *, now: dt.datetime,
                 board_clause: ColumnElement[bool] | None = None) -> Report:
    """Every section of the dashboard; registry numbers are a snapshot at `now`."""
    department_id = department.id if department else None
    return Report(
        period=period, department=department, now=now,
        posts=metrics.posts_by_kind(period, department_id),
        contributors=metrics.active_contributors_by_department(period, department_id),
        contributors_total=metrics.active_contributor_count(period, department_id),
        uncovered=metrics.departments_without_enthusiast(period, department_id),
        responsiveness=metrics.responsiveness(period, department_id),
        unanswered=metrics.unanswered_questions(period, department_id,
                                                board_clause=board_clause),
        escalations=metrics.escalation_stats(period, department_id),
        attention=metrics.profiles_needing_attention(now, department_id),
        registry=metrics.registry_health(now, department_id),
        ladder=metrics.engagement_ladder(period, department_id),
    )


def _minutes(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _rung(rung: Rung | None) -> str:
    return rung.key if rung is not None else "none"


def series(report: Report) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Every series on the dashboard as (header, rows), keyed by the name used in CSV URLs."""
    kinds = [kind.value for kind in PostKind]
    r, e, reg, ladder = report.responsiveness, report.escalations, report.registry, report.ladder
    statuses = [s.value for s in ProfileStatus if s != ProfileStatus.ARCHIVED]
    return {
        "posts_by_kind": (["week_starting", *kinds, "total"], [
            [row["week"].isoformat(), *(row[k] for k in kinds), sum(row[k] for k in kinds)]
            for row in report.posts.weekly]),
        "active_contributors_by_department": (["department", "slug", "contributors"], [
            [row.name, row.slug, row.count] for row in report.contributors]),
        "departments_without_enthusiast": (["department", "slug", "enthusiast_accounts"], [
            [row.name, row.slug, row.enthusiasts] for row in report.uncovered]),
        "response_times": (["measure", "value"], [
            ["help_threads", r.help_threads], ["solved", r.solved],
            ["percent_solved", r.percent_solved], ["unanswered", r.unanswered],
            ["median_minutes_to_first_reply", _minutes(r.median_minutes_to_first_reply)],
            ["median_minutes_to_senior_reply", _minutes(r.median_minutes_to_senior_reply)]]),
        "unanswered_questions": (["thread_id", "title", "kind", "board", "created_at"], [
            [t.id, t.title, t.kind, t.board_name, t.created_at.isoformat()]
            for t in report.unanswered]),
        "escalations_by_urgency": (["urgency", "escalations"], [
            [u.value, e.by_urgency.get(u.value, 0)] for u in Urgency]),
        "escalation_times": (["measure", "value"], [
            ["escalations", e.total], ["climbed", e.climbed], ["climbs", e.climbs],
            ["percent_climbed", e.percent_climbed],
            ["median_minutes_to_senior_ack", _minutes(e.median_minutes_to_senior_ack)],
            ["median_minutes_to_resolve", _minutes(e.median_minutes_to_resolve)]]),
        "profiles_by_status": (["status", "profiles"], [
            [s, reg.by_status.get(s, 0)] for s in statuses]),
        "profiles_by_platform": (["platform", *statuses, "total"], [
            [name, *(counts.get(s, 0) for s in statuses), sum(counts.values())]
            for name, counts in reg.by_platform.items()]),
        "registry_health": (["measure", "value"], [
            ["live_profiles", reg.total], ["reviews_overdue", reg.review_overdue],
            ["single_owner", reg.single_owner], ["campaigns_past_end", reg.campaigns_past_end],
            ["percent_reviewed_6_months", reg.percent_reviewed_recently],
            ["needing_attention", report.attention.total]]),
        "profiles_needing_attention": (["reason", "label", "profiles"], [
            [code, metrics.ATTENTION_REASONS.get(code, code), count]
            for code, count in report.attention.by_reason.items()]),
        "engagement_ladder": (["rung", "label", "previous_period", "this_period"], [
            [rung.key, rung.label, ladder.previous[rung], ladder.current[rung]]
            for rung in Rung]),
        "ladder_movement": (["from_rung", "to_rung", "people"], [
            [_rung(before), _rung(after), count]
            for (before, after), count in sorted(
                ladder.transitions.items(),
                key=lambda item: (item[0][0] or 0, item[0][1] or 0))]),
    }


def ladder_moves(ladder: metrics.Ladder) -> list[dict[str, Any]]:
    """Every (previous rung → rung now) pair with its people, lowest rungs first, labelled."""
    def label(rung: Rung | None) -> str:
        return rung.label if rung is not None else "Not active"

    return [{"before": label(before), "after": label(after), "people": count}
            for (before, after), count in sorted(
                ladder.transitions.items(), key=lambda item: (item[0][0] or 0, item[0][1] or 0))]


SERIES_NAMES = (
    "posts_by_kind", "active_contributors_by_department", "departments_without_enthusiast",
    "response_times", "unanswered_questions", "escalations_by_urgency", "escalation_times",
    "profiles_by_status", "profiles_by_platform", "registry_health",
    "profiles_needing_attention", "engagement_ladder", "ladder_movement",
)

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
        "from": report.period.start, "to": report.period.end,
        "department": department.slug if department else None,
        "posts_by_kind": {
            "totals": report.posts.totals,
            "weekly": [{"week_starting": row["week"],
                        "counts": {k.value: row[k.value] for k in PostKind}}
                       for row in report.posts.weekly]},
        "active_contributors": report.contributors_total,
        "active_contributors_by_department": [
            {"department": row.slug or None, "name": row.name, "contributors": row.count}
            for row in report.contributors],
        "departments_without_enthusiast": [
            {"department": row.slug, "name": row.name, "enthusiast_accounts": row.enthusiasts}
            for row in report.uncovered],
        "help_threads": r.help_threads, "solved": r.solved, "percent_solved": r.percent_solved,
        "unanswered": r.unanswered,
        "median_minutes_to_first_reply": _minutes(r.median_minutes_to_first_reply),
        "median_minutes_to_senior_reply": _minutes(r.median_minutes_to_senior_reply),
        "unanswered_questions": [
            {"thread_id": t.id, "title": t.title, "kind": t.kind, "board": t.board_name,
             "created_at": t.created_at} for t in report.unanswered],
        "escalations": {
            "by_urgency": e.by_urgency, "total": e.total, "climbed": e.climbed,
            "climbs": e.climbs, "percent_climbed": e.percent_climbed,
            "median_minutes_to_resolve": _minutes(e.median_minutes_to_resolve)},
        "median_minutes_to_senior_ack": _minutes(e.median_minutes_to_senior_ack),
        "profiles_needing_attention": {"total": report.attention.total,
                                       "by_reason": report.attention.by_reason},
        "registry": {
            "by_status": reg.by_status, "by_platform": reg.by_platform, "total": reg.total,
            "reviews_overdue": reg.review_overdue, "single_owner": reg.single_owner,
            "campaigns_past_end": reg.campaigns_past_end,
            "percent_reviewed_6_months": reg.percent_reviewed_recently},
        "engagement_ladder": {
            "rungs": [{"rung": rung.key, "label": rung.label, "people": ladder.current[rung],
                       "previous_period": ladder.previous[rung]} for rung in Rung],
            "movement": {"up": ladder.moved_up, "down": ladder.moved_down,
                         "same": ladder.stayed, "joined": ladder.joined,
                         "dropped_off": ladder.dropped_off},
            "transitions": [{"from": _rung(before), "to": _rung(after), "people": count}
                            for (before, after), count in sorted(
                                ladder.transitions.items(),
                                key=lambda item: (item[0][0] or 0, item[0][1] or 0))]},
    }
