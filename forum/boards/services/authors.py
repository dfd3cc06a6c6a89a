"""What a person did and holds on the boards, as a reader may see it: for their person page."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.accounts.models import User
from forum.boards.models import Board, BoardModerator, Post, Thread
from forum.boards.services.visibility import board_visibility_clause, live_threads
from forum.extensions import db

RECENT_LIMIT = 10


def boards_moderated_by(person: User, reader: User) -> list[Board]:
    """The boards `person` moderates that `reader` may see, in display order."""
    return list(
        db.session.scalars(
            select(Board)
            .join(BoardModerator, BoardModerator.board_id == Board.id)
            .where(BoardModerator.user_id == person.id, board_visibility_clause(reader))
            .order_by(Board.position, Board.name)
        )
    )


def threads_started_by(person: User, reader: User, *, limit: int = RECENT_LIMIT) -> list[Thread]:
    """The newest threads `person` started on boards `reader` may see, as board lists show them."""
    return list(
        db.session.scalars(
            select(Thread)
            .join(Thread.board)
            .where(Thread.author_id == person.id, board_visibility_clause(reader), live_threads())
            .options(joinedload(Thread.board))
            .order_by(Thread.created_at.desc(), Thread.id.desc())
            .limit(limit)
        )
    )


def solutions_by(person: User, reader: User, *, limit: int = RECENT_LIMIT) -> list[Thread]:
    """The newest threads solved by a visible reply of `person`'s, on boards `reader` may see."""
    return list(
        db.session.scalars(
            select(Thread)
            .join(Thread.board)
            .join(Post, Post.id == Thread.solution_post_id)
            .where(
                Post.author_id == person.id,
                board_visibility_clause(reader),
                live_threads(),
                Post.deleted_at.is_(None),
                Post.hidden_at.is_(None),
            )
            .options(joinedload(Thread.board))
            .order_by(Thread.solved_at.desc(), Thread.id.desc())
            .limit(limit)
        )
    )
