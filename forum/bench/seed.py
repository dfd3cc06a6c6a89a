"""`bench seed`: fill an empty database with a realistic forum of N posts, fast.

Rows go in with SQLAlchemy Core `insert()` executemany in batches, straight into every
capability's tables: going through the services one object at a time would take hours at 100k
posts. What the services guarantee is kept by construction (ids follow time, counters match the
rows, one unresolved escalation per thread, people post only where they can read). Bodies are
real Markdown rendered and sanitized by `core.markup`, each distinct body once; the search index
is then rebuilt through the search capability's own rebuild.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager
from itertools import islice
from typing import Any

from sqlalchemy import Table, bindparam, func, inspect, select, text, update
from werkzeug.security import generate_password_hash

from forum.accounts.models import Department, User
from forum.alerts.models import Notification
from forum.bench import shape
from forum.bench.prose import Body, ProseWriter, Vocabulary, document_stems, pick_word
from forum.bench.rows import accounts, boards, escalations, registry
from forum.boards.models import (
    Board,
    BoardModerator,
    BoardWatch,
    Post,
    Reaction,
    Tag,
    Thread,
    ThreadRead,
    ThreadTag,
    ThreadWatch,
)
from forum.core.db import immediate_transactions, utcnow
from forum.core.errors import Conflict
from forum.core.markup import render_markdown
from forum.escalations.models import Escalation, EscalationEvent
from forum.extensions import db
from forum.registry.models import (
    Platform,
    ProfileChange,
    ProfileReview,
    ProfileThreadLink,
    SocialProfile,
)
from forum.registry.services.platforms import ensure_platforms
from forum.search import indexing
from forum.search import services as search_services

USERS = 200
PROFILES = 2_000
ESCALATIONS = 1_000
# Distinct post bodies rendered; above this many posts, bodies repeat (rendering is the slowest
# part of seeding, about a millisecond a body).
BODY_POOL = 20_000
BATCH = 2_000
# Fewer bodies than this render in this process; more are shared out to one process per core.
PARALLEL_RENDER_FROM = 1_000
SEARCH_SHARE = 0.01
COMMON_SHARE = 0.5
# Tables the seed writes with explicit ids; PostgreSQL's sequences are moved past them.
EXPLICIT_IDS = (Department, User, Board, Tag, Thread, Post, SocialProfile, Escalation)
# Any row in these means the database holds someone's data.
CONTENT = (User, Department, Board, Thread, Post, SocialProfile, Escalation, Notification)

Advance = Callable[[int], None]
Stage = Callable[[str, int], AbstractContextManager[Advance]]


def table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


def ensure_empty() -> None:
    """Migrate a database without tables; raise Conflict when it already holds content."""
    if not inspect(db.engine).has_table(table(User).name):
        from flask_migrate import upgrade

        upgrade()  # the schema comes from the migrations, as in production
    held = {
        table(model).name: count
        for model in CONTENT
        if (count := db.session.scalar(select(func.count()).select_from(table(model)))) or 0
    }
    if held:
        listing = ", ".join(f"{count} {name}" for name, count in held.items())
        raise Conflict(
            f"This database already holds data ({listing}): `bench seed` only fills an empty "
            "database. Point DATABASE_URL at a new one."
        )


def _insert(model: Any, rows: Iterable[dict[str, Any]], advance: Advance | None = None) -> int:
    written = 0
    iterator: Iterator[dict[str, Any]] = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        db.session.execute(table(model).insert(), batch)
        written += len(batch)
        if advance is not None:
            advance(len(batch))
    return written


def _render(body: Body) -> str:
    return render_markdown(body.source, mentions=body.mentions)


def render_all(bodies: Sequence[Body], advance: Advance) -> list[str]:
    """Every body's sanitized HTML, in order, through `core.markup` (the app's own pipeline).

    Rendering is most of a seed's own time, so large batches use every core. The processes are
    spawned, not forked: a forked child would share this process's database connections.
    """
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(bodies) < PARALLEL_RENDER_FROM:
        return _collect(map(_render, bodies), advance)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return _collect(pool.map(_render, bodies, chunksize=100), advance)


def _collect(htmls: Iterable[str], advance: Advance) -> list[str]:
    rendered = []
    for html in htmls:
        rendered.append(html)
        advance(1)
    return rendered


def _move_sequences() -> None:
    if db.engine.dialect.name != "postgresql":
        return
    for model in EXPLICIT_IDS:
        name = table(model).name
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
            )
        )


def seed(posts: int, *, stage: Stage, seed_value: int = 2026) -> dict[str, Any]:
    """Write the whole forum in the session (the caller commits) and return the facts the bench
    needs. Raises Conflict when the database is not empty."""
    if posts < 20:
        raise ValueError("Seed at least 20 posts (one thread per 20 posts).")
    with immediate_transactions():
        ensure_empty()
        return _write(posts, stage, seed_value)


def _write(posts: int, stage: Stage, seed_value: int) -> dict[str, Any]:
    rng = random.Random(seed_value)
    now = utcnow().replace(microsecond=0)
    start = now - dt.timedelta(days=365)
    # Its own generator: the vocabulary is the same whatever the size of the forum.
    vocabulary = Vocabulary(random.Random(seed_value))
    staff = shape.people(rng, USERS)
    threads, post_shapes = shape.threads_and_posts(rng, staff, posts=posts, start=start, now=now)
    writer = ProseWriter(rng, vocabulary, [p.handle for p in staff if p.is_active])
    titles = {thread.id: writer.title() for thread in threads}
    bodies = [writer.body() for _ in range(min(posts, BODY_POOL))]

    with stage("Rendering posts", len(bodies)) as advance:
        rendered = render_all(bodies, advance)

    _insert(Department, accounts.departments(start))
    user_rows = accounts.users(rng, staff, generate_password_hash(shape.BENCH_PASSWORD), start)
    covers = [{"person": r["id"], "cover": r.pop("cover_user_id")} for r in user_rows]
    _insert(User, ({**row, "cover_user_id": None} for row in user_rows))
    users = table(User)
    if cover_rows := [c for c in covers if c["cover"] is not None]:
        db.session.execute(
            update(users)
            .where(users.c.id == bindparam("person"))
            .values(cover_user_id=bindparam("cover")),
            cover_rows,
        )
    _insert(Board, boards.boards(start))
    _insert(BoardModerator, boards.moderators(rng, staff, start))
    _insert(Tag, boards.tags())
    thread_rows, pointers = boards.threads(rng, threads, titles, post_shapes)
    _insert(Thread, thread_rows)
    _insert(ThreadTag, boards.thread_tags(rng, threads))
    sources = [body.source for body in bodies]
    with stage("Writing posts", len(post_shapes)) as advance:
        _insert(Post, boards.posts(rng, post_shapes, sources, rendered, now), advance)
    thread_table = table(Thread)
    db.session.execute(
        update(thread_table)
        .where(thread_table.c.id == bindparam("thread"))
        .values(last_post_id=bindparam("last_post"), solution_post_id=bindparam("solution_post")),
        pointers,
    )
    _insert(Reaction, boards.reactions(rng, post_shapes, now))
    _insert(ThreadRead, boards.reads(rng, staff, threads, post_shapes, now))
    thread_watches, board_watches = boards.watches(rng, staff, threads, start)
    _insert(ThreadWatch, thread_watches)
    _insert(BoardWatch, board_watches)
    _insert(Notification, accounts.notifications(rng, staff, post_shapes, titles))

    ensure_platforms()
    platform_ids = dict(db.session.execute(select(Platform.slug, Platform.id)).all())
    profile_rows = registry.profiles(rng, PROFILES, staff, platform_ids, start, now)
    _insert(SocialProfile, profile_rows)
    reviews, changes, links = registry.reviews_changes_links(rng, profile_rows, threads, staff)
    _insert(ProfileReview, reviews)
    _insert(ProfileChange, changes)
    _insert(ProfileThreadLink, links)
    escalation_rows, events = escalations.escalations(
        rng, ESCALATIONS, threads, post_shapes, staff, now
    )
    _insert(Escalation, escalation_rows)
    _insert(EscalationEvent, events)
    _move_sequences()

    long_thread = boards.longest(threads)
    return {
        "posts": len(post_shapes),
        "threads": len(threads),
        "users": len(staff),
        "profiles": len(profile_rows),
        "escalations": len(escalation_rows),
        "long_thread_id": long_thread.id,
        "long_thread_posts": long_thread.size,
        "board_slug": shape.BOARDS[shape.BENCH_BOARD][0],
        **_words(vocabulary, sources, len(post_shapes)),
        "email": shape.BENCH_EMAIL,
        "password": shape.BENCH_PASSWORD,
    }


def _words(vocabulary: Vocabulary, sources: list[str], posts: int) -> dict[str, Any]:
    """The search words: one in about 1% of the posts, one in about half of them."""
    # Post n takes body (n - 1) mod len(sources): the first bodies are used once more.
    base, extra = divmod(posts, len(sources))
    uses = [base + (1 if n < extra else 0) for n in range(len(sources))]
    frequency: dict[str, int] = {}
    cache: dict[str, str] = {}
    for source, used in zip(sources, uses, strict=True):
        for stemmed in document_stems(source, cache):
            frequency[stemmed] = frequency.get(stemmed, 0) + used
    search_word, search_posts = pick_word(vocabulary, frequency, posts, SEARCH_SHARE)
    common_word, common_posts = pick_word(vocabulary, frequency, posts, COMMON_SHARE)
    return {
        "search_word": search_word,
        "search_word_posts": search_posts,
        "common_word": common_word,
        "common_word_posts": common_posts,
    }


def build_index(summary: dict[str, Any], stage: Stage) -> dict[str, Any]:
    """Rebuild the search index from the committed rows, then count what each search word finds
    through the real search service (as the bench admin sees it): matching threads, since
    search lists one result per thread (issue 18)."""
    with stage("Indexing threads", int(summary["threads"])) as advance:
        documents = indexing.rebuild(on_thread=advance)
    admin = db.session.get(User, 1)
    if admin is None:
        raise Conflict("The bench admin is missing: was the database seeded by `bench seed`?")
    hits = {
        f"{key}_hits": search_services.search(admin, q=summary[key]).page.total
        for key in ("search_word", "common_word")
    }
    return {"documents": documents, **hits}


def run(posts: int, *, stage: Stage, seed_value: int = 2026) -> dict[str, Any]:
    """Seed, commit, index; the summary says how long each part took."""
    started = time.perf_counter()
    summary = seed(posts, stage=stage, seed_value=seed_value)
    db.session.commit()
    seeded = time.perf_counter()
    summary.update(build_index(summary, stage))
    db.session.commit()
    finished = time.perf_counter()
    summary["seed_seconds"] = round(seeded - started, 1)
    summary["index_seconds"] = round(finished - seeded, 1)
    summary["seconds"] = round(finished - started, 1)
    return summary
