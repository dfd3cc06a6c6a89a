"""In-process cost of posting a reply: SQL statements and milliseconds per reply (issue 11).

    python bench/profile_reply.py --db /tmp/reply-bench/bench.db --replies 60 --watchers 20
    python bench/profile_reply.py --db ... --path page --profile /tmp/reply.txt

The database is a SQLite file seeded by `flask --app wsgi bench seed` (or `bench/run.py
--seed-only`). It is copied to a scratch file next to it first, so every run starts from the
same data and the seeded file is never written. The script then gives a thread `--watchers`
extra watchers, and posts `--replies` replies through the Flask test client (the API with a
bearer token, or the page form signed in), after a few warm-up replies. Bodies are prose from
the bench's generator, @mentioning real people, or `--body` for a fixed one. It prints the
statements and milliseconds per reply (median, min, max); `--profile` writes a pyinstrument
text profile of the measured replies (pip install -e '.[bench]'). Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def scratch_copy(db: Path) -> Path:
    """A copy of the seeded database (and its WAL) to write on."""
    target = db.with_name(db.stem + "-scratch" + db.suffix)
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
        source = Path(str(db) + suffix)
        if source.exists():
            shutil.copyfile(source, Path(str(target) + suffix))
    return target


def make_app(url: str, instance: Path) -> Any:
    from forum import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(instance),
            "SEARCH_INDEX_DIR": str(instance / "search-index"),
            "SECRET_KEY": "bench-secret-key",
            "FORUM_ENV": "production",
            "FORUM_BASE_URL": "http://127.0.0.1",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


def setup(app: Any, watchers: int) -> tuple[str, str, int, list[str]]:
    """A member's email and API token, a thread on a staff board with `watchers` extra
    watchers, and the @handles of the forum's people."""
    from sqlalchemy import select

    from forum.accounts import services as accounts
    from forum.accounts.models import Role, User
    from forum.boards.models import Board, Thread, ThreadWatch
    from forum.extensions import db

    with app.app_context():
        people = list(
            db.session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.id))
        )
        member = next(p for p in people if p.role == Role.MEMBER)
        _row, token = accounts.create_api_token(member, "bench/profile_reply.py")
        thread_id = db.session.scalar(
            select(Thread.id)
            .join(Board)
            .where(Board.visibility == "staff", Thread.is_locked.is_(False))
            .order_by(Thread.post_count, Thread.id)
            .limit(1)
        )
        assert thread_id is not None
        already = set(
            db.session.scalars(
                select(ThreadWatch.user_id).where(ThreadWatch.thread_id == thread_id)
            )
        )
        extra = [p for p in people if p.id not in already and p.id != member.id][:watchers]
        for person in extra:
            db.session.add(ThreadWatch(user_id=person.id, thread_id=thread_id))
        handles = [p.email.split("@", 1)[0] for p in people]
        db.session.commit()
        email = member.email
        db.session.remove()
    return email, token, thread_id, handles


def bodies(handles: list[str], count: int, fixed: str | None) -> list[str]:
    if fixed is not None:
        return [fixed] * count
    from forum.bench.prose import ProseWriter, Vocabulary

    writer = ProseWriter(random.Random(8), Vocabulary(random.Random(2026)), handles)
    return [writer.body().source for _ in range(count)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="seeded SQLite file (not written)")
    parser.add_argument("--replies", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--watchers", type=int, default=0, help="extra watchers of the thread")
    parser.add_argument("--path", choices=("api", "page"), default="api")
    parser.add_argument("--body", help="a fixed body instead of prose with @mentions")
    parser.add_argument("--profile", type=Path, help="write a pyinstrument text profile here")
    args = parser.parse_args(argv)

    from sqlalchemy import event

    from forum.extensions import db

    scratch = scratch_copy(args.db)
    instance = args.db.parent / "instance-profile"
    instance.mkdir(exist_ok=True)
    app = make_app(f"sqlite:///{scratch}", instance)
    email, token, thread_id, handles = setup(app, args.watchers)
    texts = bodies(handles, args.warmup + args.replies, args.body)
    client = app.test_client()
    if args.path == "page":
        # Every bench person's password (forum.bench.seed).
        from forum.bench.shape import BENCH_PASSWORD

        signed_in = client.post("/login", data={"email": email, "password": BENCH_PASSWORD})
        assert signed_in.status_code == 302, signed_in.status_code

    def reply(text: str) -> None:
        if args.path == "api":
            response = client.post(
                f"/api/v1/threads/{thread_id}/posts",
                json={"body": text},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 201, (response.status_code, response.get_data()[:300])
        else:
            response = client.post(f"/t/{thread_id}/reply", data={"body": text})
            assert response.status_code == 302, (response.status_code, response.get_data()[:300])

    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    for text in texts[: args.warmup]:
        reply(text)
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    counts: list[int] = []
    times: list[float] = []
    event.listen(engine, "before_cursor_execute", record)
    try:
        for text in texts[args.warmup :]:
            seen.clear()
            if profiler is not None:
                profiler.start()
            started = time.perf_counter()
            reply(text)
            times.append((time.perf_counter() - started) * 1000)
            if profiler is not None:
                profiler.stop()
            counts.append(len(seen))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    last = list(seen)
    print(
        f"{args.path} replies: {len(times)}, extra watchers: {args.watchers}, "
        f"body: {'fixed' if args.body else 'prose with @mentions'}"
    )
    print(
        f"SQL statements per reply: median {statistics.median(counts)}, "
        f"min {min(counts)}, max {max(counts)}"
    )
    print(
        f"ms per reply: median {statistics.median(times):.1f}, "
        f"min {min(times):.1f}, max {max(times):.1f}"
    )
    if args.profile and profiler is not None:
        args.profile.write_text(profiler.output_text(unicode=True, show_all=False))
        print(f"profile: {args.profile}")
        statements = args.profile.with_suffix(".sql")
        statements.write_text("\n\n".join(" ".join(s.split()) for s in last) + "\n")
        print(f"statements of the last reply: {statements}")


if __name__ == "__main__":
    main()
