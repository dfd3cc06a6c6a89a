"""Benchmark the insights dashboard and API at ~100k posts, over real HTTP.

    # 1. seed a database (SQLite file or PostgreSQL) with ~100k posts and the rest
    DATABASE_URL=sqlite:////tmp/bench.db python bench/insights_bench.py seed
    # 2. start a server against it (any way you like), e.g.
    DATABASE_URL=sqlite:////tmp/bench.db SECRET_KEY=bench gunicorn -w 2 -b 127.0.0.1:8077 wsgi:app
    # 3. time /insights (signed in through /login) and /api/v1/insights
    python bench/insights_bench.py measure --base-url http://127.0.0.1:8077 --token <printed>

    # or all three in one go (starts and stops its own gunicorn):
    DATABASE_URL=... python bench/insights_bench.py all

Seeding writes rows with bulk INSERTs (explicit ids, timestamps spread over the past year);
running it again on a seeded database does nothing. A fresh benchmark database is migrated to
the latest revision first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_EMAIL = "bench-admin@example.org"
ADMIN_PASSWORD = "bench-password-2026"  # noqa: S105  (a throwaway benchmark account)
TOKEN_FILE = Path(tempfile.gettempdir()) / "forum-insights-bench-token"

POSTS = 100_000
THREADS = 13_000
USERS = 400
DEPARTMENTS = 8
BOARDS = 16
BATCH = 5_000


def _app(database_url: str) -> Any:
    from forum import create_app

    return create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": "bench-secret", "FORUM_ENV": "development"}
    )


def seed(database_url: str) -> str:
    """Seed ~100k posts and related rows; returns the bench admin's API token."""
    from sqlalchemy import bindparam, func, insert, inspect, select, text
    from werkzeug.security import generate_password_hash

    import forum.capabilities  # noqa: F401  (every model registered)
    from forum.accounts import services as account_services
    from forum.accounts.models import Department, Role, User
    from forum.boards.models import (
        Board,
        BoardModerator,
        Post,
        PostKind,
        Reaction,
        Thread,
        ThreadRead,
    )
    from forum.core.db import immediate_transactions
    from forum.escalations.models import Escalation, EscalationEvent
    from forum.extensions import db
    from forum.registry.models import Platform, SocialProfile
    from forum.registry.services.platforms import ensure_platforms

    app = _app(database_url)
    rng = random.Random(7)
    with app.app_context(), immediate_transactions():
        if not inspect(db.engine).has_table("posts"):
            from flask_migrate import upgrade

            upgrade()  # the schema comes from the migrations, as in production
        admin = account_services.user_by_email(ADMIN_EMAIL)
        if (
            admin is not None
            and (db.session.scalar(select(func.count()).select_from(Post)) or 0) >= POSTS
        ):
            print("already seeded")
            return _token(admin)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        start = now - dt.timedelta(days=365)

        def when(day_from: dt.datetime = start) -> dt.datetime:
            span = (now - day_from).total_seconds()
            return day_from + dt.timedelta(seconds=rng.random() * span)

        def next_id(model: Any) -> int:
            return int(db.session.scalar(select(func.max(model.id))) or 0) + 1

        def bulk(model: Any, rows: list[dict[str, Any]]) -> None:
            for i in range(0, len(rows), BATCH):
                db.session.execute(insert(model), rows[i : i + BATCH])

        first_department = next_id(Department)
        bulk(
            Department,
            [
                {
                    "id": first_department + i,
                    "slug": f"bench-{first_department + i}",
                    "name": f"Bench department {first_department + i}",
                    "created_at": start,
                }
                for i in range(DEPARTMENTS)
            ],
        )
        departments = list(range(first_department, first_department + DEPARTMENTS))
        password_hash = generate_password_hash(ADMIN_PASSWORD)
        first_user = next_id(User)
        users = []
        for i in range(USERS):
            roll = rng.random()
            role = (
                Role.ADMIN
                if i == 0
                else Role.SENIOR
                if roll < 0.06
                else Role.ENTHUSIAST
                if roll < 0.16
                else Role.MEMBER
            )
            users.append(
                {
                    "id": first_user + i,
                    "email": ADMIN_EMAIL if i == 0 else f"bench{first_user + i}@example.org",
                    "display_name": f"Bench person {first_user + i}",
                    "role": role.value,
                    "department_id": rng.choice(departments),
                    "is_active": rng.random() > 0.03,
                    "password_hash": password_hash,
                    "session_token": secrets.token_hex(16),
                    "created_at": start,
                    "email_preference": "off",
                }
            )
        users[0]["is_active"] = True
        bulk(User, users)
        user_ids = [u["id"] for u in users]
        seniors = [u["id"] for u in users if u["role"] in ("senior", "admin")]

        first_board = next_id(Board)
        bulk(
            Board,
            [
                {
                    "id": first_board + i,
                    "slug": f"bench-board-{first_board + i}",
                    "name": f"Bench board {i}",
                    "description": "",
                    "department_id": rng.choice(departments) if i % 3 == 0 else None,
                    "visibility": "department" if i % 5 == 0 else "staff",
                    "position": i,
                    "created_at": start,
                }
                for i in range(BOARDS)
            ],
        )
        boards = list(range(first_board, first_board + BOARDS))
        bulk(
            BoardModerator,
            [
                {"board_id": board, "user_id": user, "created_at": when()}
                for board, user in {(rng.choice(boards), rng.choice(user_ids)) for _ in range(24)}
            ],
        )

        kinds = [k.value for k in PostKind]
        first_thread, first_post = next_id(Thread), next_id(Post)
        threads, posts = [], []
        post_id = first_post
        replies_left = POSTS - THREADS
        for i in range(THREADS):
            created = when()
            author = rng.choice(user_ids)
            thread_id = first_thread + i
            kind = rng.choices(kinds, weights=(3, 2, 2, 4, 2))[0]
            count = 1 + min(replies_left, int(rng.expovariate(1 / ((POSTS - THREADS) / THREADS))))
            replies_left -= count - 1
            moment, thread_posts = created, []
            for n in range(count):
                if n:
                    moment = min(now, moment + dt.timedelta(minutes=rng.expovariate(1 / 240)))
                thread_posts.append(
                    {
                        "id": post_id,
                        "thread_id": thread_id,
                        "author_id": author
                        if n == 0
                        else rng.choice(seniors if rng.random() < 0.15 else user_ids),
                        "body": "Benchmark post",
                        "body_html": "<p>Benchmark post</p>",
                        "created_at": moment,
                        "deleted_at": moment if rng.random() < 0.01 else None,
                    }
                )
                post_id += 1
            posts.extend(thread_posts)
            solved = (
                kind in ("question", "failure") and len(thread_posts) > 1 and rng.random() < 0.5
            )
            solution = rng.choice(thread_posts[1:]) if solved else None
            threads.append(
                {
                    "id": thread_id,
                    "board_id": rng.choice(boards),
                    "author_id": author,
                    "kind": kind,
                    "title": f"Bench thread {thread_id}",
                    "slug": "bench-thread",
                    "created_at": created,
                    "last_activity_at": moment,
                    "post_count": len(thread_posts),
                    "is_pinned": False,
                    "is_locked": False,
                    "solved_at": solution["created_at"] + dt.timedelta(hours=1)
                    if solution
                    else None,
                    "_solution": solution["id"] if solution else None,
                    "_last": thread_posts[-1]["id"],
                }
            )
        while replies_left > 0:  # top up to exactly POSTS
            target = rng.choice(threads)
            posts.append(
                {
                    "id": post_id,
                    "thread_id": target["id"],
                    "author_id": rng.choice(user_ids),
                    "body": "Benchmark post",
                    "body_html": "<p>Benchmark post</p>",
                    "created_at": when(),
                    "deleted_at": None,
                }
            )
            post_id += 1
            replies_left -= 1
        bulk(Thread, [{k: v for k, v in t.items() if not k.startswith("_")} for t in threads])
        bulk(Post, posts)
        threads_table = Thread.__table__
        db.session.execute(
            threads_table.update()
            .where(threads_table.c.id == bindparam("tid"))
            .values(solution_post_id=bindparam("sid"), last_post_id=bindparam("lid")),
            [{"tid": t["id"], "sid": t["_solution"], "lid": t["_last"]} for t in threads],
        )

        pairs = {(rng.choice(user_ids), rng.randrange(first_post, post_id)) for _ in range(30_000)}
        bulk(
            Reaction,
            [
                {"post_id": p, "user_id": u, "kind": "helpful", "created_at": when()}
                for u, p in pairs
            ],
        )
        reads = {
            (rng.choice(user_ids), rng.randrange(first_thread, first_thread + THREADS))
            for _ in range(40_000)
        }
        bulk(
            ThreadRead,
            [
                {"user_id": u, "thread_id": t, "last_read_post_id": 0, "read_at": when()}
                for u, t in reads
            ],
        )

        first_escalation = next_id(Escalation)
        escalations, events = [], []
        for i in range(600):
            created = when()
            acknowledged = (
                created + dt.timedelta(minutes=rng.expovariate(1 / 45))
                if rng.random() < 0.8
                else None
            )
            resolved = (
                created + dt.timedelta(minutes=rng.expovariate(1 / 300))
                if rng.random() < 0.7
                else None
            )
            escalations.append(
                {
                    "id": first_escalation + i,
                    "thread_id": first_thread + i,
                    "department_id": rng.choice(departments),
                    "reason": "bench",
                    "urgency": rng.choice(("routine", "urgent", "crisis")),
                    "state": "resolved" if resolved else "acknowledged" if acknowledged else "open",
                    "level": 1,
                    "ladder_round": 0,
                    "alert_wave": 0,
                    "created_at": created,
                    "updated_at": created,
                    "acknowledged_at": acknowledged,
                    "resolved_at": resolved,
                    "resolution_note": "",
                }
            )
            for step in range(rng.choice((0, 0, 0, 1, 2))):
                events.append(
                    {
                        "escalation_id": first_escalation + i,
                        "kind": "climbed",
                        "created_at": created + dt.timedelta(minutes=10 * (step + 1)),
                        "note": "",
                        "details": {},
                        "is_internal": False,
                    }
                )
        bulk(Escalation, escalations)
        bulk(EscalationEvent, events)

        ensure_platforms()
        platforms = list(db.session.scalars(select(Platform.id)))
        first_profile = next_id(SocialProfile)
        bulk(
            SocialProfile,
            [
                {
                    "id": first_profile + i,
                    "platform_id": rng.choice(platforms),
                    "handle": f"@bench{first_profile + i}",
                    "handle_key": f"bench{first_profile + i}",
                    "url": f"https://example.social/@bench{first_profile + i}",
                    "canonical_url": f"https://example.social/@bench{first_profile + i}",
                    "display_name": f"Bench profile {i}",
                    "department_id": rng.choice(departments),
                    "purpose": "campaign" if i % 7 == 0 else "business_as_usual",
                    "ends_on": (now - dt.timedelta(days=rng.randrange(-90, 90))).date()
                    if i % 7 == 0
                    else None,
                    "engagement_mode": "communicating",
                    "description": "",
                    "owner_id": rng.choice(user_ids) if rng.random() < 0.95 else None,
                    "backup_owner_id": rng.choice(user_ids) if rng.random() < 0.6 else None,
                    "status": rng.choice(
                        ("active", "active", "active", "dormant", "proposed", "archived")
                    ),
                    "status_reason": "",
                    "activity_note": "",
                    "review_interval_months": 6,
                    "last_reviewed_at": when() if rng.random() < 0.7 else None,
                    "credentials_note": "",
                    "created_at": start,
                    "updated_at": start,
                }
                for i in range(300)
            ],
        )

        if db.engine.dialect.name == "postgresql":
            for table in (
                "departments",
                "users",
                "boards",
                "threads",
                "posts",
                "reactions",
                "escalations",
                "escalation_events",
                "social_profiles",
            ):
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT MAX(id) FROM {table}))"
                    )
                )
        db.session.commit()
        admin = account_services.user_by_email(ADMIN_EMAIL)
        assert admin is not None
        token = _token(admin)
        total = db.session.scalar(select(func.count()).select_from(Post))
        print(f"seeded: {total} posts, {THREADS} threads, {USERS} people")
        return token


def _token(admin: Any) -> str:
    from forum.accounts import services as account_services
    from forum.extensions import db

    _row, secret = account_services.create_api_token(admin, "insights bench")
    db.session.commit()
    TOKEN_FILE.write_text(secret)
    return secret


def _time(
    opener: urllib.request.OpenerDirector, url: str, headers: dict[str, str], runs: int
) -> list[float]:
    timings = []
    for _ in range(runs):
        request = urllib.request.Request(url, headers=headers)
        started = time.perf_counter()
        with opener.open(request, timeout=120) as response:
            response.read()
            status = response.status
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"{url} answered {status}")
    return timings


def measure(base_url: str, token: str, runs: int) -> None:
    """Sign in through /login, then time the dashboard and the API (wall clock, ms)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base_url}/login", timeout=30) as response:
        html = response.read().decode()
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    form = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    if match:
        form["csrf_token"] = match.group(1)
    opener.open(
        urllib.request.Request(f"{base_url}/login", data=urllib.parse.urlencode(form).encode()),
        timeout=30,
    )
    today = dt.date.today()
    year = f"from={today - dt.timedelta(days=364)}&to={today}"
    targets = [
        ("/insights (12 weeks)", f"{base_url}/insights", {}),
        ("/insights (1 year)", f"{base_url}/insights?{year}", {}),
        (
            "/insights/posts_by_kind.csv (1 year)",
            f"{base_url}/insights/posts_by_kind.csv?{year}",
            {},
        ),
        (
            "/api/v1/insights (12 weeks)",
            f"{base_url}/api/v1/insights",
            {"Authorization": f"Bearer {token}"},
        ),
        (
            "/api/v1/insights (1 year)",
            f"{base_url}/api/v1/insights?{year}",
            {"Authorization": f"Bearer {token}"},
        ),
    ]
    print(f"{'endpoint':40} {'median':>9} {'p95':>9} {'max':>9}   ({runs} runs, ms)")
    for label, url, headers in targets:
        _time(opener, url, headers, 1)  # warm-up
        timings = sorted(_time(opener, url, headers, runs))
        p95 = timings[min(len(timings) - 1, int(0.95 * len(timings)))]
        print(f"{label:40} {statistics.median(timings):9.1f} {p95:9.1f} {timings[-1]:9.1f}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_all(database_url: str, runs: int) -> None:
    token = seed(database_url)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret",
        "FORUM_ENV": "development",
    }
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=10).read()
                break
            except OSError:  # not listening yet (URLError, refused, timed out)
                time.sleep(0.2)
        measure(base, token, runs)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("seed", help="seed ~100k posts into DATABASE_URL")
    m = sub.add_parser("measure", help="time the pages and API of a running server")
    m.add_argument("--base-url", default="http://127.0.0.1:8077")
    m.add_argument("--token", default=None, help=f"API token (default: read {TOKEN_FILE})")
    m.add_argument("--runs", type=int, default=10)
    a = sub.add_parser("all", help="seed, start gunicorn, measure, stop it")
    a.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if args.command in ("seed", "all") and not database_url:
        raise SystemExit("Set DATABASE_URL to the benchmark database.")
    if args.command == "seed":
        print(f"token: {seed(database_url)}")
    elif args.command == "measure":
        measure(args.base_url.rstrip("/"), args.token or TOKEN_FILE.read_text().strip(), args.runs)
    else:
        run_all(database_url, args.runs)


if __name__ == "__main__":
    main()
