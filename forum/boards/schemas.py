"""Request and response shapes of the boards API, declared once for validation and OpenAPI."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from forum.accounts.models import User
from forum.boards.models import (
    BODY_MAX,
    MAX_TAGS,
    TAG_MAX,
    TITLE_MAX,
    Board,
    BoardVisibility,
    Post,
    PostKind,
    Thread,
)
from forum.boards.services.disclosure import Reader, readable_thread_ids
from forum.core.ids import DbId


class AuthorOut(BaseModel):
    id: int
    handle: str | None = Field(default=None, description="Their page is /u/<handle>")
    display_name: str

    @classmethod
    def of(cls, user: User) -> AuthorOut:
        return cls(id=user.id, handle=user.handle, display_name=user.display_name)


class BoardOut(BaseModel):
    slug: str
    name: str
    description: str
    department: str | None = Field(description="Department slug")
    visibility: BoardVisibility
    position: int
    thread_count: int
    url: str

    @classmethod
    def of(cls, board: Board, thread_count: int = 0) -> BoardOut:
        return cls(
            slug=board.slug,
            name=board.name,
            description=board.description,
            department=board.department.slug if board.department else None,
            visibility=BoardVisibility(board.visibility),
            position=board.position,
            thread_count=thread_count,
            url=f"/b/{board.slug}",
        )


class BoardList(BaseModel):
    items: list[BoardOut]
    total: int


class BoardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    department: str | None = Field(default=None, description="Department slug")
    visibility: BoardVisibility = BoardVisibility.STAFF
    position: int = Field(default=0, ge=-10_000, le=10_000)


class ThreadsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: PostKind | None = None
    tag: str | None = Field(default=None, max_length=TAG_MAX)
    page: int = Field(default=1, ge=1, le=100_000)


class ThreadSummary(BaseModel):
    id: int
    title: str
    kind: PostKind
    board: str = Field(description="Board slug")
    tags: list[str]
    author: AuthorOut
    is_pinned: bool
    is_locked: bool
    solution_post_id: int | None
    solution_thread_id: int | None = Field(
        description="The fix thread that solved it; null when none, or one you cannot see"
    )
    post_count: int
    created_at: dt.datetime
    last_activity_at: dt.datetime
    deleted_at: dt.datetime | None = Field(
        default=None, description="Set when the whole thread is deleted (moderators see it)"
    )
    url: str

    @staticmethod
    def readable_fixes(threads: list[Thread], reader: Reader) -> set[int]:
        """The fix threads solving `threads` that `reader` may be told about, in one query."""
        return readable_thread_ids(
            reader, {t.solution_thread_id for t in threads if t.solution_thread_id is not None}
        )

    @classmethod
    def fields_of(cls, thread: Thread, readable_fixes: set[int]) -> dict[str, object]:
        fix = thread.solution_thread_id
        return {
            "id": thread.id,
            "title": thread.title,
            "kind": PostKind(thread.kind),
            "board": thread.board.slug,
            "tags": thread.tag_names,
            "author": AuthorOut.of(thread.author),
            "is_pinned": thread.is_pinned,
            "is_locked": thread.is_locked,
            "solution_post_id": thread.solution_post_id,
            "solution_thread_id": fix if fix in readable_fixes else None,
            "post_count": thread.post_count,
            "created_at": thread.created_at,
            "last_activity_at": thread.last_activity_at,
            "deleted_at": thread.deleted_at,
            "url": f"/t/{thread.id}-{thread.slug}",
        }

    @classmethod
    def many(cls, threads: list[Thread], reader: Reader) -> list[ThreadSummary]:
        """`threads` as `reader` may see them (a hidden fix thread is not named)."""
        fixes = cls.readable_fixes(threads, reader)
        return [cls.model_validate(cls.fields_of(t, fixes)) for t in threads]


class ThreadPage(BaseModel):
    items: list[ThreadSummary]
    total: int
    page: int
    pages: int


class PostOut(BaseModel):
    id: int
    thread_id: int
    author: AuthorOut
    body: str = Field(description="Markdown source; empty when deleted or hidden")
    body_html: str = Field(description="Sanitized HTML; empty when deleted or hidden")
    created_at: dt.datetime
    edited_at: dt.datetime | None
    is_deleted: bool
    is_hidden: bool
    hidden_reason: str | None
    url: str

    @classmethod
    def of(cls, post: Post) -> PostOut:
        visible = post.is_visible
        return cls(
            id=post.id,
            thread_id=post.thread_id,
            author=AuthorOut.of(post.author),
            body=post.body if visible else "",
            body_html=post.body_html if visible else "",
            created_at=post.created_at,
            edited_at=post.edited_at,
            is_deleted=post.is_deleted,
            is_hidden=post.is_hidden,
            hidden_reason=post.hidden_reason,
            url=f"/p/{post.id}",
        )


class ThreadOut(ThreadSummary):
    posts: list[PostOut] = Field(description="The first page of posts (30), oldest first")

    @classmethod
    def with_posts(cls, thread: Thread, posts: list[Post], reader: Reader) -> ThreadOut:
        fixes = cls.readable_fixes([thread], reader)
        return cls.model_validate(
            {**cls.fields_of(thread, fixes), "posts": [PostOut.of(p) for p in posts]}
        )


class ThreadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    board: str = Field(min_length=1, max_length=64, description="Board slug")
    kind: PostKind
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    body: str = Field(min_length=1, max_length=BODY_MAX, description="Markdown")
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS)


class PostIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=BODY_MAX, description="Markdown")
    reply_to: DbId | None = Field(default=None, description="Id of the post being quoted")


class PostPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=BODY_MAX, description="Markdown")
    title: str | None = Field(
        default=None, min_length=1, max_length=TITLE_MAX, description="Opening post only"
    )
    kind: PostKind | None = Field(default=None, description="Opening post only")
    tags: list[str] | None = Field(
        default=None, max_length=MAX_TAGS, description="Opening post only"
    )


class KindIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: PostKind


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    into: DbId = Field(description="The thread this one's posts move to")


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    posts: list[DbId] = Field(min_length=1, max_length=500, description="Ids of replies to move")
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    kind: PostKind


class SolutionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    post_id: DbId | None = Field(default=None, description="The reply that solved it")
    solution_thread_id: DbId | None = Field(default=None, description="Or a linked fix thread")
