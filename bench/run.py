"""The forum's benchmark, one command: seed (or reuse) a database, serve it, load it, report.

    DATABASE_URL=sqlite:////tmp/bench.db python bench/run.py --posts 100000
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench python bench/run.py

1. An empty database is filled by `flask --app wsgi bench seed --posts N`; its summary is kept
   in the bench instance directory (with the search index), so later runs reuse both.
2. SQL queries per page are counted in-process (Flask test client, SQLAlchemy events).
3. gunicorn (2 sync workers, throttles off) serves the forum and a bare reference page
   (bench/reference_app.py); the bench signs in through /login and drives wrk, bounded in time,
   at each hot page, then at the reply API with 1 and 8 writers (bench/writers.lua), then
   times how long search takes to find a reply posted last.
4. It prints a Markdown table for bench/RESULTS.md: requests/s, p50, p99, ratio to the bare
   page, SQL queries, the largest worker RSS, failed responses. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import loadgen
import report
from loadgen import ROOT, Load

BENCH = Path(__file__).resolve().parent
WRITER_THREADS = 16


def default_instance(url: str) -> Path:
    """One bench instance directory (summary, search index, logs) per database URL."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", url.rsplit("/", 1)[-1]).strip("-") or "db"
    digest = hashlib.sha256(url.encode()).hexdigest()[:8]
    return ROOT / "instance" / "bench" / f"{name}-{digest}"


def server_env(url: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "FORUM_INSTANCE_PATH": str(instance),
        "SEARCH_INDEX_DIR": str(instance / "search-index"),
        "SECRET_KEY": "bench-secret-key",
        "FORUM_ENV": "production",
        "FORUM_BASE_URL": "http://127.0.0.1",
        "RATELIMIT_ENABLED": "false",
    }


def seed_or_reuse(posts: int, env: dict[str, str], instance: Path) -> dict[str, Any]:
    """The seed summary: kept from an earlier run, or from seeding the (empty) database now."""
    summary_file = instance / "seed.json"
    if summary_file.exists():
        summary = dict(json.loads(summary_file.read_text()))
        print(f"Reusing the database seeded with {summary['posts']} posts ({summary_file}).")
        return summary
    instance.mkdir(parents=True, exist_ok=True)
    print(f"Seeding {posts} posts (flask --app wsgi bench seed)...", flush=True)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "wsgi", "bench", "seed", "--posts", str(posts)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(
            "Seeding failed (see above). A database seeded by an earlier run is reused only "
            f"with its summary in {summary_file}; otherwise give an empty database."
        )
    summary = dict(json.loads(result.stdout.strip().splitlines()[-1]))
    summary_file.write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def in_process_app(env: dict[str, str]) -> Any:
    from forum import create_app

    return create_app(
        {
            "DATABASE_URL": env["DATABASE_URL"],
            "INSTANCE_PATH": env["FORUM_INSTANCE_PATH"],
            "SEARCH_INDEX_DIR": env["SEARCH_INDEX_DIR"],
            "SECRET_KEY": env["SECRET_KEY"],
            "FORUM_ENV": "production",
            "FORUM_BASE_URL": env["FORUM_BASE_URL"],
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


def pages(app: Any, summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, path) of every page the bench loads."""
    from forum.boards.models import Thread
    from forum.boards.services import POSTS_PER_PAGE
    from forum.extensions import db

    with app.app_context():
        thread = db.session.get(Thread, summary["long_thread_id"])
        if thread is None:
            raise SystemExit("The long thread is missing: was this database seeded by bench?")
        last = max(1, -(-thread.post_count // POSTS_PER_PAGE))
        count = thread.post_count
        db.session.remove()
    search, common = summary["search_word"], summary["common_word"]
    return [
        (f"`/t/<id>` first page ({count} posts)", f"/t/{thread.id}"),
        (f"`/t/<id>?page={last}` last page", f"/t/{thread.id}?page={last}"),
        ("`/b/<slug>`", f"/b/{summary['board_slug']}"),
        ("`/` activity", "/"),
        (f"`/search?q={search}` (~1% of posts)", f"/search?q={search}"),
        (f"`/search?q={common}` (~50% of posts)", f"/search?q={common}"),
        ("`/profiles`", "/profiles"),
        ("`/inbox`", "/inbox"),
        ("`/insights`", "/insights"),
    ]


def writer_setup(app: Any, summary: dict[str, Any]) -> tuple[str, list[int]]:
    """An API token for a seeded member (a senior's reply would resolve escalations, changing
    the inbox from run to run), and recent open threads on boards every member sees."""
    from sqlalchemy import select

    from forum.accounts import services as accounts
    from forum.accounts.models import Role, User
    from forum.boards.models import Board, Thread
    from forum.extensions import db

    with app.app_context():
        member = db.session.scalar(
            select(User)
            .where(User.role == Role.MEMBER, User.is_active.is_(True))
            .order_by(User.id)
            .limit(1)
        )
        if member is None:
            raise SystemExit("No active member to write with: was this database seeded by bench?")
        _row, token = accounts.create_api_token(member, "bench/run.py writers")
        threads = list(
            db.session.scalars(
                select(Thread.id)
                .join(Board)
                .where(
                    Board.visibility == "staff",
                    Thread.is_locked.is_(False),
                    Thread.id != summary["long_thread_id"],
                )
                .order_by(Thread.last_activity_at.desc())
                .limit(WRITER_THREADS)
            )
        )
        db.session.commit()
        db.session.remove()
    return token, threads


def count_posts(app: Any, thread_ids: list[int]) -> int:
    from sqlalchemy import func, select

    from forum.boards.models import Post
    from forum.extensions import db

    with app.app_context():
        count = db.session.scalar(select(func.count(Post.id)).where(Post.thread_id.in_(thread_ids)))
        db.session.remove()
    return int(count or 0)


def python_calls(action: Any) -> int:
    """Python function calls made while `action()` runs: unlike a time, the same on a busy
    machine as on an idle one, so it shows what a change to the code saved."""
    calls = 0

    def profile(_frame: Any, event: str, _arg: Any) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return calls


def reference_python_calls() -> int:
    """The bare page's Python calls per request, counted like the forum's pages."""
    import reference_app

    client = reference_app.app.test_client()
    client.get("/")
    return python_calls(lambda: client.get("/"))


def count_queries(
    app: Any, summary: dict[str, Any], paths: list[str], token: str, thread_id: int
) -> tuple[dict[str, int], dict[str, int]]:
    """SQL statements, and Python function calls, of one request (after a warm-up request),
    in-process."""
    from sqlalchemy import event

    from forum.extensions import db

    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # SQLite's explicit BEGIN is the driver's job on PostgreSQL: count queries only.
        if not statement.lstrip().upper().startswith("BEGIN"):
            seen.append(statement)

    counts: dict[str, int] = {}
    calls: dict[str, int] = {}
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    response = client.post(
        "/login", data={"email": summary["email"], "password": summary["password"]}
    )
    if response.status_code != 302:
        raise SystemExit(f"In-process sign-in failed: HTTP {response.status_code}")
    event.listen(engine, "before_cursor_execute", record)
    try:
        for path in paths:
            client.get(path)
            seen.clear()
            status = client.get(path).status_code
            if status != 200:
                raise SystemExit(f"{path} answered {status} in-process")
            counts[path] = len(seen)
            calls[path] = python_calls(lambda path=path: client.get(path))
        seen.clear()
        reply = client.post(
            f"/api/v1/threads/{thread_id}/posts",
            json={"body": "A reply counted by bench/run.py."},
            headers={"Authorization": f"Bearer {token}"},
        )
        if reply.status_code != 201:
            raise SystemExit(f"In-process reply failed: HTTP {reply.status_code}")
        counts["reply"] = len(seen)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return counts, calls


def writer_bodies(instance: Path) -> Path:
    """200 prose replies, one JSON string a line, for bench/writers.lua."""
    from forum.bench.prose import ProseWriter, Vocabulary

    writer = ProseWriter(random.Random(8), Vocabulary(random.Random(2026)), ["bench"])
    path = instance / "writer-bodies.txt"
    path.write_text("\n".join(json.dumps(writer.body().source) for _ in range(200)) + "\n")
    return path


def load_page(
    server: loadgen.Server, browser: loadgen.Browser, path: str, args: argparse.Namespace
) -> tuple[Load, dict[str, float]]:
    """Check the page answers 200 (not a redirect), warm every worker, then run wrk. Returns
    the load and the workers' memory: RSS after the run and peak RSS during it, in MB."""
    server.reset_peaks()
    for _ in range(args.workers * 2):
        status, _ = browser.get(path)
        if status != 200:
            raise SystemExit(f"{path} answered HTTP {status}; not measuring a redirect or error.")
    load = loadgen.wrk(
        server.url + path,
        threads=args.threads,
        connections=args.connections,
        seconds=args.duration,
        headers={"Cookie": browser.cookie_header},
    )
    return load, memory(server)


@contextlib.contextmanager
def search_indexer(env: dict[str, str], log: Path) -> Iterator[None]:
    """The background search indexer (`flask search work`), as production runs it next to
    gunicorn, unless the bench asks for inline indexing (SEARCH_INDEX_INLINE=true)."""
    if env.get("SEARCH_INDEX_INLINE", "").lower() in {"1", "true", "yes"}:
        yield
        return
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "search", "work"]
    with log.open("ab") as log_file:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=log_file, stderr=log_file
        )
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def memory(server: loadgen.Server) -> dict[str, float]:
    return {"rss_mb": server.worker_rss_mb(), "peak_rss_mb": server.worker_peak_mb()}


def catch_up(server: loadgen.Server, browser: loadgen.Browser, token: str, thread: int) -> float:
    """Seconds from a reply's 201 until search finds the unique word it carries."""
    word = "catchup" + "".join(random.choice("bcdfghjkmnpqrtvwxz") for _ in range(8))
    payload = json.dumps({"body": f"The last reply of the run: {word}."}).encode()
    post = loadgen.post_json(f"{server.url}/api/v1/threads/{thread}/posts", token, payload)
    posted = time.perf_counter()
    while time.perf_counter() - posted < 60:
        _status, html = browser.get(f"/search?q={urllib.parse.quote(word)}")
        if f"/p/{post['id']}" in html:
            return time.perf_counter() - posted
        time.sleep(0.05)
    return float("inf")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000, help="posts to seed (empty db)")
    parser.add_argument("--duration", type=float, default=8, help="seconds of wrk per page")
    parser.add_argument(
        "--write-duration", type=float, default=20, help="seconds of wrk per writer run"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--writers", type=int, default=8, help="concurrent writers")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--instance", type=Path, help="bench instance dir (default per URL)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--seed-only", action="store_true", help="seed (or reuse), then stop")
    parser.add_argument(
        "--only", action="append", help="load only the pages whose label contains this"
    )
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise SystemExit("Set DATABASE_URL to the benchmark database (an empty one is seeded).")
    instance = args.instance or default_instance(url)
    env = server_env(url, instance)
    summary = seed_or_reuse(args.posts, env, instance)
    if args.seed_only:
        print(json.dumps(summary))
        return {"summary": summary}
    app = in_process_app(env)
    targets = pages(app, summary)
    if args.only:
        targets = [t for t in targets if any(word in t[0] for word in args.only)]
    token, writer_threads = writer_setup(app, summary)
    queries, calls = count_queries(app, summary, [p for _, p in targets], token, writer_threads[0])
    bodies = writer_bodies(instance)
    context = report.context(app, args, summary)
    rows: list[dict[str, Any]] = []

    def row(
        label: str, load: Load, mem: dict[str, float], sql: int | None, kind: str = "page"
    ) -> None:
        rows.append(
            {"label": label, "kind": kind, **mem, "sql": sql, **asdict(load)}
            | {"calls": calls.get(label_paths.get(label, ""))}
        )
        print(f"  {label}: {load.per_second:.1f}/s p50 {load.p50:.1f} ms", flush=True)

    label_paths = dict(targets)
    reference_calls = reference_python_calls()
    log = instance / "gunicorn.log"
    reference_label = "bare Flask + Jinja, 30 posts"
    print("Loading the pages...", flush=True)
    with (
        loadgen.gunicorn(
            "reference_app:app", env=env, workers=args.workers, log=log, pythonpath="bench"
        ) as reference,
        loadgen.gunicorn("wsgi:app", env=env, workers=args.workers, log=log) as forum,
        search_indexer(env, log),
    ):
        # The bare page is loaded before the first page, between pages and after the last,
        # and each page is compared with the mean of the runs either side of it: on a shared
        # machine the available CPU drifts within a run.
        reference_browser = loadgen.Browser(reference.url)

        def reference_run(number: int) -> float:
            load, mem = load_page(reference, reference_browser, "/", args)
            row(f"{reference_label} (run {number})", load, mem, None, "reference")
            rows[-1]["calls"] = reference_calls
            return load.per_second

        before = reference_run(1)
        browser = loadgen.Browser(forum.url)
        browser.sign_in(summary["email"], summary["password"])
        for number, (label, path) in enumerate(targets, start=2):
            load, mem = load_page(forum, browser, path, args)
            row(label, load, mem, queries[path])
            page = rows[-1]
            after = reference_run(number)
            page["reference_per_second"] = (before + after) / 2
            before = after

        script_args = [token, ",".join(map(str, writer_threads)), str(bodies)]
        for writers in (1, args.writers):
            before = count_posts(app, writer_threads)
            forum.reset_peaks()
            load = loadgen.wrk(
                forum.url,
                threads=args.threads,
                connections=writers,
                seconds=args.write_duration,
                script=(BENCH / "writers.lua", script_args),
            )
            stored = count_posts(app, writer_threads) - before
            label = f"reply (API), {writers} writer{'s' if writers > 1 else ''}"
            load.per_second = stored / load.seconds if load.seconds else 0.0
            row(label, load, memory(forum), queries["reply"], "writers")
            rows[-1]["stored"] = stored
        caught_up = catch_up(forum, browser, token, writer_threads[0])
    results = {"context": context, "summary": summary, "rows": rows, "search_catch_up": caught_up}
    print()
    print(report.markdown(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return results


if __name__ == "__main__":
    main()
