"""Request and response shapes of the search API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from forum.boards.models import PostKind
from forum.search.services import MAX_PAGE, MAX_QUERY_LENGTH, SearchResult


class SearchParams(BaseModel):
    """GET /api/v1/search query parameters; `q` takes the same syntax as the search page."""

    model_config = ConfigDict(extra="ignore")

    q: str = Field(
        "",
        max_length=MAX_QUERY_LENGTH,
        description='Words, "phrases", AND/OR/NOT, kind:, board:, tag:, author:, '
        "date:YYYY-MM-DD..YYYY-MM-DD, after:, before:",
    )
    kind: PostKind | None = None
    board: str | None = Field(None, max_length=64, description="Board slug")
    tag: str | None = Field(None, max_length=64)
    author: str | None = Field(
        None, max_length=254, description="Email local part or name of the author"
    )
    page: int = Field(1, ge=1, le=MAX_PAGE)


class SearchResultOut(BaseModel):
    thread_id: int
    post_id: int
    title: str
    kind: PostKind
    snippet_html: str = Field(description="Escaped text; matches wrapped in <mark>")

    @classmethod
    def of(cls, result: SearchResult) -> SearchResultOut:
        return cls(
            thread_id=result.thread_id,
            post_id=result.post_id,
            title=result.title,
            kind=result.kind,
            snippet_html=result.snippet_html,
        )


class SearchResponse(BaseModel):
    results: list[SearchResultOut]
    total: int
    # True while the index is being rebuilt: results may be incomplete.
    rebuilding: bool = False
    # Changes committed but not yet indexed: the newest posts and edits may be missing.
    pending: int = 0
