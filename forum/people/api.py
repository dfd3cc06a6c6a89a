"""The people part of /api/v1: the directory, filtered as on /people."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from forum.accounts.models import Role
from forum.api import api_route, bp, current_api_user, parse_query
from forum.people import schemas, services


@api_route(
    bp,
    "/people",
    "GET",
    summary="The people directory: active people, by department, role, skill or training",
    tag="people",
    query=schemas.PeopleQuery,
    response=schemas.DirectoryPage,
)
def people_list() -> ResponseReturnValue:
    current_api_user()
    query = parse_query(schemas.PeopleQuery)
    filters = services.DirectoryFilters(
        department=query.department or "",
        role=query.role.value if query.role else "",
        skill=query.skill or "",
        training=query.training or "",
    )
    page = services.directory(filters, page=query.page)
    items = [
        schemas.DirectoryPersonOut(
            id=row.person.id,
            handle=row.person.handle,
            display_name=row.person.display_name,
            role=Role(row.person.role),
            department=row.person.department.slug if row.person.department else None,
            offers=[s.name for s in row.offers],
            wants=[s.name for s in row.wants],
        )
        for row in page.items
    ]
    return schemas.DirectoryPage(
        items=items, total=page.total, page=page.page, pages=page.pages
    ).model_dump(mode="json")
