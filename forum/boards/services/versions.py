"""Version counters that key the cached fragments of the thread and board pages.

A cached fragment is never invalidated: its key holds every version it depends on, so a change
that bumps a version makes readers miss and render afresh. The keys (see forum/boards/pages.py):

- a thread's posts: `threads.version` and `threads.last_post_id` (a new reply moves the
  latter, so replying writes nothing extra);
- a board's listing: `boards.version` and the board's newest post id.

Whatever the ORM flushes bumps the versions here, in one place, so no service can forget:
a post edited, hidden, deleted or restored (its thread); a thread changed in any column or tag
(the thread and its board, both boards when it moves); a board changed, or its moderators
(itself); a person's display name (every thread they wrote in or marked solved, every board).
Statements that bypass the ORM call `bump_threads_of_posts` themselves (reactions,
re-rendering).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect, or_, select, update
from sqlalchemy.orm import Session, attributes

from forum.accounts.models import User
from forum.boards.models import Board, BoardModerator, Post, Reaction, Thread
from forum.extensions import db

PENDING = "forum.boards.pending_versions"
BUMPED = "forum.boards.bumped_threads"


def bump_thread(thread_id: int) -> None:
    """Bump one thread (after a change to its posts that bypassed the ORM)."""
    db.session.execute(
        update(Thread).where(Thread.id == thread_id).values(version=Thread.version + 1),
        execution_options={"synchronize_session": False},
    )


def bump_threads_of_posts(post_ids: Iterable[int]) -> None:
    """Bump the threads holding these posts (after a change that bypassed the ORM)."""
    ids = sorted(set(post_ids))
    if ids:
        db.session.execute(
            update(Thread)
            .where(Thread.id.in_(select(Post.thread_id).where(Post.id.in_(ids))))
            .values(version=Thread.version + 1),
            execution_options={"synchronize_session": False},
        )


def _changed(obj: Any, session: Session) -> bool:
    return session.is_modified(obj, include_collections=False)


def _pending(session: Session) -> dict[str, set[int]]:
    pending: dict[str, set[int]] = session.info.setdefault(
        PENDING, {"threads": set(), "boards": set(), "posts": set(), "authors": set()}
    )
    return pending


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _context: Any, _instances: Any) -> None:
    """Note what this flush changes; after_flush bumps the versions in a few UPDATEs."""
    pending = _pending(session)
    for obj in session.dirty:
        if isinstance(obj, Post) and _changed(obj, session):
            pending["threads"].add(obj.thread_id)
        elif isinstance(obj, Thread):
            # Tags never loaded were not changed: a reply (which dirties its thread) must not
            # load them just to ask.
            tags_changed = attributes.get_history(
                obj, "tags", passive=attributes.PASSIVE_NO_INITIALIZE
            ).has_changes()
            if _changed(obj, session) or tags_changed:
                pending["threads"].add(obj.id)
                board_ids = attributes.get_history(obj, "board_id")
                pending["boards"].update(
                    i for i in (*board_ids.deleted, *board_ids.unchanged, *board_ids.added) if i
                )
        elif isinstance(obj, Board) and _changed(obj, session):
            pending["boards"].add(obj.id)
        elif isinstance(obj, User) and attributes.get_history(obj, "display_name").has_changes():
            pending["authors"].add(obj.id)
    for obj in (*session.new, *session.deleted):
        # Moderators see a department board whatever their department: who may read it.
        if isinstance(obj, BoardModerator) and obj.board_id is not None:
            pending["boards"].add(obj.board_id)
    for obj in session.deleted:
        if isinstance(obj, Post):
            pending["threads"].add(obj.thread_id)
        elif isinstance(obj, Reaction):
            pending["posts"].add(obj.post_id)
        elif isinstance(obj, Thread):
            pending["boards"].add(obj.board_id)
    for obj in session.new:
        # A new post moves its thread's last_post_id, which is in the keys already; an ORM
        # reaction (the services add them with INSERT, see toggle_reaction) is not.
        if isinstance(obj, Reaction) and obj.post_id is not None:
            pending["posts"].add(obj.post_id)


@event.listens_for(Session, "after_flush")
def _bump(session: Session, _context: Any) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending or not any(pending.values()):
        return
    connection = session.connection()
    thread_ids = {i for i in pending["threads"] if i is not None}
    if pending["posts"]:
        thread_ids.update(
            connection.scalars(
                select(Post.thread_id).where(Post.id.in_(sorted(pending["posts"])))
            ).all()
        )
    if pending["authors"]:
        # A name shows on every post and listing line of its person: rare, and worth it.
        authors = sorted(pending["authors"])
        written_in = select(Post.thread_id).where(Post.author_id.in_(authors))
        # ...and on a first page's solution box, as who marked the answer.
        connection.execute(
            update(Thread)
            .where(or_(Thread.id.in_(written_in), Thread.solved_by_id.in_(authors)))
            .values(version=Thread.version + 1)
        )
        connection.execute(update(Board).values(version=Board.version + 1))
        pending["boards"].clear()
    if thread_ids:
        connection.execute(
            update(Thread)
            .where(Thread.id.in_(sorted(thread_ids)))
            .values(version=Thread.version + 1)
        )
    if pending["boards"]:
        connection.execute(
            update(Board)
            .where(Board.id.in_(sorted(pending["boards"])))
            .values(version=Board.version + 1)
        )
    session.info[BUMPED] = thread_ids


@event.listens_for(Session, "after_flush_postexec")
def _expire_stale(session: Session, _context: Any) -> None:
    """The objects' own `version` attributes are stale now: reload them when read."""
    thread_ids = session.info.pop(BUMPED, None)
    if thread_ids is None:
        return
    for obj in list(session.identity_map.values()):
        stale = (isinstance(obj, Thread) and obj.id in thread_ids) or isinstance(obj, Board)
        if stale and "version" in inspect(obj).dict:
            session.expire(obj, ["version"])


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(BUMPED, None)
