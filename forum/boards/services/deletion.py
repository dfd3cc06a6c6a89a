"""Deleting a whole thread, and restoring it.

A thread's author may delete it while nobody else has a visible reply in it; a moderator of its
board may delete any thread. A deleted thread leaves every listing, feed and search at once
(services/visibility.live_threads, and the search documents follow the `deleted_at` change);
its page and posts answer 404 to everyone but the board's moderators, who see it marked
deleted and may restore it for THREAD_RESTORE_DAYS. Both actions go on the audit log.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from forum.accounts.models import AuditAction, User
from forum.accounts.services import audit
from forum.boards import signals
from forum.boards.models import THREAD_RESTORE_DAYS, Board, Post, Thread
from forum.boards.services.visibility import can_moderate, can_see_board, moderated_board_ids
from forum.core.db import utcnow
from forum.core.errors import Conflict, NotFound, NotPermitted
from forum.core.pagination import Page
from forum.extensions import db

logger = logging.getLogger(__name__)

DELETED_PER_PAGE = 25


def _has_replies_by_others(thread: Thread) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Post.thread_id == thread.id,
                    Post.author_id != thread.author_id,
                    Post.deleted_at.is_(None),
                )
            )
        )
    )


def can_delete_thread(user: User | None, thread: Thread) -> bool:
    """A moderator of the board, or the author while nobody else has a visible reply."""
    if user is None or thread.is_deleted or not can_see_board(user, thread.board):
        return False
    if can_moderate(user, thread.board):
        return True
    return thread.author_id == user.id and not _has_replies_by_others(thread)


def restorable_until(thread: Thread, now: dt.datetime | None = None) -> dt.datetime | None:
    """Until when moderators may restore a deleted thread: None when it is not deleted or the
    window has passed."""
    if thread.deleted_at is None or thread.merged_into_id is not None:
        return None
    deadline = thread.deleted_at + dt.timedelta(days=THREAD_RESTORE_DAYS)
    return deadline if deadline >= (now or utcnow()) else None


def delete_thread(thread: Thread, *, actor: User, now: dt.datetime | None = None) -> Thread:
    """Delete the whole thread. NotFound when `actor` cannot see it, Conflict when it is already
    deleted, NotPermitted for an author once someone else replied (or anyone else)."""
    if not can_see_board(actor, thread.board) or (
        thread.is_deleted and not can_moderate(actor, thread.board)
    ):
        raise NotFound("There is no such thread.")
    if thread.is_deleted:
        raise Conflict("That thread is already deleted.")
    if not can_delete_thread(actor, thread):
        raise NotPermitted(
            "Others have replied, so only a moderator can delete this thread now."
            if thread.author_id == actor.id
            else "You cannot delete this thread."
        )
    thread.deleted_at = now or utcnow()
    thread.deleted_by_id = actor.id
    db.session.flush()
    audit.record(AuditAction.THREAD_DELETED, actor, thread, title=thread.title[:200])
    logger.info("thread %s deleted by user %s", thread.id, actor.id)
    signals.thread_updated.send(thread, actor=actor, changes={"deleted_at"})
    return thread


def restore_thread(thread: Thread, *, actor: User, now: dt.datetime | None = None) -> Thread:
    """Bring a deleted thread back. Moderators of its board only (NotPermitted; a deleted
    thread is NotFound to everyone else already), Conflict when it is not deleted or the restore
    window has passed."""
    if not can_see_board(actor, thread.board):
        raise NotFound("There is no such thread.")
    if not can_moderate(actor, thread.board):
        raise NotPermitted("Only moderators of this board can restore threads.")
    if not thread.is_deleted:
        raise Conflict("That thread is not deleted.")
    if thread.merged_into_id is not None:
        raise Conflict("That thread was merged into another; its posts are there now.")
    if restorable_until(thread, now) is None:
        raise Conflict(
            f"Deleted threads can be restored for {THREAD_RESTORE_DAYS} days; this one was "
            "deleted before that."
        )
    thread.deleted_at = None
    thread.deleted_by_id = None
    db.session.flush()
    audit.record(AuditAction.THREAD_RESTORED, actor, thread)
    logger.info("thread %s restored by user %s", thread.id, actor.id)
    signals.thread_updated.send(thread, actor=actor, changes={"deleted_at"})
    return thread


def deleted_threads(user: User, *, page: int = 1, now: dt.datetime | None = None) -> Page[Thread]:
    """Threads deleted within the restore window on the boards `user` moderates, newest first."""
    boards = moderated_board_ids(user)
    since = (now or utcnow()) - dt.timedelta(days=THREAD_RESTORE_DAYS)
    query = select(Thread).where(
        Thread.deleted_at.is_not(None),
        Thread.deleted_at >= since,
        Thread.merged_into_id.is_(None),
    )
    if boards is not None:
        if not boards:
            return Page(items=[], page=page, per_page=DELETED_PER_PAGE, total=0)
        query = query.where(Thread.board_id.in_(boards))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = list(
        db.session.scalars(
            query.options(
                joinedload(Thread.board).selectinload(Board.moderator_links),
                joinedload(Thread.author),
                joinedload(Thread.deleted_by),
            )
            .order_by(Thread.deleted_at.desc(), Thread.id.desc())
            .limit(DELETED_PER_PAGE)
            .offset((page - 1) * DELETED_PER_PAGE)
        ).unique()
    )
    return Page(items=items, page=page, per_page=DELETED_PER_PAGE, total=total)
