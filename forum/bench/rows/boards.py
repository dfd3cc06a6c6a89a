"""Rows for boards, tags, threads, posts, reactions, read marks and watches."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from typing import Any

from forum.bench.prose import TAGS
from forum.bench.rows.accounts import board_department
from forum.bench.shape import BOARDS, Person, PostShape, ThreadShape, can_see
from forum.boards.models import PostKind, ReactionKind
from forum.boards.services import slugify

KIND_WEIGHTS = {
    PostKind.WIN: 3,
    PostKind.FAILURE: 2,
    PostKind.FIX: 2,
    PostKind.QUESTION: 4,
    PostKind.STORY: 2,
}
REACTIONS_PER_POST = 0.35
HIDDEN_REASON = "Names a resident; moderators hid it until it is edited."


def boards(start: dt.datetime) -> list[dict[str, Any]]:
    return [
        {
            "id": number,
            "slug": slug,
            "name": name,
            "description": f"{name}: wins, failures, fixes, questions and stories.",
            "department_id": board_department(number - 1),
            "visibility": "staff" if department is None else "department",
            "position": number * 10,
            "created_at": start,
        }
        for number, (slug, name, department, _share) in enumerate(BOARDS, start=1)
    ]


def moderators(rng: random.Random, staff: list[Person], start: dt.datetime) -> list[dict[str, Any]]:
    pairs = set()
    for board in range(len(BOARDS)):
        eligible = [p for p in staff if can_see(p, board) and p.id != 1]
        pairs |= {(board + 1, p.id) for p in rng.sample(eligible, 2)}
    return [{"board_id": b, "user_id": u, "created_at": start} for b, u in sorted(pairs)]


def tags() -> list[dict[str, Any]]:
    return [{"id": number, "name": name} for number, name in enumerate(TAGS, start=1)]


def thread_tags(rng: random.Random, threads: list[ThreadShape]) -> list[dict[str, Any]]:
    weights = [1 / rank for rank in range(1, len(TAGS) + 1)]
    rows = []
    for thread in threads:
        chosen = set(rng.choices(range(1, len(TAGS) + 1), weights=weights, k=rng.randint(0, 3)))
        rows += [{"thread_id": thread.id, "tag_id": tag} for tag in sorted(chosen)]
    return rows


def threads(
    rng: random.Random, shapes: list[ThreadShape], titles: dict[int, str], posts: list[PostShape]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Thread rows (without the post pointers, whose rows do not exist yet) and the updates
    that set them once the posts are written."""
    kinds = list(KIND_WEIGHTS)
    pinned = {rng.choice([t.id for t in shapes if t.board == b] or [0]) for b in range(len(BOARDS))}
    rows, updates = [], []
    for thread in shapes:
        kind = rng.choices(kinds, weights=list(KIND_WEIGHTS.values()))[0]
        last = posts[thread.post_ids[-1] - 1]
        solution = None
        if kind.solvable and len(thread.post_ids) > 1 and rng.random() < 0.5:
            solution = posts[rng.choice(thread.post_ids[1:]) - 1]
        rows.append(
            {
                "id": thread.id,
                "board_id": thread.board + 1,
                "author_id": thread.cast[0].id,
                "kind": kind.value,
                "title": titles[thread.id],
                "slug": slugify(titles[thread.id]),
                "is_pinned": thread.id in pinned,
                "is_locked": rng.random() < 0.01,
                "solution_thread_id": None,
                "solved_at": solution.created_at + dt.timedelta(hours=1) if solution else None,
                "solved_by_id": thread.cast[0].id if solution else None,
                "created_at": thread.created_at,
                "last_activity_at": last.created_at,
                "last_poster_id": last.author.id,
                "post_count": len(thread.post_ids),
            }
        )
        updates.append(
            {
                "thread": thread.id,
                "last_post": last.id,
                "solution_post": solution.id if solution else None,
            }
        )
    return rows, updates


def posts(
    rng: random.Random,
    shapes: Sequence[PostShape],
    sources: Sequence[str],
    rendered: Sequence[str],
    now: dt.datetime,
) -> Iterator[dict[str, Any]]:
    """Post rows in id order; post n takes body (n - 1) mod len(sources). A few are edited,
    deleted or hidden, and some replies quote an earlier post of their thread."""
    for shape in shapes:
        body = (shape.id - 1) % len(sources)
        roll = rng.random()
        edited = roll < 0.03
        deleted = 0.03 <= roll < 0.04
        hidden = 0.04 <= roll < 0.043
        later = min(now, shape.created_at + dt.timedelta(minutes=rng.randint(2, 600)))
        earlier = shape.thread.post_ids[: shape.position]
        yield {
            "id": shape.id,
            "thread_id": shape.thread.id,
            "author_id": shape.author.id,
            "body": sources[body],
            "body_html": rendered[body],
            "reply_to_id": rng.choice(earlier) if earlier and rng.random() < 0.05 else None,
            "created_at": shape.created_at,
            "edited_at": later if edited else None,
            "edited_by_id": shape.author.id if edited else None,
            "deleted_at": later if deleted else None,
            "deleted_by_id": shape.author.id if deleted else None,
            "hidden_at": later if hidden else None,
            "hidden_by_id": 1 if hidden else None,
            "hidden_reason": HIDDEN_REASON if hidden else None,
        }


def reactions(
    rng: random.Random, shapes: Sequence[PostShape], now: dt.datetime
) -> list[dict[str, Any]]:
    kinds = [kind.value for kind in ReactionKind]
    seen: dict[tuple[int, int, str], dict[str, Any]] = {}
    for _ in range(int(len(shapes) * REACTIONS_PER_POST)):
        post = rng.choice(shapes)
        person = rng.choice(post.thread.cast)
        kind = rng.choices(kinds, weights=(5, 2, 3))[0]
        seen[(post.id, person.id, kind)] = {
            "post_id": post.id,
            "user_id": person.id,
            "kind": kind,
            "created_at": min(now, post.created_at + dt.timedelta(minutes=rng.randint(1, 900))),
        }
    return list(seen.values())


def reads(
    rng: random.Random,
    staff: list[Person],
    shapes: list[ThreadShape],
    posts: Sequence[PostShape],
    now: dt.datetime,
) -> list[dict[str, Any]]:
    """Read marks: the cast and some other readers of every thread, mostly read to the end;
    the bench admin has read half the threads, and the long one up to its middle."""
    rows = []
    long_id = longest(shapes).id
    eligible = {b: [p for p in staff if can_see(p, b)] for b in range(len(BOARDS))}
    for thread in shapes:
        readers = set(thread.cast) | set(rng.sample(eligible[thread.board], 8))
        if thread.id == long_id or rng.random() < 0.5:
            readers.add(staff[0])
        for person in sorted(readers, key=lambda p: p.id):
            if person.id == 1 and thread.id == long_id:
                mark = thread.post_ids[len(thread.post_ids) // 2]
            elif rng.random() < 0.65:
                mark = thread.post_ids[-1]
            else:
                mark = rng.choice(thread.post_ids)
            seen = posts[mark - 1].created_at
            rows.append(
                {
                    "user_id": person.id,
                    "thread_id": thread.id,
                    "last_read_post_id": mark,
                    "read_at": min(now, seen + dt.timedelta(minutes=rng.randint(1, 600))),
                }
            )
    return rows


def longest(shapes: list[ThreadShape]) -> ThreadShape:
    return max(shapes, key=lambda t: t.size)


def watches(
    rng: random.Random, staff: list[Person], shapes: list[ThreadShape], start: dt.datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Thread watches (authors watch their threads, as the app does; a few participants too)
    and a handful of board watches."""
    thread_rows = []
    for thread in shapes:
        watchers = {thread.cast[0], *thread.cast[1 : 1 + rng.randint(0, 3)]}
        thread_rows += [
            {"user_id": p.id, "thread_id": thread.id, "created_at": thread.created_at}
            for p in sorted(watchers, key=lambda p: p.id)
        ]
    board_pairs = set()
    for _ in range(15):
        board = rng.randrange(len(BOARDS))
        person = rng.choice([p for p in staff if can_see(p, board)])
        board_pairs.add((person.id, board + 1))
    board_rows = [{"user_id": u, "board_id": b, "created_at": start} for u, b in board_pairs]
    return thread_rows, board_rows
