"""Fixed-data factories for insights tests: rows built directly with the models, explicit times."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from forum.accounts.models import Department, User
from forum.boards.models import (
    Board,
    BoardModerator,
    Post,
    PostKind,
    Reaction,
    ReactionKind,
    Thread,
    ThreadRead,
)
from forum.escalations.models import Escalation, EscalationEvent, EventKind, Urgency
from forum.extensions import db
from forum.registry.models import Platform, ProfilePurpose, ProfileStatus, SocialProfile

_sequence = itertools.count(1)


def at(day: int, hour: int = 0, minute: int = 0, *, month: int = 3) -> dt.datetime:
    """A UTC moment in 2026 (March by default): short to write in hand-computed fixtures."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


def make_board(department: Department | None = None, **overrides: Any) -> Board:
    n = next(_sequence)
    board = Board(
        slug=f"board-{n}",
        name=overrides.pop("name", f"Board {n}"),
        department_id=department.id if department else None,
        **overrides,
    )
    db.session.add(board)
    db.session.flush()
    return board


def make_thread(
    author: User,
    created_at: dt.datetime,
    *,
    kind: PostKind = PostKind.QUESTION,
    board: Board | None = None,
    title: str | None = None,
) -> Thread:
    """A thread and its opening post, both written at `created_at`."""
    board = board or make_board()
    n = next(_sequence)
    thread = Thread(
        board_id=board.id,
        author_id=author.id,
        kind=kind.value,
        title=title or f"Thread {n}",
        slug=f"thread-{n}",
        created_at=created_at,
        last_activity_at=created_at,
        post_count=0,
    )
    db.session.add(thread)
    db.session.flush()
    make_post(thread, author, created_at)
    return thread


def first_post(thread: Thread) -> Post:
    post = db.session.scalars(
        db.select(Post).where(Post.thread_id == thread.id).order_by(Post.id)
    ).first()
    assert post is not None
    return post


def make_post(
    thread: Thread,
    author: User,
    created_at: dt.datetime,
    *,
    deleted: bool = False,
    hidden: bool = False,
) -> Post:
    post = Post(
        thread_id=thread.id,
        author_id=author.id,
        body="text",
        body_html="<p>text</p>",
        created_at=created_at,
        deleted_at=created_at if deleted else None,
        hidden_at=created_at if hidden else None,
    )
    db.session.add(post)
    db.session.flush()
    return post


def solve(thread: Thread, post: Post, solved_at: dt.datetime) -> None:
    thread.solution_post_id = post.id
    thread.solved_at = solved_at
    db.session.flush()


def react(
    user: User, post: Post, created_at: dt.datetime, kind: ReactionKind = ReactionKind.HELPFUL
) -> Reaction:
    reaction = Reaction(post_id=post.id, user_id=user.id, kind=kind.value, created_at=created_at)
    db.session.add(reaction)
    db.session.flush()
    return reaction


def read(user: User, thread: Thread, read_at: dt.datetime) -> ThreadRead:
    mark = ThreadRead(user_id=user.id, thread_id=thread.id, last_read_post_id=0, read_at=read_at)
    db.session.add(mark)
    db.session.flush()
    return mark


def moderate(user: User, board: Board, since: dt.datetime) -> BoardModerator:
    link = BoardModerator(board_id=board.id, user_id=user.id, created_at=since)
    db.session.add(link)
    db.session.flush()
    return link


def make_platform(name: str = "Mastodon") -> Platform:
    platform = Platform(slug=f"{name.lower()}-{next(_sequence)}", name=name)
    db.session.add(platform)
    db.session.flush()
    return platform


def make_profile(
    platform: Platform,
    department: Department,
    *,
    created_at: dt.datetime,
    owner: User | None = None,
    backup: User | None = None,
    status: ProfileStatus = ProfileStatus.ACTIVE,
    last_reviewed_at: dt.datetime | None = None,
    purpose: ProfilePurpose = ProfilePurpose.BUSINESS_AS_USUAL,
    ends_on: dt.date | None = None,
    activity_note: str = "",
    review_interval_months: int = 6,
) -> SocialProfile:
    n = next(_sequence)
    profile = SocialProfile(
        platform_id=platform.id,
        handle=f"@p{n}",
        handle_key=f"p{n}",
        url=f"https://example.social/@p{n}",
        canonical_url=f"https://example.social/@p{n}",
        display_name=f"Profile {n}",
        department_id=department.id,
        purpose=purpose.value,
        ends_on=ends_on,
        owner_id=owner.id if owner else None,
        backup_owner_id=backup.id if backup else None,
        status=status.value,
        activity_note=activity_note,
        review_interval_months=review_interval_months,
        last_reviewed_at=last_reviewed_at,
        created_at=created_at,
        updated_at=created_at,
    )
    db.session.add(profile)
    db.session.flush()
    return profile


def make_escalation(
    thread: Thread,
    created_at: dt.datetime,
    *,
    urgency: Urgency = Urgency.ROUTINE,
    department: Department | None = None,
    acknowledged_at: dt.datetime | None = None,
    resolved_at: dt.datetime | None = None,
    climbs: int = 0,
) -> Escalation:
    state = "resolved" if resolved_at else "acknowledged" if acknowledged_at else "open"
    escalation = Escalation(
        thread_id=thread.id,
        department_id=department.id if department else None,
        reason="needs a senior",
        urgency=urgency.value,
        state=state,
        created_at=created_at,
        updated_at=created_at,
        acknowledged_at=acknowledged_at,
        resolved_at=resolved_at,
    )
    db.session.add(escalation)
    db.session.flush()
    for step in range(climbs):
        db.session.add(
            EscalationEvent(
                escalation_id=escalation.id,
                kind=EventKind.CLIMBED.value,
                created_at=created_at + dt.timedelta(minutes=step + 1),
                details={"level": step + 2},
            )
        )
    db.session.flush()
    return escalation
