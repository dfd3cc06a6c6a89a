"""The "most helpful" order of search results, read from the database at each search (marks
change without touching the index, so this order is never cached)."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from forum.boards.models import Post, Reaction, ReactionKind, Thread
from forum.extensions import db

# Up to this many threads, the queries name them; beyond it, one pass over every solved thread
# and every helpful mark is cheaper than long IN lists.
BY_ID_MAX = 500


def most_helpful_first(thread_ids: list[int]) -> list[int]:
    """`thread_ids` (in relevance order) reordered: threads with an accepted solution first,
    then by the number of `helpful` marks on their visible posts, ties kept in relevance order.
    Only the order changes: the caller has already checked that the reader may see them all."""
    if len(thread_ids) < 2:
        return thread_ids
    by_id = len(thread_ids) <= BY_ID_MAX
    solved_query = select(Thread.id).where(
        or_(Thread.solution_post_id.is_not(None), Thread.solution_thread_id.is_not(None))
    )
    marks_query = (
        select(Post.thread_id, func.count(Reaction.id))
        .join(Reaction, Reaction.post_id == Post.id)
        .where(
            Reaction.kind == ReactionKind.HELPFUL,
            Post.deleted_at.is_(None),
            Post.hidden_at.is_(None),
        )
        .group_by(Post.thread_id)
    )
    if by_id:
        solved_query = solved_query.where(Thread.id.in_(thread_ids))
        marks_query = marks_query.where(Post.thread_id.in_(thread_ids))
    solved = set(db.session.scalars(solved_query))
    marks = {thread_id: int(count) for thread_id, count in db.session.execute(marks_query)}
    # sorted() is stable: equal threads keep their relevance order.
    return sorted(thread_ids, key=lambda t: (t not in solved, -marks.get(t, 0)))
