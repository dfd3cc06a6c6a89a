"""The engagement ladder: each person's highest rung in a period, and movement between periods."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, select, union_all
from sqlalchemy.orm import aliased

from forum.accounts.models import User
from forum.boards.models import BoardModerator, Post, Reaction, Thread, ThreadRead
from forum.extensions import db
from forum.insights.metrics.period import Period
from forum.insights.metrics.posts import visible_post


class Rung(enum.IntEnum):
    """Rungs from the lowest: a person counts at the highest one they reached in a period."""

    READING = 1
    REACTING = 2
    REPLYING = 3
    POSTING = 4
    HELPING = 5
    LEADING = 6

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def label(self) -> str:
        return {
            1: "Reading",
            2: "Reacting",
            3: "Replying",
            4: "Posting",
            5: "Helping others to a solution",
            6: "Leading a board",
        }[self.value]


@dataclass
class Ladder:
    """People per rung now and in the previous period, and how people moved between them."""

    current: dict[Rung, int]
    previous: dict[Rung, int]
    # (rung in the previous period or None, rung now or None) -> people
    transitions: dict[tuple[Rung | None, Rung | None], int]

    def _count(self, test: Any) -> int:
        return sum(n for (before, after), n in self.transitions.items() if test(before, after))

    @property
    def moved_up(self) -> int:
        return self._count(lambda b, a: b is not None and a is not None and a > b)

    @property
    def moved_down(self) -> int:
        return self._count(lambda b, a: b is not None and a is not None and a < b)

    @property
    def stayed(self) -> int:
        return self._count(lambda b, a: b is not None and a is not None and a == b)

    @property
    def joined(self) -> int:
        return self._count(lambda b, a: b is None and a is not None)

    @property
    def dropped_off(self) -> int:
        return self._count(lambda b, a: b is not None and a is None)


def engagement_ladder(period: Period, department_id: int | None = None) -> Ladder:
    """Each person's highest rung in `period` and in the equally long period before it.

    Rungs: reading (a thread read), reacting (a reaction given), replying (a visible post that is
    not a thread's opening post), posting (a thread started), helping (wrote the post, or started
    the fix thread, that solved someone else's thread, counted when it was marked solved) and
    leading (moderates a board: counted in every period that ends after they became one).
    One GROUP BY query; people with no activity in either period are not counted.
    """
    before = period.previous()
    span_start, span_end, cut = before.starts_at, period.ends_at, period.starts_at

    def tagged(user_id: Any, rung: Rung, when: Any) -> Any:
        is_current = case((when >= cut, 1), else_=0)
        return select(
            user_id.label("user_id"),
            literal(int(rung)).label("rung"),
            is_current.label("is_current"),
        ).where(when >= span_start, when < span_end)

    earlier = aliased(Post)
    solved = aliased(Thread)
    fix = aliased(Thread)
    sources = [
        tagged(ThreadRead.user_id, Rung.READING, ThreadRead.read_at),
        tagged(Reaction.user_id, Rung.REACTING, Reaction.created_at),
        tagged(Post.author_id, Rung.REPLYING, Post.created_at).where(
            visible_post(),
            exists().where(earlier.thread_id == Post.thread_id, earlier.id < Post.id),
        ),
        tagged(Thread.author_id, Rung.POSTING, Thread.created_at),
        tagged(Post.author_id, Rung.HELPING, solved.solved_at).join(
            solved, and_(solved.solution_post_id == Post.id, solved.author_id != Post.author_id)
        ),
        tagged(fix.author_id, Rung.HELPING, solved.solved_at)
        .select_from(fix)
        .join(solved, and_(solved.solution_thread_id == fix.id, solved.author_id != fix.author_id)),
        # Moderators lead in the current period and, if they already did then, the previous.
        select(
            BoardModerator.user_id.label("user_id"),
            literal(int(Rung.LEADING)).label("rung"),
            literal(1).label("is_current"),
        ).where(BoardModerator.created_at < span_end),
        select(
            BoardModerator.user_id.label("user_id"),
            literal(int(Rung.LEADING)).label("rung"),
            literal(0).label("is_current"),
        ).where(BoardModerator.created_at < cut),
    ]
    activity = union_all(*sources).subquery()
    per_person = select(
        activity.c.user_id,
        func.max(case((activity.c.is_current == 1, activity.c.rung), else_=0)).label("now"),
        func.max(case((activity.c.is_current == 0, activity.c.rung), else_=0)).label("before"),
    ).group_by(activity.c.user_id)
    if department_id is not None:
        per_person = per_person.join(User, User.id == activity.c.user_id).where(
            User.department_id == department_id
        )
    people = per_person.subquery()
    rows = db.session.execute(
        select(people.c.before, people.c.now, func.count()).group_by(people.c.before, people.c.now)
    ).all()
    current = dict.fromkeys(Rung, 0)
    previous = dict.fromkeys(Rung, 0)
    transitions: dict[tuple[Rung | None, Rung | None], int] = {}
    for before_value, now_value, count in rows:
        was = Rung(before_value) if before_value else None
        is_ = Rung(now_value) if now_value else None
        transitions[(was, is_)] = transitions.get((was, is_), 0) + count
        if is_ is not None:
            current[is_] += count
        if was is not None:
            previous[was] += count
    return Ladder(current=current, previous=previous, transitions=transitions)
