"""Request and response shapes of the search API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from forum.boards.models import PostKind
from forum.search.backend import SearchSort
from forum.search.services import MAX_PAGE, MAX_QUERY_LENGTH, SearchPost, SearchResult


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
    sort: SearchSort = Field(
        SearchSort.RELEVANCE,
        description="relevance (best match first), newest (newest matching post first) or "
        "helpful (solved threads first, then by helpful marks)",
    )
    page: int = Field(1, ge=1, le=MAX_PAGE, description="A page of 20 threads")


class SearchPostOut(BaseModel):
    """One of a thread's best-matching posts."""

    post_id: int
    is_thread: bool = Field(description="True for the thread's opening post (and its title)")
    snippet_html: str = Field(description="Escaped text; matches wrapped in <mark>")
    author_name: str
    created_at: dt.datetime | None
    url: str = Field(description="Path of the post (or of the thread, for its opening post)")

    @classmethod
    def of(cls, post: SearchPost) -> SearchPostOut:
        return cls(
            post_id=post.post_id,
            is_thread=post.is_thread,
            snippet_html=post.snippet_html,
            author_name=post.author_name,
            created_at=post.created_at,
            url=post.url,
        )


class SearchResultOut(BaseModel):
    """One matching thread. `post_id` and `snippet_html` are those of its best-matching post;
    `posts` lists up to three of its best-matching posts, best first."""

    thread_id: int
    post_id: int
    title: str
    kind: PostKind
    snippet_html: str = Field(description="Escaped text; matches wrapped in <mark>")
    url: str = Field(description="Path of the thread")
    is_solved: bool
    posts: list[SearchPostOut]

    @classmethod
    def of(cls, result: SearchResult) -> SearchResultOut:
        return cls(
            thread_id=result.thread_id,
            post_id=result.post_id,
            title=result.title,
            kind=result.kind,
            snippet_html=result.snippet_html,
            url=result.thread_url,
            is_solved=result.is_solved,
            posts=[SearchPostOut.of(post) for post in result.posts],
        )


class SearchResponse(BaseModel):
    # At most one result per thread.
    results: list[SearchResultOut]
    # Matching threads the caller may see, on every page.
    total: int
    # True while the index is being rebuilt: results may be incomplete.
    rebuilding: bool = False
    # Changes committed but not yet indexed: the newest posts and edits may be missing.
    pending: int = 0
