"""Benchmark the hot pages (home, board, thread, search, registry, inbox) at ~100k posts.

    DATABASE_URL=sqlite:////tmp/bench.db python bench/pages_bench.py all [--runs 10]

Seeds the same large data set as bench/insights_bench.py (skipped when already seeded), starts
gunicorn with two workers, signs in through /login like a person, and prints the median, p95
and max wall-clock time of real HTTP requests. Nothing here asserts a time: it measures.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from insights_bench import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ROOT,
    _free_port,
    _time,
    seed,
)


def _targets(database_url: str) -> list[tuple[str, str]]:
    """Pick a large board and the longest thread from the seeded data."""
    from insights_bench import _app
    from sqlalchemy import func, select

    app = _app(database_url)
    with app.app_context():
        from forum.boards.models import Board, Thread
        from forum.extensions import db

        board = db.session.scalars(
            select(Board).join(Thread).group_by(Board.id).order_by(func.count(Thread.id).desc())
        ).first()
        thread = db.session.scalars(select(Thread).order_by(Thread.post_count.desc())).first()
        assert board is not None and thread is not None, "seed first"
        return [
            ("/ (activity)", "/"),
            ("/b/<slug>", f"/b/{board.slug}"),
            ("/b/<slug>?page=20", f"/b/{board.slug}?page=20"),
            (f"/t/<id> ({thread.post_count} posts)", f"/t/{thread.id}"),
            ("/t/<id>?page=2", f"/t/{thread.id}?page=2"),
            ("/search?q=reply", "/search?q=reply"),
            ("/profiles", "/profiles"),
            ("/inbox", "/inbox"),
            ("/notifications", "/notifications"),
        ]


def measure(base_url: str, targets: list[tuple[str, str]], runs: int) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base_url}/login", timeout=30) as response:
        html = response.read().decode()
    form = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if match:
        form["csrf_token"] = match.group(1)
    opener.open(
        urllib.request.Request(f"{base_url}/login", data=urllib.parse.urlencode(form).encode()),
        timeout=30,
    )
    print(f"{'page':40} {'median':>9} {'p95':>9} {'max':>9}   ({runs} runs, ms)")
    for label, path in targets:
        _time(opener, base_url + path, {}, 1)  # warm-up (the first search may build the index)
        timings = sorted(_time(opener, base_url + path, {}, runs))
        p95 = timings[min(len(timings) - 1, int(0.95 * len(timings)))]
        print(f"{label:40} {statistics.median(timings):9.1f} {p95:9.1f} {timings[-1]:9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["all"])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        raise SystemExit("Set DATABASE_URL to the benchmark database.")
    seed(database_url)
    targets = _targets(database_url)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret",
        "RATELIMIT_ENABLED": "false",
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
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=10).read()
                break
            except OSError:
                time.sleep(0.2)
        measure(base, targets, args.runs)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
