"""The insights part of /api/v1: the dashboard's numbers as JSON."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from forum.api import api_route, bp, current_api_user, parse_query
from forum.boards.services.visibility import board_visibility_clause
from forum.core.db import utcnow
from forum.insights import report, schemas, services
from forum.insights.metrics import Period


@api_route(
    bp,
    "/insights",
    "GET",
    summary="Community health numbers for a period (enthusiasts: their department)",
    tag="insights",
    query=schemas.InsightsQuery,
    response=schemas.InsightsOut,
    errors=(403,),
)
def insights() -> ResponseReturnValue:
    user = current_api_user()
    query = parse_query(schemas.InsightsQuery)
    department = services.insights_department(user, query.department)
    now = utcnow()
    period = Period.parse(query.from_, query.to, today=now.date())
    data = report.build_report(
        period, department, now=now, board_clause=board_visibility_clause(user)
    )
    return schemas.InsightsOut.model_validate(report.as_json(data)).model_dump(
        mode="json", by_alias=True
    )
