"""Insights pages: the dashboard with its CSV series, and the strategy with versions."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from forum.accounts.models import Role
from forum.accounts.permissions import has_role, require_role
from forum.boards.services.visibility import board_visibility_clause
from forum.core.db import utcnow
from forum.core.errors import Invalid
from forum.core.forms import Outcome, submit
from forum.extensions import db
from forum.handover import services as handover_services
from forum.insights import bp, charts, metrics, report, services
from forum.insights.forms import RangeForm, StrategyForm
from forum.insights.metrics import Period
from forum.insights.models import MAX_GOALS, StrategyVersion

# Singular and plural of each kind, for sentences ("1 fix", "3 fixes", "2 stories").
KIND_NAMES = {
    "win": ("win", "wins"),
    "failure": ("failure", "failures"),
    "fix": ("fix", "fixes"),
    "question": ("question", "questions"),
    "story": ("story", "stories"),
}


def _range_form() -> tuple[RangeForm, Period, str | None]:
    """The range form from the query string, the period it selects, and the department slug."""
    form = RangeForm(request.args)
    today = utcnow().date()
    start = end = None
    if form.validate():
        start, end = form.start.data, form.end.data
    try:
        period = Period.parse(start, end, today=today)
    except Invalid as error:  # shown by the field; the default range is used meanwhile
        form.end.errors = [*form.end.errors, *[v for k, v in error.fields.items() if k == "to"]]
        form.start.errors = [
            *form.start.errors,
            *[v for k, v in error.fields.items() if k == "from"],
        ]
        period = Period.parse(None, None, today=today)
    return form, period, request.args.get("department") or None


@bp.get("/insights")
def dashboard() -> ResponseReturnValue:
    form, period, slug = _range_form()
    department = services.insights_department(current_user, slug)
    is_senior = has_role(current_user, Role.SENIOR)
    form.department.choices = (
        [("", "All departments")] + [(d.slug, d.name) for d in services.list_departments()]
        if is_senior
        else []
    )
    form.department.data = department.slug if department else ""
    form.start.data, form.end.data = period.start, period.end
    data = report.build_report(
        period, department, now=utcnow(), board_clause=board_visibility_clause(current_user)
    )
    query = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    if department is not None:
        query["department"] = department.slug
    status = 400 if form.errors else 200
    return render_template(
        "insights/dashboard.html",
        form=form,
        report=data,
        charts=charts.dashboard_charts(data, query),
        query=query,
        ladder_moves=report.ladder_moves(data.ladder),
        kind_names=KIND_NAMES,
        department=department,
        is_senior=is_senior,
        open_handovers=handover_services.open_count(department),
    ), status


@bp.get("/insights/<name>.csv")
def series_csv(name: str) -> ResponseReturnValue:
    if name not in report.SERIES_NAMES:
        abort(404)
    _form, period, slug = _range_form()
    department = services.insights_department(current_user, slug)
    data = report.build_report(
        period, department, now=utcnow(), board_clause=board_visibility_clause(current_user)
    )
    header, rows = report.series(data, name)
    scope = department.slug if department else "all"
    filename = f"{name}_{scope}_{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"
    return Response(
        report.to_csv(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/strategy")
def strategy() -> ResponseReturnValue:
    version = services.current_version()
    return _render_version(version, is_current=True)


@bp.get("/strategy/v/<id:number>")
def strategy_version(number: int) -> ResponseReturnValue:
    version = services.get_version(number)
    current = services.current_version()
    return _render_version(version, is_current=current is not None and current.id == version.id)


def _render_version(version: object, *, is_current: bool) -> ResponseReturnValue:
    statuses = services.goal_statuses(version) if version is not None else []  # type: ignore[arg-type]
    return render_template(
        "insights/strategy.html",
        version=version,
        statuses=statuses,
        is_current=is_current,
        can_edit=has_role(current_user, Role.SENIOR),
        can_endorse=has_role(current_user, Role.SENIOR)
        and version is not None
        and not services.has_endorsed(current_user, version),  # type: ignore[arg-type]
        today=utcnow().date(),
    )


@bp.get("/strategy/versions")
def strategy_versions() -> ResponseReturnValue:
    return render_template("insights/strategy_versions.html", versions=services.list_versions())


@bp.route("/strategy/edit", methods=["GET", "POST"])
def strategy_edit() -> ResponseReturnValue:
    # Seniors write the strategy as well as endorse it: the coordinators, not only admins.
    require_role(current_user, Role.SENIOR)
    current = services.current_version()
    form = StrategyForm()
    # Per-skill metrics come from the skills list, so the choices are loaded here.
    choices = [(m.key, f"{m.label} ({m.unit})") for m in metrics.metric_choices()]
    for entry in form.goals.entries:
        entry.form.metric_key.choices = choices
    if request.method == "GET" and current is not None:
        form.vision.data = current.vision
        for entry, goal in zip(form.goals.entries, current.goals, strict=False):
            entry.form.title.data = goal.title
            entry.form.metric_key.data = goal.metric_key
            entry.form.comparison.data = goal.comparison
            entry.form.target.data = goal.target
            entry.form.revisit_on.data = goal.revisit_on

    def save() -> StrategyVersion:
        goals = [
            services.GoalInput(
                title=entry.form.title.data.strip(),
                metric_key=entry.form.metric_key.data,
                comparison=entry.form.comparison.data,
                target=float(entry.form.target.data),
                revisit_on=entry.form.revisit_on.data or dt.date.today(),
            )
            for entry in form.goals.entries
            if (entry.form.title.data or "").strip()
        ]
        return services.save_strategy(current_user, vision=form.vision.data or "", goals=goals)

    problems: list[str] = []
    try:
        # The goals' problems are listed above the form, not beside each field: catch nothing.
        outcome = submit(
            form, save, success=lambda version: f"Saved as version {version.number}.", catch=()
        )
    except Invalid as error:
        outcome, problems = Outcome(status=400), list(error.fields.values())
    if outcome.saved:
        return redirect(url_for("insights.strategy"))
    return render_template(
        "insights/strategy_edit.html",
        form=form,
        current=current,
        max_goals=MAX_GOALS,
        problems=problems,
    ), outcome.status


@bp.post("/strategy/v/<id:number>/endorse")
def strategy_endorse(number: int) -> ResponseReturnValue:
    version = services.get_version(number)
    services.endorse(current_user, version)
    db.session.commit()
    flash(f"You endorsed version {version.number}.", "success")
    return redirect(url_for("insights.strategy_version", number=number))
