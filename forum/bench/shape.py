"""The shape of a benchmark forum, decided before any row is written: people, boards, threads
with a long-tailed spread of sizes, and every post's thread, author and time (no database)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from forum.accounts.models import Role
from forum.bench.prose import FIRST_NAMES, LAST_NAMES

BENCH_EMAIL = "bench@example.org"
BENCH_PASSWORD = "bench-password-2026"  # noqa: S105  (a documented, throwaway benchmark login)
LONG_THREAD_POSTS = 1_600
# No other thread grows past this, so the long thread stays the longest.
MAX_THREAD_POSTS = 1_000

DEPARTMENTS = [
    ("communications", "Communications"),
    ("housing", "Housing"),
    ("libraries", "Libraries"),
    ("parks", "Parks and Leisure"),
    ("revenues", "Revenues and Benefits"),
    ("waste", "Waste and Recycling"),
    ("digital", "Digital Services"),
    ("planning", "Planning and Building Control"),
]

# (slug, name, department index for department-only boards, share of threads)
BOARDS = [
    ("social-media", "Social media", None, 0.26),
    ("campaigns", "Campaigns and launches", None, 0.14),
    ("customer-service", "Customer service online", None, 0.12),
    ("tools-and-tips", "Tools and tips", None, 0.11),
    ("accessibility", "Accessibility", None, 0.08),
    ("web-and-data", "Web and data", None, 0.08),
    ("events", "Events", None, 0.05),
    ("start-here", "Start here", None, 0.03),
    ("comms-team", "Communications team", 0, 0.08),
    ("housing-team", "Housing team", 1, 0.05),
]
# The board the bench reads: the busiest one everybody can see; the long thread lives on it.
BENCH_BOARD = 0


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str
    role: Role
    department: int  # index into DEPARTMENTS
    is_active: bool
    # Relative posting activity: a few people write most posts.
    weight: float

    @property
    def handle(self) -> str:
        return self.email.split("@", 1)[0]

    @property
    def sees_every_board(self) -> bool:
        return self.role in (Role.SENIOR, Role.ADMIN)


@dataclass
class ThreadShape:
    id: int
    board: int  # index into BOARDS
    created_at: dt.datetime
    size: int
    # The people who take part (the first one opened it); replies mostly come from them.
    cast: list[Person]
    post_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class PostShape:
    id: int
    thread: ThreadShape
    position: int  # 0 for the opening post
    author: Person
    created_at: dt.datetime


def people(rng: random.Random, count: int) -> list[Person]:
    """The bench admin first, then staff with Zipf-like activity and a realistic role mix."""
    found = [Person(1, BENCH_EMAIL, "Bench Admin", Role.ADMIN, 6, True, 1.0)]
    names = [(first, last) for last in LAST_NAMES for first in FIRST_NAMES]
    rng.shuffle(names)
    for index, (first, last) in enumerate(names[: count - 1], start=2):
        roll = rng.random()
        role = (
            Role.ADMIN
            if roll < 0.02
            else Role.SENIOR
            if roll < 0.10
            else Role.ENTHUSIAST
            if roll < 0.25
            else Role.MEMBER
        )
        found.append(
            Person(
                id=index,
                email=f"{first}.{last}@example.org",
                name=f"{first.capitalize()} {last.capitalize()}",
                role=role,
                department=rng.randrange(len(DEPARTMENTS)),
                is_active=rng.random() > 0.03,
                weight=1 / (index - 1) ** 0.8,
            )
        )
    return found


def can_see(person: Person, board: int) -> bool:
    department = BOARDS[board][2]
    return department is None or person.sees_every_board or person.department == department


def thread_sizes(rng: random.Random, posts: int, threads: int) -> list[int]:
    """Posts per thread, summing to `posts`: the first is the long thread (1,600 posts when
    there are enough), the rest long-tailed (Pareto) with at least one post each."""
    long = min(LONG_THREAD_POSTS, max(1, posts // 2)) if threads > 1 else posts
    rest = threads - 1
    if rest == 0:
        return [long]
    budget = posts - long
    weights = [rng.paretovariate(1.3) for _ in range(rest)]
    scale = (budget - rest) / sum(weights)
    sizes = [min(MAX_THREAD_POSTS, 1 + int(weight * scale)) for weight in weights]
    # Rounding and the cap leave a difference; settle it one post at a time on random threads.
    difference = budget - sum(sizes)
    while difference:
        index = rng.randrange(rest)
        if difference > 0 and sizes[index] < MAX_THREAD_POSTS:
            sizes[index] += 1
            difference -= 1
        elif difference < 0 and sizes[index] > 1:
            sizes[index] -= 1
            difference += 1
    return [long, *sizes]


def _weighted(rng: random.Random, group: list[Person], count: int) -> list[Person]:
    return rng.choices(group, weights=[p.weight for p in group], k=count)


def threads_and_posts(
    rng: random.Random,
    staff: list[Person],
    *,
    posts: int,
    start: dt.datetime,
    now: dt.datetime,
) -> tuple[list[ThreadShape], list[PostShape]]:
    """N/20 threads over a year and their posts; ids follow time, as they do in a real forum."""
    count = max(1, posts // 20)
    sizes = thread_sizes(rng, posts, count)
    year = (now - start).total_seconds()
    shares = [board[3] for board in BOARDS]
    readers = {b: [p for p in staff if can_see(p, b)] for b in range(len(BOARDS))}
    threads: list[ThreadShape] = []
    timeline: list[tuple[dt.datetime, int, int, Person]] = []
    for index, size in enumerate(sizes):
        is_long = index == 0
        board = BENCH_BOARD if is_long else rng.choices(range(len(BOARDS)), weights=shares)[0]
        opened = start + dt.timedelta(
            seconds=year * (0.01 if is_long else rng.random() ** 0.7 * 0.995)
        )
        cast = _weighted(rng, readers[board], 40 if is_long else 2 + min(10, size // 3))
        thread = ThreadShape(0, board, opened, size, list(dict.fromkeys(cast)))
        threads.append(thread)
        # Replies follow at exponential gaps; the long thread runs all year.
        mean_gap = (now - opened).total_seconds() / (size + 1) if is_long else 3 * 3600.0
        moment = opened
        for position in range(size):
            if position:
                gap = max(1.0, rng.expovariate(1 / mean_gap))
                moment = min(now, moment + dt.timedelta(seconds=gap))
            if position == 0:
                author = thread.cast[0]
            elif rng.random() < 0.85:
                author = rng.choice(thread.cast)
            else:
                author = _weighted(rng, readers[board], 1)[0]
            timeline.append((moment, index, position, author))
    for number, thread in enumerate(sorted(threads, key=lambda t: t.created_at), start=1):
        thread.id = number
    timeline.sort(key=lambda entry: (entry[0], threads[entry[1]].id, entry[2]))
    shaped: list[PostShape] = []
    for number, (moment, index, position, author) in enumerate(timeline, start=1):
        thread = threads[index]
        thread.post_ids.append(number)
        shaped.append(PostShape(number, thread, position, author, moment))
    threads.sort(key=lambda t: t.id)
    return threads, shaped
