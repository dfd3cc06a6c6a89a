"""Boards, threads, posts and everything hung on them: tags, revisions, reactions, flags, reads."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import Department, User
from forum.core.db import UTCDateTime, utcnow
from forum.extensions import Model

TITLE_MAX = 200
BODY_MAX = 50_000
TAG_MAX = 40
MAX_TAGS = 8
REASON_MAX = 500
# How long moderators may restore a deleted thread.
THREAD_RESTORE_DAYS = 30
REVISION_NOTE_MAX = 300


class PostKind(enum.StrEnum):
    """What a thread is about; shown as a badge and filterable everywhere."""

    WIN = "win"
    FAILURE = "failure"
    FIX = "fix"
    QUESTION = "question"
    STORY = "story"

    @property
    def label(self) -> str:
        return {
            "win": "Win",
            "failure": "Failure",
            "fix": "Fix",
            "question": "Question",
            "story": "Story",
        }[self.value]

    @property
    def solvable(self) -> bool:
        """Only failures and questions can be marked solved."""
        return self in (PostKind.FAILURE, PostKind.QUESTION)


class BoardVisibility(enum.StrEnum):
    """`staff`: everyone signed in; `department`: its members, board moderators, seniors, admins."""

    STAFF = "staff"
    DEPARTMENT = "department"


class ReactionKind(enum.StrEnum):
    HELPFUL = "helpful"
    SAME_HERE = "same_here"
    THANKS = "thanks"

    @property
    def label(self) -> str:
        return {"helpful": "Helpful", "same_here": "Same here", "thanks": "Thanks"}[self.value]


class FlagState(enum.StrEnum):
    OPEN = "open"
    # A moderator acted on the post (hid it, edited it...).
    RESOLVED = "resolved"
    # A moderator looked and left the post as it was.
    DISMISSED = "dismissed"


class Board(Model):
    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    visibility: Mapped[BoardVisibility] = mapped_column(String(20), default=BoardVisibility.STAFF)
    # Boards are listed by position, then name.
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Bumped on every change to what its thread listings show (services/versions.py); a key
    # of the cached listing fragments, with the board's newest post id.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    department: Mapped[Department | None] = relationship()
    moderator_links: Mapped[list[BoardModerator]] = relationship(
        back_populates="board", cascade="all, delete-orphan"
    )
    threads: Mapped[list[Thread]] = relationship(back_populates="board")

    @property
    def moderator_ids(self) -> set[int]:
        return {link.user_id for link in self.moderator_links}

    def __repr__(self) -> str:
        return f"<Board {self.slug}>"


class BoardModerator(Model):
    """A person who moderates one board (admins moderate every board without a row here)."""

    __tablename__ = "board_moderators"

    board_id: Mapped[int] = mapped_column(
        ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    board: Mapped[Board] = relationship(back_populates="moderator_links")
    user: Mapped[User] = relationship()


class ThreadTag(Model):
    __tablename__ = "thread_tags"

    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Tag(Model):
    """A normalized (lower-case, hyphenated) label shared by threads."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(TAG_MAX), unique=True)

    def __repr__(self) -> str:
        return f"<Tag {self.name}>"


class Thread(Model):
    __tablename__ = "threads"
    __table_args__ = (
        Index("ix_threads_board_id_last_activity_at", "board_id", "last_activity_at"),
        # The board page's order (pinned first, then by activity), read straight off the index.
        Index("ix_threads_board_listing", "board_id", "is_pinned", "last_activity_at", "id"),
        # The activity page's order (pinned first on every board, then by activity).
        Index("ix_threads_activity", "is_pinned", "last_activity_at", "id"),
        # A board's newest post id in one index probe: the cache key of its listings.
        Index("ix_threads_board_id_last_post_id", "board_id", "last_post_id"),
        # The newest `fix` threads (the solution picker) without sorting every one of them.
        Index("ix_threads_kind_last_activity_at", "kind", "last_activity_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[PostKind] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    slug: Mapped[str] = mapped_column(String(TITLE_MAX))
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # A solved failure/question points at the reply that solved it, or at a linked `fix` thread.
    solution_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL", use_alter=True)
    )
    solution_thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL")
    )
    solved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    solved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_activity_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The newest post (deleted ones included): unread markers compare it with the reader's mark.
    last_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL", use_alter=True)
    )
    last_poster_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Every post, the opening one included; updated with UPDATE ... SET n = n + 1.
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped on every change to what its pages of posts show except a new reply (edits, hides,
    # deletes, reactions, lock, solution, moves, authors' names: services/versions.py).
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A deleted thread is gone from every listing and page but its moderators' (services/
    # deletion.py); a merged one is deleted too, and its address leads to `merged_into_id`. No
    # foreign keys: SQLite cannot add one to an existing table without rebuilding it.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    deleted_by_id: Mapped[int | None] = mapped_column(Integer)
    merged_into_id: Mapped[int | None] = mapped_column(Integer)

    board: Mapped[Board] = relationship(back_populates="threads")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    last_poster: Mapped[User | None] = relationship(foreign_keys=[last_poster_id])
    solved_by: Mapped[User | None] = relationship(foreign_keys=[solved_by_id])
    deleted_by: Mapped[User | None] = relationship(
        primaryjoin="foreign(Thread.deleted_by_id) == User.id", viewonly=True
    )
    solution_post: Mapped[Post | None] = relationship(
        foreign_keys=[solution_post_id], post_update=True
    )
    solution_thread: Mapped[Thread | None] = relationship(
        remote_side=[id], foreign_keys=[solution_thread_id]
    )
    posts: Mapped[list[Post]] = relationship(
        back_populates="thread", foreign_keys="Post.thread_id", order_by="Post.id"
    )
    tags: Mapped[list[Tag]] = relationship(secondary="thread_tags", order_by="Tag.name")

    @property
    def kind_enum(self) -> PostKind:
        return PostKind(self.kind)

    @property
    def is_solved(self) -> bool:
        return self.solution_post_id is not None or self.solution_thread_id is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def tag_names(self) -> list[str]:
        return [tag.name for tag in self.tags]

    def __repr__(self) -> str:
        return f"<Thread {self.id} {self.kind}>"


class Post(Model):
    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_thread_id_id", "thread_id", "id"),
        # Insights filter posts by period.
        Index("ix_posts_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The Markdown source, and its sanitized HTML rendered once on write (core.markup).
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # The post this one quotes (quote-reply); informational only.
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Soft delete keeps the row (and a placeholder in the thread); the body stays for moderators.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Hidden by a moderator, with a reason shown in place of the body.
    hidden_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))

    thread: Mapped[Thread] = relationship(back_populates="posts", foreign_keys=[thread_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    edited_by: Mapped[User | None] = relationship(foreign_keys=[edited_by_id])
    reactions: Mapped[list[Reaction]] = relationship(
        back_populates="post", cascade="all, delete-orphan"
    )
    revisions: Mapped[list[PostRevision]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="PostRevision.id"
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_visible(self) -> bool:
        """False when deleted or hidden: the body is then replaced by a placeholder."""
        return self.deleted_at is None and self.hidden_at is None

    def __repr__(self) -> str:
        return f"<Post {self.id} in thread {self.thread_id}>"


class PostRevision(Model):
    """The text of a post before one edit (and the thread title, when the edit changed it)."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(String(TITLE_MAX))
    # A moderator's change to the thread (kind, merge), in words; the text is kept as it stood.
    note: Mapped[str | None] = mapped_column(String(REVISION_NOTE_MAX))
    # When the replaced text was written (the post's creation or previous edit).
    written_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    post: Mapped[Post] = relationship(back_populates="revisions")
    editor: Mapped[User | None] = relationship()


class Reaction(Model):
    """One person's `helpful`, `same here` or `thanks` on one post: one of each per person."""

    __tablename__ = "reactions"
    __table_args__ = (UniqueConstraint("post_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ReactionKind] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    post: Mapped[Post] = relationship(back_populates="reactions")


class Flag(Model):
    """A member's report of a post for the moderator queue; one open flag per person and post."""

    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("post_id", "user_id"),
        Index("ix_flags_state_created_at", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    state: Mapped[FlagState] = mapped_column(String(20), default=FlagState.OPEN)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    post: Mapped[Post] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])


class ThreadRead(Model):
    """How far one person has read one thread: the id of the last post they saw."""

    __tablename__ = "thread_reads"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_read_post_id: Mapped[int] = mapped_column(Integer)
    read_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ThreadWatch(Model):
    """Notify this person of every reply in this thread."""

    __tablename__ = "thread_watches"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()


class BoardWatch(Model):
    """Notify this person of every new thread (and reply) on this board."""

    __tablename__ = "board_watches"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    board_id: Mapped[int] = mapped_column(
        ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
