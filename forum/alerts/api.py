"""The notifications part of /api/v1: list them, mark them read."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from forum.alerts import schemas, services
from forum.api import api_route, bp, current_api_user, parse_body, parse_query
from forum.core.web import base_url
from forum.extensions import db


@api_route(
    bp,
    "/notifications",
    "GET",
    summary="Your notifications, newest first",
    tag="notifications",
    query=schemas.NotificationQuery,
    response=schemas.NotificationList,
)
def notifications_list() -> ResponseReturnValue:
    user = current_api_user()
    query = parse_query(schemas.NotificationQuery)
    page = services.list_notifications(
        user, page=query.page, per_page=query.per_page, unread_only=query.unread
    )
    base = base_url()
    return schemas.NotificationList(
        items=[schemas.NotificationOut.of(n, base) for n in page.items],
        total=page.total,
        unread=services.unread_count(user),
        page=page.page,
        pages=page.pages,
    ).model_dump(mode="json")


@api_route(
    bp,
    "/notifications/read",
    "POST",
    summary="Mark notifications read (some or all)",
    tag="notifications",
    body=schemas.MarkReadIn,
    response=schemas.MarkReadOut,
)
def notifications_read() -> ResponseReturnValue:
    user = current_api_user()
    data = parse_body(schemas.MarkReadIn)
    marked = services.mark_read(user, None if data.all else list(data.ids or []))
    db.session.commit()
    return schemas.MarkReadOut(marked=marked, unread=services.unread_count(user)).model_dump(
        mode="json"
    )
