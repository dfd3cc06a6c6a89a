"""bench/run.py end to end at a tiny size: seed, gunicorn, wrk, writers, search catch-up, report.

It asserts that every step ran and reported, never how fast: timings are for bench/RESULTS.md.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.slow


@pytest.mark.timeout(900)
def test_bench_seeds_serves_loads_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert shutil.which("wrk"), "wrk is missing: apt-get install wrk"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.db'}"}
    command = [
        sys.executable,
        "bench/run.py",
        "--posts",
        "300",
        "--duration",
        "1",
        "--write-duration",
        "2",
        "--instance",
        str(tmp_path / "instance"),
        "--json",
        str(tmp_path / "results.json"),
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "| page | req/s | p50 ms | p99 ms | ratio to bare | SQL |" in result.stdout

    results = json.loads((tmp_path / "results.json").read_text())
    summary = results["summary"]
    assert summary["posts"] == 300 and summary["long_thread_posts"] == 150
    rows = {row["label"]: row for row in results["rows"]}
    pages = (
        "`/t/<id>` first page (150 posts)",
        "`/t/<id>?page=5` last page",
        "`/b/<slug>`",
        "`/` activity",
        f"`/search?q={summary['search_word']}` (~1% of posts)",
        f"`/search?q={summary['common_word']}` (~50% of posts)",
        "`/profiles`",
        "`/inbox`",
        "`/insights`",
    )
    for page in pages:
        assert rows[page]["sql"] > 0, page
    for row in results["rows"]:
        assert row["errors"] == 0, row
        assert row["peak_rss_mb"] >= row["rss_mb"] > 0, row
    references = [row for row in results["rows"] if row["kind"] == "reference"]
    assert len(references) == 10  # before, between and after the nine pages
    for label in pages:
        assert rows[label]["reference_per_second"] > 0, label
    writers = [row for row in results["rows"] if row["kind"] == "writers"]
    assert [row["label"] for row in writers] == ["reply (API), 1 writer", "reply (API), 8 writers"]
    for row in writers:
        # Every reply wrk saw answered was stored (some may finish after wrk stops counting).
        assert row["stored"] >= row["requests"]
    assert math.isfinite(results["search_catch_up"])

    # A later run reuses the seeded database and its index instead of seeding again.
    sys.path.insert(0, str(ROOT / "bench"))
    import run

    reused = run.seed_or_reuse(300, {}, tmp_path / "instance")
    assert reused == summary
    assert "Reusing the database seeded with 300 posts" in capsys.readouterr().out

    # Several runs' results fold into one table of medians.
    import compare

    table = compare.markdown([results, results])
    assert "SQLite" in table and "300 posts: median of 2 runs" in table
    assert "| reply (API), 8 writers (median" in table
