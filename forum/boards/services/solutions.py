"""Solutions: marking a failure or question solved by a reply or a fix thread, and which fix
threads may be offered (only those every reader of the thread can see)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from forum.accounts.models import User
from forum.boards import signals
from forum.boards.models import Board, BoardVisibility, Post, PostKind, Thread
from forum.boards.services import disclosure, notify
from forum.boards.services.visibility import (
    board_visibility_clause,
    can_mark_solution,
    can_see_board,
)
from forum.core.db import utcnow
from forum.core.errors import Invalid, NotFound, NotPermitted
from forum.extensions import db

logger = logging.getLogger(__name__)


def mark_solution(
    thread: Thread,
    *,
    actor: User,
    post: Post | None = None,
    solution_thread: Thread | None = None,
    now: dt.datetime | None = None,
) -> Thread:
    """Mark a failure or question solved by one of its replies or by a linked `fix` thread.

    Only the thread's author, a moderator or a senior may (NotPermitted otherwise). Raises
    Invalid when the thread is not a failure/question, when the reply is not a visible reply in
    this thread, when the linked thread is not a fix the actor can see, or when some reader of
    this thread could not see the fix (disclosure.readers_can_read: a department-only fix may
    only solve a thread on a board of its own department, an all-staff fix solves any).
    Passing neither clears it.
    """
    if not can_see_board(actor, thread.board):
        raise NotFound("There is no such thread.")
    if not thread.kind_enum.solvable:
        raise Invalid(
            "Only failures and questions can be marked solved.",
            fields={"kind": "Only failures and questions can be marked solved."},
        )
    if not can_mark_solution(actor, thread):
        raise NotPermitted("Only the author, a moderator or a senior can mark the solution.")
    if post is not None and solution_thread is not None:
        raise Invalid(fields={"post_id": "Choose a reply or a fix thread, not both."})
    if post is not None:
        first_id = db.session.scalar(select(func.min(Post.id)).where(Post.thread_id == thread.id))
        if post.thread_id != thread.id or post.id == first_id:
            raise Invalid(fields={"post_id": "Choose a reply in this thread."})
        if not post.is_visible:
            raise Invalid(fields={"post_id": "That reply was deleted or hidden."})
    if solution_thread is not None and (
        solution_thread.kind_enum != PostKind.FIX
        or solution_thread.id == thread.id
        or solution_thread.is_deleted
        or not can_see_board(actor, solution_thread.board)
    ):
        raise Invalid(fields={"solution_thread_id": "Choose a fix thread you can see."})
    if solution_thread is not None and not disclosure.readers_can_read(
        thread.board, solution_thread.board
    ):
        raise Invalid(
            fields={
                "solution_thread_id": f"Some people who read this thread cannot see "
                f"{solution_thread.board.name}, where that fix is. Choose a fix on an all-staff "
                "board or on a board everyone here can see."
            }
        )
    now = now or utcnow()
    thread.solution_post_id = post.id if post is not None else None
    thread.solution_thread_id = solution_thread.id if solution_thread is not None else None
    solved = post is not None or solution_thread is not None
    thread.solved_at = now if solved else None
    thread.solved_by_id = actor.id if solved else None
    db.session.flush()
    if solved:
        notify.notify_solution(thread, post=post, solution_thread=solution_thread, actor=actor)
    logger.info(
        "thread %s solution set to post %s / thread %s by user %s",
        thread.id,
        thread.solution_post_id,
        thread.solution_thread_id,
        actor.id,
    )
    signals.thread_solved.send(thread, post=post, solution_thread=solution_thread, actor=actor)
    return thread


def _fix_candidates(user: User, thread: Thread) -> Select[Any]:
    board = thread.board
    # All-staff boards, this board and its department's boards; moderators are checked later.
    same_department = (
        Board.department_id == board.department_id if board.department_id is not None else false()
    )
    return (
        select(Thread)
        .join(Thread.board)
        .where(
            Thread.kind == PostKind.FIX,
            Thread.id != thread.id,
            Thread.deleted_at.is_(None),
            board_visibility_clause(user),
            or_(
                Board.visibility == BoardVisibility.STAFF,
                Board.id == board.id,
                same_department if board.visibility != BoardVisibility.STAFF else false(),
            ),
        )
        .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
    )


def fix_threads_for(user: User, thread: Thread, *, limit: int = 50) -> list[Thread]:
    """Recent `fix` threads `user` can see that may solve `thread`: the choices for linking a
    solution, only those every reader of `thread` can see (disclosure.readers_can_read)."""
    candidates = db.session.scalars(
        _fix_candidates(user, thread)
        .options(joinedload(Thread.board).selectinload(Board.moderator_links))
        .limit(limit * 2)
    ).unique()
    return [t for t in candidates if disclosure.readers_can_read(thread.board, t.board)][:limit]


def fix_thread_choices(user: User, thread: Thread, *, limit: int = 50) -> list[tuple[int, str]]:
    """fix_threads_for as (id, title) pairs, for the picker on the thread page: the same
    threads, without loading each one (the page shows it to solvers on every view)."""
    rows = db.session.execute(
        _fix_candidates(user, thread)
        .with_only_columns(Thread.id, Thread.title, Thread.board_id)
        .limit(limit * 2)
    ).all()
    board_ids = {board_id for _id, _title, board_id in rows}
    boards = (
        {
            board.id: board
            for board in db.session.scalars(
                select(Board)
                .where(Board.id.in_(board_ids))
                .options(selectinload(Board.moderator_links))
            )
        }
        if board_ids
        else {}
    )
    return [
        (thread_id, title)
        for thread_id, title, board_id in rows
        if disclosure.readers_can_read(thread.board, boards[board_id])
    ][:limit]
