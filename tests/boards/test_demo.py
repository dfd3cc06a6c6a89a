"""The boards demo data: believable, complete and idempotent."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from forum.accounts.demo import seed as seed_accounts
from forum.boards import demo
from forum.boards.models import Board, BoardVisibility, Post, PostKind, Thread
from forum.extensions import db


def test_demo_boards_have_every_kind_solved_questions_and_replies(app: Flask) -> None:
    seed_accounts()
    summary = demo.seed()
    db.session.commit()
    assert summary == f"{len(demo.BOARDS)} boards, {len(demo.THREADS)} threads"
    kinds = set(db.session.scalars(select(Thread.kind)))
    assert kinds == {k.value for k in PostKind}
    solved = db.session.scalars(
        select(Thread).where(
            (Thread.solution_post_id.is_not(None)) | (Thread.solution_thread_id.is_not(None))
        )
    ).all()
    assert len(solved) >= 4
    assert any(t.solution_thread_id for t in solved)
    assert (db.session.scalar(select(func.count(Post.id))) or 0) > 2 * len(demo.THREADS)
    assert (
        db.session.scalar(
            select(func.count(Board.id)).where(Board.visibility == BoardVisibility.DEPARTMENT)
        )
        == 3
    )
    assert "hijack" in " ".join(db.session.scalars(select(Thread.title))).lower()

    assert demo.seed() == "0 boards, 0 threads"
    db.session.commit()
    assert db.session.scalar(select(func.count(Thread.id))) == len(demo.THREADS)
