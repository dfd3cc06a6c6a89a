"""Moderators' tools: pin, lock, move, hide with a reason, and the queue of members' flags.

Every moderation action leaves an entry in the audit log (accounts' audit.record), in the
transaction of the action; so do deletes and restores of posts by a moderator (through the
post_deleted / post_restored signals, since posts.py performs them).
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload

from forum.accounts.models import AuditAction, User
from forum.accounts.services import audit
from forum.boards import signals
from forum.boards.models import REASON_MAX, Board, Flag, FlagState, Post, Thread
from forum.boards.services import notify
from forum.boards.services.validation import dialect_insert
from forum.boards.services.visibility import (
    can_moderate,
    can_see_board,
    moderated_board_ids,
)
from forum.core.db import read_connection, utcnow
from forum.core.errors import Conflict, Invalid, NotFound, NotPermitted
from forum.core.pagination import Page
from forum.extensions import db

logger = logging.getLogger(__name__)


def _require_moderator(actor: User, board: Board) -> None:
    if not can_see_board(actor, board):
        raise NotFound("There is no such thread.")
    if not can_moderate(actor, board):
        raise NotPermitted("Only moderators of this board can do that.")


def set_pinned(thread: Thread, *, actor: User, pinned: bool) -> Thread:
    """Pin a thread to the top of its board (or unpin it). Moderators only (NotPermitted)."""
    _require_moderator(actor, thread.board)
    if thread.is_pinned != pinned:
        thread.is_pinned = pinned
        db.session.flush()
        audit.record(
            AuditAction.THREAD_PINNED if pinned else AuditAction.THREAD_UNPINNED, actor, thread
        )
        logger.info("thread %s pinned=%s by user %s", thread.id, pinned, actor.id)
        signals.thread_updated.send(thread, actor=actor, changes={"is_pinned"})
    return thread


def set_locked(thread: Thread, *, actor: User, locked: bool) -> Thread:
    """Lock a thread against new replies (or unlock it); the author is told. Moderators only."""
    _require_moderator(actor, thread.board)
    if thread.is_locked != locked:
        thread.is_locked = locked
        db.session.flush()
        audit.record(
            AuditAction.THREAD_LOCKED if locked else AuditAction.THREAD_UNLOCKED, actor, thread
        )
        if thread.author_id != actor.id:
            state = "locked" if locked else "unlocked"
            notify.notify_moderation(
                thread.author,
                thread,
                title=f"Your thread “{thread.title}” was {state}",
                body=f"A moderator {state} it.",
                url=notify.thread_path(thread),
                key=f"lock:{thread.id}:{state}:{utcnow().isoformat()}",
            )
        logger.info("thread %s locked=%s by user %s", thread.id, locked, actor.id)
        signals.thread_updated.send(thread, actor=actor, changes={"is_locked"})
    return thread


def move_thread(thread: Thread, *, actor: User, to_board: Board) -> Thread:
    """Move a thread to another board: the actor must moderate the current board and be able
    to see the new one (NotPermitted / NotFound). Moving to the same board is Invalid."""
    _require_moderator(actor, thread.board)
    if not can_see_board(actor, to_board):
        raise NotFound("There is no such board.")
    if to_board.id == thread.board_id:
        raise Invalid(fields={"board": "The thread is already on that board."})
    from_board = thread.board
    thread.board = to_board
    db.session.flush()
    audit.record(
        AuditAction.THREAD_MOVED,
        actor,
        thread,
        from_board=from_board.slug,
        to_board=to_board.slug,
    )
    if thread.author_id != actor.id:
        notify.notify_moderation(
            thread.author,
            thread,
            title=f"Your thread “{thread.title}” moved to {to_board.name}",
            body=f"A moderator moved it from {from_board.name}.",
            url=notify.thread_path(thread),
            key=f"move:{thread.id}:{to_board.id}",
        )
    logger.info(
        "thread %s moved from board %s to %s by user %s",
        thread.id,
        from_board.id,
        to_board.id,
        actor.id,
    )
    signals.thread_moved.send(thread, from_board=from_board, to_board=to_board, actor=actor)
    return thread


def hide_post(post: Post, *, actor: User, reason: str, now: dt.datetime | None = None) -> Post:
    """Hide a post behind a reason everyone sees; resolves its open flags; tells the author.

    Moderators only (NotPermitted). Raises Invalid (field reason) without a reason and Conflict
    when already hidden. A hidden solution stops being the solution.
    """
    _require_moderator(actor, post.thread.board)
    text = " ".join((reason or "").split())
    if not text:
        raise Invalid(fields={"reason": "Say why the post is hidden."})
    if len(text) > REASON_MAX:
        raise Invalid(fields={"reason": f"Use at most {REASON_MAX} characters."})
    if post.is_hidden:
        raise Conflict("That post is already hidden.")
    now = now or utcnow()
    post.hidden_at, post.hidden_by_id, post.hidden_reason = now, actor.id, text
    db.session.execute(
        update(Flag)
        .where(Flag.post_id == post.id, Flag.state == FlagState.OPEN)
        .values(state=FlagState.RESOLVED, resolved_at=now, resolved_by_id=actor.id),
        execution_options={"synchronize_session": False},
    )
    thread = post.thread
    unsolved = thread.solution_post_id == post.id
    if unsolved:
        thread.solution_post_id = None
        thread.solved_at = thread.solved_by_id = None
    db.session.flush()
    audit.record(AuditAction.POST_HIDDEN, actor, post, now=now, thread=thread.id, reason=text)
    if unsolved:
        signals.thread_solved.send(thread, post=None, solution_thread=None, actor=actor)
    if post.author_id != actor.id:
        notify.notify_moderation(
            post.author,
            thread,
            title=f"A moderator hid your post in “{thread.title}”",
            body=f"Reason: {text}",
            url=notify.post_path(post),
            key=f"hide:{post.id}",
        )
    logger.info("post %s hidden by user %s", post.id, actor.id)
    signals.post_hidden.send(post, actor=actor, reason=text)
    return post


def flag_post(post: Post, *, reporter: User, reason: str, now: dt.datetime | None = None) -> Flag:
    """A member reports a post to the moderators; one flag per person and post.

    Raises NotFound when the board is invisible, Invalid without a reason or on one's own
    post, Conflict when this person already flagged it or it is already hidden.
    """
    if not can_see_board(reporter, post.thread.board):
        raise NotFound("There is no such post.")
    text = " ".join((reason or "").split())
    if not text:
        raise Invalid(fields={"reason": "Tell the moderators what is wrong."})
    if len(text) > REASON_MAX:
        raise Invalid(fields={"reason": f"Use at most {REASON_MAX} characters."})
    if post.author_id == reporter.id:
        raise Invalid(fields={"reason": "You cannot flag your own post; edit or delete it."})
    if not post.is_visible:
        raise Conflict("That post is already deleted or hidden.")
    inserted = db.session.execute(
        dialect_insert(Flag)
        .values(
            post_id=post.id,
            user_id=reporter.id,
            reason=text,
            state=FlagState.OPEN,
            created_at=now or utcnow(),
        )
        .on_conflict_do_nothing()
        .returning(Flag.id)
    ).scalar()
    if inserted is None:
        raise Conflict("You have already flagged this post.")
    flag = db.session.get_one(Flag, inserted)
    notify.notify_flag(post, flag_id=flag.id, reporter=reporter)
    logger.info("post %s flagged (flag %s)", post.id, flag.id)
    return flag


def open_flags(actor: User, *, page: int = 1, per_page: int = 30) -> Page[Flag]:
    """Open flags on the boards `actor` moderates (all boards for admins), oldest first."""
    board_ids = moderated_board_ids(actor)
    query = select(Flag).join(Flag.post).join(Post.thread).where(Flag.state == FlagState.OPEN)
    if board_ids is not None:
        query = query.where(Thread.board_id.in_(board_ids or [-1]))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = list(
        db.session.scalars(
            query.options(
                joinedload(Flag.user),
                joinedload(Flag.post).joinedload(Post.author),
                joinedload(Flag.post).joinedload(Post.thread).joinedload(Thread.board),
            )
            .order_by(Flag.created_at, Flag.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return Page(items=items, page=page, per_page=per_page, total=total)


def resolve_flag(flag: Flag, *, actor: User, dismiss: bool, now: dt.datetime | None = None) -> Flag:
    """Close a flag: `dismiss=True` leaves the post, False records that action was taken.

    Moderators of the post's board only (NotPermitted); Conflict when already closed.
    """
    _require_moderator(actor, flag.post.thread.board)
    if flag.state != FlagState.OPEN:
        raise Conflict("That flag is already closed.")
    flag.state = FlagState.DISMISSED if dismiss else FlagState.RESOLVED
    flag.resolved_at, flag.resolved_by_id = now or utcnow(), actor.id
    db.session.flush()
    audit.record(
        AuditAction.FLAG_DISMISSED if dismiss else AuditAction.FLAG_RESOLVED,
        actor,
        flag,
        now=now,
        post=flag.post_id,
    )
    return flag


def get_flag(actor: User, flag_id: int) -> Flag:
    """A flag the actor moderates; NotFound otherwise (flags are private to moderators)."""
    flag = db.session.get(Flag, flag_id)
    if flag is None or not can_moderate(actor, flag.post.thread.board):
        raise NotFound("There is no such flag.")
    return flag


# Built once: the header's moderation link shows the count on every page of a moderator.
_OPEN_FLAGS = (
    select(func.count(Flag.id))
    .join(Flag.post)
    .join(Post.thread)
    .where(Flag.state == FlagState.OPEN)
)
_OPEN_FLAGS_ON_BOARDS = _OPEN_FLAGS.where(
    Thread.board_id.in_(bindparam("board_ids", expanding=True))
)


def open_flag_count(actor: User) -> int:
    board_ids = moderated_board_ids(actor)
    if board_ids is None:
        return read_connection(db.session).scalar(_OPEN_FLAGS) or 0
    if not board_ids:
        return 0
    connection = read_connection(db.session)
    return connection.scalar(_OPEN_FLAGS_ON_BOARDS, {"board_ids": sorted(board_ids)}) or 0


@signals.post_deleted.connect
def _audit_moderator_delete(post: Post, *, actor: User, **_: object) -> None:
    # An author deleting their own post is not a moderation action.
    if post.author_id != actor.id:
        audit.record(AuditAction.POST_DELETED, actor, post, thread=post.thread_id)


@signals.post_restored.connect
def _audit_moderator_restore(post: Post, *, actor: User, **_: object) -> None:
    if post.author_id != actor.id:
        audit.record(AuditAction.POST_RESTORED, actor, post, thread=post.thread_id)
