"""Demo boards full of a council digital team's wins, failures, fixes, questions and stories."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from forum.accounts import services as account_services
from forum.accounts.demo import demo_email
from forum.accounts.models import User
from forum.boards import services
from forum.boards.demo_content import BOARDS, THREADS, DemoThread
from forum.boards.models import Board, BoardVisibility, Post, Thread
from forum.core.db import utcnow
from forum.extensions import db


def _user(local: str) -> User | None:
    return account_services.user_by_email(demo_email(local))


def _ensure_boards(admin: User) -> tuple[dict[str, Board], int]:
    boards: dict[str, Board] = {}
    created = 0
    for slug, name, description, department_slug, position, moderators in BOARDS:
        board = services.board_by_slug(slug)
        if board is None:
            department = (
                account_services.department_by_slug(department_slug) if department_slug else None
            )
            if department_slug and department is None:
                continue
            board = services.create_board(
                admin,
                slug=slug,
                name=name,
                description=description,
                visibility=BoardVisibility.DEPARTMENT if department else BoardVisibility.STAFF,
                department=department,
                position=position,
            )
            people = [u for u in (_user(m) for m in moderators) if u is not None]
            if people:
                services.set_moderators(admin, board, people)
            created += 1
        boards[slug] = board
    return boards, created


def _seed_thread(spec: DemoThread, board: Board, now: dt.datetime) -> int:
    author = _user(spec.author)
    if author is None:
        return 0
    at = now - dt.timedelta(days=spec.days_ago)
    thread = services.create_thread(
        board,
        author=author,
        kind=spec.kind,
        title=spec.title,
        body=spec.body,
        tags=spec.tags,
        now=at,
    )
    replies: list[Post] = []
    for local, body, hours in spec.replies:
        replier = _user(local)
        if replier is None or not services.can_see_board(replier, board):
            continue
        at = min(at + dt.timedelta(hours=hours), now)
        replies.append(services.add_post(thread, author=replier, body=body, now=at))
    for index, people in spec.helpful.items():
        if index < len(replies):
            for local in people:
                person = _user(local)
                if person is not None and person.id != replies[index].author_id:
                    services.toggle_reaction(replies[index], user=person, kind="helpful", now=at)
    if spec.solution is not None and spec.solution[0] < len(replies):
        marker = _user(spec.solution[1])
        if marker is not None:
            services.mark_solution(thread, actor=marker, post=replies[spec.solution[0]], now=at)
    if spec.pinned:
        admin = _user("admin")
        if admin is not None:
            services.set_pinned(thread, actor=admin, pinned=True)
    return 1


def _link_fix(title: str, fix_title: str) -> None:
    """Mark a failure solved by a separate fix thread (the bank holiday bins story)."""
    failure = db.session.scalar(select(Thread).where(Thread.title == title))
    fix = db.session.scalar(select(Thread).where(Thread.title == fix_title))
    if failure is not None and fix is not None and not failure.is_solved:
        services.mark_solution(failure, actor=failure.author, solution_thread=fix)


def seed() -> str:
    """Boards and threads; boards that exist are kept, threads only go on empty boards."""
    admin = _user("admin")
    if admin is None:
        return "boards skipped (no demo admin)"
    now = utcnow()
    with services.notifications_suppressed():
        boards, created_boards = _ensure_boards(admin)
        counts = dict(
            db.session.execute(
                select(Thread.board_id, func.count(Thread.id)).group_by(Thread.board_id)
            ).all()
        )
        fresh = {slug for slug, board in boards.items() if not counts.get(board.id)}
        created_threads = sum(
            _seed_thread(spec, boards[spec.board], now) for spec in THREADS if spec.board in fresh
        )
        _link_fix(
            "Bank holiday bin collection post went out with last year's dates",
            "Fix: two-person check for any post with a date in it",
        )
        # One edited post, so the revision history has something to show.
        readme = db.session.scalar(
            select(Thread).where(Thread.title == "How to use these boards (read me first)")
        )
        if readme is not None and created_threads:
            opening = readme.posts[0]
            services.edit_post(
                opening,
                editor=admin,
                body=opening.body + "\n\nQuestions about the boards themselves? Ask on this board.",
                now=now,
            )
    db.session.flush()
    return f"{created_boards} boards, {created_threads} threads"
