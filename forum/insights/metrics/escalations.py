"""Escalations: how many by urgency, how fast a senior responded, how often the ladder climbed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, select, true

from forum.escalations.models import Escalation, EscalationEvent, EventKind, Urgency
from forum.extensions import db
from forum.insights.metrics.period import Period
from forum.insights.metrics.posts import in_period
from forum.insights.metrics.sql import median_of, minutes_between


@dataclass
class EscalationStats:
    by_urgency: dict[str, int]
    total: int
    # Escalations whose ladder climbed at least once, and the number of climbs in all.
    climbed: int
    climbs: int
    median_minutes_to_senior_ack: float | None
    median_minutes_to_resolve: float | None

    @property
    def percent_climbed(self) -> float | None:
        return None if not self.total else round(100.0 * self.climbed / self.total, 1)


def _scope(period: Period, department_id: int | None) -> ColumnElement[bool]:
    department = true() if department_id is None else Escalation.department_id == department_id
    return and_(in_period(Escalation.created_at, period), department)


def escalation_stats(period: Period, department_id: int | None = None) -> EscalationStats:
    """Escalations opened in the period (of the department, when given).

    Time to senior acknowledgement runs to the acknowledgement or, for one resolved straight
    away by a senior's reply, to the resolution; escalations nobody has answered yet do not
    count. Time to resolve covers the resolved ones.
    """
    scope = _scope(period, department_id)
    counts: dict[str, int] = dict(
        db.session.execute(  # type: ignore[arg-type]
            select(Escalation.urgency, func.count()).where(scope).group_by(Escalation.urgency)
        ).all()
    )
    by_urgency = {urgency.value: int(counts.get(urgency.value, 0)) for urgency in Urgency}
    climbed, climbs = db.session.execute(
        select(func.count(func.distinct(EscalationEvent.escalation_id)), func.count())
        .join(Escalation, Escalation.id == EscalationEvent.escalation_id)
        .where(scope, EscalationEvent.kind == EventKind.CLIMBED.value)
    ).one()
    first_response = func.coalesce(Escalation.acknowledged_at, Escalation.resolved_at)
    return EscalationStats(
        by_urgency=by_urgency,
        total=sum(by_urgency.values()),
        climbed=int(climbed),
        climbs=int(climbs),
        median_minutes_to_senior_ack=median_of(
            select(minutes_between(Escalation.created_at, first_response)).where(scope)
        ),
        median_minutes_to_resolve=median_of(
            select(minutes_between(Escalation.created_at, Escalation.resolved_at)).where(scope)
        ),
    )
