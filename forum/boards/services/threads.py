"""Starting threads, replying, solutions, and the thread listings the pages and API show."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from forum.accounts.models import User
from forum.boards import signals
from forum.boards.models import (
    Board,
    Post,
    PostKind,
    Tag,
    Thread,
    ThreadTag,
)
from forum.boards.services import notify, reading
from forum.boards.services.validation import (
    clean_body,
    clean_tags,
    clean_title,
    parse_kind,
    slugify,
    tags_for,
)
from forum.boards.services.visibility import (
    board_visibility_clause,
    can_reply,
    can_see_board,
    live_threads,
)
from forum.core.db import read_connection, utcnow
from forum.core.errors import Invalid, NotFound, NotPermitted
from forum.core.markup import Rendered, render
from forum.core.pagination import Page
from forum.extensions import db

logger = logging.getLogger(__name__)

THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 30


def render_post_body(body: str) -> tuple[Rendered, list[User]]:
    """A post body rendered (sanitized HTML, within the rendering budget) and the colleagues
    it @mentions, in one parse."""
    people: list[User] = []

    def known(handles: list[str]) -> set[str]:
        people.extend(notify.users_for_handles(handles))
        return {person.handle for person in people}

    return render(body, mentions=known), people


def render_body(body: str) -> tuple[str, list[User]]:
    """The sanitized HTML of a post body and the colleagues it @mentions."""
    rendered, people = render_post_body(body)
    return rendered.html, people


def create_thread(
    board: Board,
    *,
    author: User,
    kind: PostKind | str,
    title: str,
    body: str,
    tags: Iterable[str] | str | None = None,
    now: dt.datetime | None = None,
) -> Thread:
    """Start a thread with its opening post on a board the author can see.

    Raises NotFound when the author cannot see the board and Invalid (fields kind, title, body,
    tags) for bad input. The author watches the thread; mentions and board watchers are notified.
    """
    if not can_see_board(author, board):
        raise NotFound("There is no such board.")
    errors: dict[str, str] = {}
    parsed_kind = parse_kind(kind, errors)
    clean = clean_title(title, errors)
    text = clean_body(body, errors)
    tag_names = clean_tags(tags, errors)
    if errors or parsed_kind is None:
        raise Invalid("Check the highlighted fields.", fields=errors)
    now = now or utcnow()
    html, mentioned = render_body(text)
    thread = Thread(
        board=board,
        author=author,
        kind=parsed_kind,
        title=clean,
        slug=slugify(clean),
        created_at=now,
        last_activity_at=now,
        post_count=1,
        last_poster=author,
        tags=tags_for(tag_names),
    )
    post = Post(thread=thread, author=author, body=text, body_html=html, created_at=now)
    db.session.add_all([thread, post])
    db.session.flush()
    thread.last_post_id = post.id
    reading.watch_thread(author, thread, now=now)
    reading.mark_read(author, thread, post.id, now=now)
    db.session.flush()
    notified = notify.notify_mentions(post, mentioned)
    notify.notify_new_post(post, is_first=True, already=notified)
    logger.info("thread %s created on board %s by user %s", thread.id, board.id, author.id)
    signals.thread_created.send(thread, post=post, author=author)
    signals.post_created.send(post, thread=thread, author=author, is_first=True)
    return thread


def add_post(
    thread: Thread,
    *,
    author: User,
    body: str,
    reply_to: Post | None = None,
    now: dt.datetime | None = None,
) -> Post:
    """Reply to a thread the author can see.

    Raises NotFound when the board is invisible to the author, NotPermitted when the thread is
    locked (moderators may still reply) and Invalid (field body) for an empty or over-long body.
    """
    if not can_see_board(author, thread.board) or thread.is_deleted:
        raise NotFound("There is no such thread.")
    if not can_reply(author, thread):
        raise NotPermitted("This thread is locked: no new replies.")
    errors: dict[str, str] = {}
    text = clean_body(body, errors)
    if errors:
        raise Invalid("Check the highlighted fields.", fields=errors)
    if reply_to is not None and reply_to.thread_id != thread.id:
        reply_to = None
    now = now or utcnow()
    html, mentioned = render_body(text)
    post = Post(
        thread=thread,
        author=author,
        body=text,
        body_html=html,
        created_at=now,
        reply_to_id=reply_to.id if reply_to is not None else None,
    )
    db.session.add(post)
    db.session.flush()
    # Counters move in SQL so concurrent replies never lose an increment.
    db.session.execute(
        update(Thread)
        .where(Thread.id == thread.id)
        .values(
            post_count=Thread.post_count + 1,
            last_activity_at=now,
            last_post_id=post.id,
            last_poster_id=author.id,
        ),
        execution_options={"synchronize_session": False},
    )
    db.session.refresh(thread, ["post_count", "last_activity_at", "last_post_id", "last_poster_id"])
    reading.watch_thread(author, thread, now=now)
    reading.mark_read(author, thread, post.id, now=now)
    notified = notify.notify_mentions(post, mentioned)
    notify.notify_new_post(post, is_first=False, already=notified)
    signals.post_created.send(post, thread=thread, author=author, is_first=False)
    return post


def quote_source(post: Post) -> str:
    """Markdown that quotes a post for a reply: an attribution line, then the quoted text."""
    if not post.is_visible:
        return ""
    handle = post.author.handle
    quoted = "\n".join(f"> {line}" if line else ">" for line in post.body.splitlines())
    return f"@{handle} [wrote]({notify.post_path(post)}):\n{quoted}\n\n"


# --- listings --------------------------------------------------------------------------------


def _listing(query: Select[Thread], page: int, per_page: int = THREADS_PER_PAGE) -> Page[Thread]:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(
        db.session.scalars(
            query.options(
                joinedload(Thread.author),
                joinedload(Thread.last_poster),
                joinedload(Thread.board),
                selectinload(Thread.tags),
            )
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).unique()
    )
    return Page(items=items, page=page, per_page=per_page, total=total or 0)


def _filtered(
    query: Select[Thread], kind: PostKind | str | None, tag: str | None
) -> Select[Thread]:
    if kind:
        query = query.where(Thread.kind == PostKind(kind))
    if tag:
        query = query.where(
            Thread.id.in_(
                select(ThreadTag.thread_id)
                .join(Tag, Tag.id == ThreadTag.tag_id)
                .where(Tag.name == tag)
            )
        )
    return query


def board_threads(
    board: Board,
    *,
    kind: PostKind | str | None = None,
    tag: str | None = None,
    page: int = 1,
    per_page: int = THREADS_PER_PAGE,
) -> Page[Thread]:
    """A board's threads, pinned first, then by last activity (the caller checked visibility)."""
    query = _filtered(select(Thread).where(Thread.board_id == board.id, live_threads()), kind, tag)
    query = query.order_by(
        Thread.is_pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc()
    )
    return _listing(query, page, per_page)


def recent_threads(
    user: User,
    *,
    kind: PostKind | str | None = None,
    tag: str | None = None,
    page: int = 1,
    per_page: int = THREADS_PER_PAGE,
    pinned_first: bool = False,
) -> Page[Thread]:
    """Threads on every board `user` can see, most recently active first; with
    `pinned_first` (the activity page) the pinned ones come before all others, read off
    ix_threads_activity. Feeds and tag pages stay in plain order of activity."""
    query = select(Thread).join(Thread.board).where(board_visibility_clause(user), live_threads())
    order: list[Any] = [Thread.last_activity_at.desc(), Thread.id.desc()]
    if pinned_first:
        order.insert(0, Thread.is_pinned.desc())
    query = _filtered(query, kind, tag).order_by(*order)
    return _listing(query, page, per_page)


def thread_posts(thread: Thread, *, page: int = 1, per_page: int = POSTS_PER_PAGE) -> Page[Post]:
    """One page of a thread's posts, oldest first, deleted ones included as placeholders."""
    items = list(
        db.session.scalars(
            select(Post)
            .where(Post.thread_id == thread.id)
            .order_by(Post.id)
            .options(joinedload(Post.author), joinedload(Post.edited_by))
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return Page(items=items, page=page, per_page=per_page, total=thread.post_count)


def newest_post_ids(board_ids: Iterable[int]) -> dict[int, int | None]:
    """board id -> its newest post id (one index probe per board, in one query): with the
    boards' versions, the key of their cached listings (services/versions.py)."""
    ids = list(board_ids)
    if not ids:
        return {}
    rows = read_connection(db.session).execute(_NEWEST_POSTS, {"board_ids": ids})
    return {board_id: last for board_id, last in rows}  # noqa: C416 - rows, not pairs


# Built once: every listing page keys its cache on it.
_NEWEST_POSTS = select(
    Board.id,
    select(func.max(Thread.last_post_id))
    .where(Thread.board_id == Board.id)
    .correlate(Board)
    .scalar_subquery(),
).where(Board.id.in_(bindparam("board_ids", expanding=True)))


def visible_boards_with_newest(user: User) -> tuple[list[Board], dict[int, int | None]]:
    """The boards `user` may see in display order, and each one's newest post id, in one query."""
    newest = (
        select(func.max(Thread.last_post_id))
        .where(Thread.board_id == Board.id)
        .correlate(Board)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Board, newest)
        .where(board_visibility_clause(user))
        .order_by(Board.position, Board.name)
    ).all()
    return [board for board, _ in rows], {board.id: last for board, last in rows}


def board_stats(board_ids: Iterable[int]) -> dict[int, tuple[int, dt.datetime | None]]:
    """Thread count and last activity per board, in one query."""
    ids = list(board_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Thread.board_id, func.count(Thread.id), func.max(Thread.last_activity_at))
        .where(Thread.board_id.in_(ids), live_threads())
        .group_by(Thread.board_id)
    )
    stats: dict[int, tuple[int, dt.datetime | None]] = dict.fromkeys(ids, (0, None))
    for board_id, count, last in rows:
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=dt.UTC)
        stats[board_id] = (count, last)
    return stats


def popular_tags(user: User, limit: int = 20) -> list[tuple[str, int]]:
    """The most used tags on boards `user` can see."""
    rows = db.session.execute(
        select(Tag.name, func.count(ThreadTag.thread_id))
        .join(ThreadTag, ThreadTag.tag_id == Tag.id)
        .join(Thread, Thread.id == ThreadTag.thread_id)
        .join(Thread.board)
        .where(board_visibility_clause(user), live_threads())
        .group_by(Tag.name)
        .order_by(func.count(ThreadTag.thread_id).desc(), Tag.name)
        .limit(limit)
    )
    return [(name, count) for name, count in rows]
