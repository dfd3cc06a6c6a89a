"""The search part of /api/v1."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from forum.api import api_route, bp, current_api_user, parse_query
from forum.search import schemas, services
from forum.search.indexing import SearchStatus


@api_route(
    bp,
    "/search",
    "GET",
    summary="Search threads the caller can see: one result per thread, with its best posts",
    tag="search",
    query=schemas.SearchParams,
    response=schemas.SearchResponse,
)
def search_results() -> ResponseReturnValue:
    params = parse_query(schemas.SearchParams)
    outcome = services.search(
        current_api_user(),
        q=params.q,
        kind=params.kind,
        board=params.board,
        tag=params.tag,
        author=params.author,
        sort=params.sort,
        page=params.page,
    )
    return schemas.SearchResponse(
        results=[schemas.SearchResultOut.of(result) for result in outcome.page.items],
        total=outcome.page.total,
        rebuilding=outcome.status is not SearchStatus.READY,
        pending=outcome.pending,
    ).model_dump(mode="json")
