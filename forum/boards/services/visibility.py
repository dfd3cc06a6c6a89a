"""Who may see and moderate which board: one rule, applied in the query that loads the object.

A `staff` board is visible to everyone signed in. A `department` board is visible to members of
its department, to its moderators, and to seniors and admins. Anything on a board a person
cannot see is NotFound (404), never NotPermitted: its existence is not revealed.

A deleted thread (and everything in it) is NotFound too, except to its board's moderators, who
see it marked deleted and may restore it; every listing leaves deleted threads out
(`live_threads`).
"""

from __future__ import annotations

from typing import Any, TypeGuard

from sqlalchemy import ColumnElement, Select, bindparam, false, or_, select, true
from sqlalchemy.orm import contains_eager, joinedload

from forum.accounts.models import Role, User
from forum.boards.models import Board, BoardModerator, BoardVisibility, Post, Thread
from forum.core.db import read_connection
from forum.core.errors import NotFound
from forum.extensions import db


def _active(user: Any) -> TypeGuard[User]:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def can_see_board(user: User | None, board: Board) -> bool:
    """True when `user` may see `board` and everything on it (see the module rule)."""
    if not _active(user):
        return False
    if board.visibility == BoardVisibility.STAFF or user.has_role(Role.SENIOR):
        return True
    if board.department_id is not None and board.department_id == user.department_id:
        return True
    return user.id in board.moderator_ids


def board_visibility_clause(user: User | None) -> ColumnElement[bool]:
    """A WHERE clause on Board (join it) selecting exactly the boards `user` may see."""
    if not _active(user):
        return false()
    if user.has_role(Role.SENIOR):
        return true()
    conditions: list[ColumnElement[bool]] = [
        Board.visibility == BoardVisibility.STAFF,
        Board.id.in_(select(BoardModerator.board_id).where(BoardModerator.user_id == user.id)),
    ]
    if user.department_id is not None:
        conditions.append(Board.department_id == user.department_id)
    return or_(*conditions)


def live_threads() -> ColumnElement[bool]:
    """A WHERE clause on Thread leaving out deleted threads (every listing uses it)."""
    return Thread.deleted_at.is_(None)


def _hide_deleted(user: User | None, thread: Thread) -> None:
    if thread.is_deleted and not can_moderate(user, thread.board):
        raise NotFound("There is no such thread.")


def visible_boards_query(user: User | None) -> Select[Board]:
    """SELECT of the boards `user` may see, in display order (position, then name)."""
    return select(Board).where(board_visibility_clause(user)).order_by(Board.position, Board.name)


def visible_board_ids(user: User | None) -> set[int]:
    """Ids of the boards `user` may see (for filtering search results and feeds)."""
    return set(db.session.scalars(select(Board.id).where(board_visibility_clause(user))))


def visible_boards(user: User | None) -> list[Board]:
    """The boards `user` may see, in display order."""
    return list(db.session.scalars(visible_boards_query(user)))


# Built once: every board page loads its board with its moderators.
_BOARD_WITH_MODERATORS = joinedload(Board.moderator_links)


def get_visible_board(user: User | None, slug: str) -> Board:
    """The board with `slug`; raises NotFound when it is missing or `user` may not see it."""
    board = (
        db.session.scalars(
            select(Board)
            .where(Board.slug == slug, board_visibility_clause(user))
            .options(_BOARD_WITH_MODERATORS)
        )
        .unique()
        .first()
    )
    if board is None:
        raise NotFound("There is no such board.")
    return board


# The board and its few moderators come in the same query. Nothing else: what a thread page
# shows of its tags and solution is kept in its cached entry (boards.pages), so loading them
# here would cost every view (about half of this query's time) for the rare miss.
_WITH_BOARD = contains_eager(Thread.board).joinedload(Board.moderator_links)


def get_visible_thread(user: User | None, thread_id: int) -> Thread:
    """The thread with its board; NotFound when missing or invisible to `user`. Its author,
    tags and solution load when first read."""
    thread = (
        db.session.scalars(
            select(Thread)
            .join(Thread.board)
            .where(Thread.id == thread_id, board_visibility_clause(user))
            .options(_WITH_BOARD)
        )
        .unique()
        .first()
    )
    if thread is None:
        raise NotFound("There is no such thread.")
    _hide_deleted(user, thread)
    return thread


def get_thread_to_reply(user: User | None, thread_id: int) -> Thread:
    """The thread with its board, for a reply that shows no page (the API): the same rule as
    get_visible_thread in one lighter query, without the tags and author a page shows; the
    board's moderators load only when a rule asks for them (a locked thread, a department
    board). Raises NotFound when missing or invisible to `user`."""
    thread = db.session.scalar(
        select(Thread)
        .join(Thread.board)
        .where(Thread.id == thread_id, board_visibility_clause(user))
        .options(contains_eager(Thread.board))
    )
    if thread is None:
        raise NotFound("There is no such thread.")
    _hide_deleted(user, thread)
    return thread


def get_visible_post(user: User | None, post_id: int) -> Post:
    """The post (deleted or hidden ones included: callers show a placeholder) with its thread
    and board; NotFound when missing or on a board `user` may not see."""
    post = db.session.scalar(
        select(Post)
        .join(Post.thread)
        .join(Thread.board)
        .where(Post.id == post_id, board_visibility_clause(user))
        .options(
            joinedload(Post.thread).joinedload(Thread.board).selectinload(Board.moderator_links),
            joinedload(Post.author),
        )
    )
    if post is None or (post.thread.is_deleted and not can_moderate(user, post.thread.board)):
        raise NotFound("There is no such post.")
    return post


def can_moderate(user: User | None, board: Board) -> bool:
    """Admins moderate every board; board moderators moderate theirs (if they can still see it)."""
    if not _active(user):
        return False
    if user.has_role(Role.ADMIN):
        return True
    return user.id in board.moderator_ids and can_see_board(user, board)


def moderated_board_ids(user: User | None) -> set[int] | None:
    """Boards whose flags `user` handles: None means every board (admins)."""
    if not _active(user):
        return set()
    if user.has_role(Role.ADMIN):
        return None
    return set(read_connection(db.session).scalars(_MODERATED, {"user_id": user.id}))


# Built once: the header asks on every page whether the person moderates anything.
_MODERATED = select(BoardModerator.board_id).where(BoardModerator.user_id == bindparam("user_id"))


def can_edit_post(user: User | None, post: Post) -> bool:
    """The author may edit their own visible post unless the thread is locked; moderators may
    edit any post that is not deleted."""
    if not _active(user) or post.is_deleted or post.thread.is_deleted:
        return False
    board = post.thread.board
    if can_moderate(user, board):
        return True
    return post.author_id == user.id and not post.is_hidden and not post.thread.is_locked


def can_delete_post(user: User | None, post: Post) -> bool:
    """The author or a moderator may soft-delete a post that is not already deleted."""
    if not _active(user) or post.is_deleted or post.thread.is_deleted:
        return False
    return post.author_id == user.id or can_moderate(user, post.thread.board)


def can_mark_solution(user: User | None, thread: Thread) -> bool:
    """The thread's author, a moderator of its board, or any senior may mark a solution."""
    if not _active(user) or not thread.kind_enum.solvable or thread.is_deleted:
        return False
    return (
        thread.author_id == user.id
        or user.has_role(Role.SENIOR)
        or can_moderate(user, thread.board)
    )


def can_reply(user: User | None, thread: Thread) -> bool:
    """Anyone who sees the thread may reply unless it is locked (moderators still may); nobody
    replies to a deleted thread."""
    if not _active(user) or thread.is_deleted:
        return False
    return not thread.is_locked or can_moderate(user, thread.board)
