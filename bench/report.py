"""The machine and run description, and the Markdown table bench/run.py prints."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import re
import subprocess
from pathlib import Path
from typing import Any

from loadgen import ROOT


def _cpu() -> str:
    try:
        match = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
    except OSError:
        match = None
    return match.group(1).strip() if match else platform.processor() or "unknown CPU"


def _memory_gib() -> float:
    try:
        match = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    except OSError:
        return 0.0
    return int(match.group(1)) / 1024 / 1024 if match else 0.0


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(  # noqa: S603
            ["git", "-C", str(ROOT), *args],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def _database(app: Any) -> str:
    from sqlalchemy import text

    from forum.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            version = str(db.session.scalar(text("SHOW server_version"))).split()[0]
            name = f"PostgreSQL {version}"
        else:
            version = str(db.session.scalar(text("SELECT sqlite_version()")))
            name = f"SQLite {version} (WAL)"
        db.session.remove()
    return name


def context(app: Any, args: argparse.Namespace, summary: dict[str, Any]) -> dict[str, Any]:
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _commit(),
        "cpu": _cpu(),
        "cores": os.cpu_count(),
        "memory_gib": round(_memory_gib(), 1),
        "system": platform.platform(terse=True),
        "python": platform.python_version(),
        "load_average": os.getloadavg()[0],
        "database": _database(app),
        "wrk": f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s --latency",
        "write_seconds": args.write_duration,
        "workers": args.workers,
        "writers": args.writers,
        "posts": summary["posts"],
    }


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def memory_cell(rows: list[dict[str, Any]]) -> str:
    """The largest worker RSS after the runs, and (in brackets) the largest peak during them."""
    after = max(r["rss_mb"] for r in rows)
    peaks = [r["peak_rss_mb"] for r in rows if r.get("peak_rss_mb")]
    return f"{after:.0f} ({max(peaks):.0f})" if peaks else f"{after:.0f}"


def _reference_row(runs: list[dict[str, Any]]) -> str:
    rates = sorted(r["per_second"] for r in runs)
    p50s = sorted(r["p50"] for r in runs)
    p99s = sorted(r["p99"] for r in runs)
    middle = len(runs) // 2
    calls = "—" if runs[0].get("calls") is None else f"{runs[0]['calls']:,}"
    return (
        f"| bare Flask + Jinja, 30 posts (mean of {len(runs)} runs between the pages, "
        f"{_number(rates[0])} to {_number(rates[-1])} req/s) | {_number(sum(rates) / len(rates))} "
        f"| {_number(p50s[middle])} | {_number(p99s[middle])} | 1 | — | {calls} | "
        f"{memory_cell(runs)} | {sum(r['errors'] for r in runs)} |"
    )


def markdown(results: dict[str, Any]) -> str:
    """A heading, the run's description, and one table row per page and writer run."""
    c, s, rows = results["context"], results["summary"], results["rows"]
    engine = c["database"].split()[0]
    references = [r for r in rows if r["kind"] == "reference"]
    seed = (
        f"{s['posts']:,} posts, {s['threads']:,} threads (longest {s['long_thread_posts']:,}) "
        f"seeded in {s['seconds']:.0f} s: rows {s['seed_seconds']:.0f} s, search index "
        f"{s['index_seconds']:.0f} s ({s['documents']:,} documents)."
    )
    lines = [
        f"### {engine}, {c['posts']:,} posts ({c['date']}, commit {c['commit']})",
        "",
        f"- Machine: {c['cores']} cores ({c['cpu']}), {c['memory_gib']} GiB RAM, "
        f"{c['system']}, Python {c['python']}; shared with other engineers, so noisy "
        f"(load average {c['load_average']:.2f} when the run began).",
        f"- Database: {c['database']}. Seed: {seed}",
        f"- Load: gunicorn, {c['workers']} sync workers, throttles off; `{c['wrk']}` signed in "
        f"as {s['email']} (an admin: every board). A page's ratio is its req/s over the mean "
        "req/s of the bare page's runs just before and just after it.",
        f"- Words: `{s['search_word']}` in {s['search_word_posts']:,} posts "
        f"({s['search_word_hits']:,} hits), `{s['common_word']}` in "
        f"{s['common_word_posts']:,} posts ({s['common_word_hits']:,} hits).",
        "",
        "| page | req/s | p50 ms | p99 ms | ratio to bare | SQL | Python calls "
        "| worker RSS MB (peak) | failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    if references:
        lines.append(_reference_row(references))
    for r in rows:
        if r["kind"] == "reference":
            continue
        label, ratio = r["label"], "—"
        if r["kind"] == "page" and r.get("reference_per_second"):
            ratio = f"{r['per_second'] / r['reference_per_second']:.3f}"
        if r["kind"] == "writers":
            label += f" ({r['stored']:,} stored)"
        sql = "—" if r["sql"] is None else str(r["sql"])
        calls = "—" if r.get("calls") is None else f"{r['calls']:,}"
        lines.append(
            f"| {label} | {_number(r['per_second'])} | {_number(r['p50'])} | "
            f"{_number(r['p99'])} | {ratio} | {sql} | {calls} | {memory_cell([r])} | "
            f"{r['errors']} |"
        )
    caught = results["search_catch_up"]
    lines += [
        "",
        f"Writers post through `POST /api/v1/threads/<id>/posts` for {c['write_seconds']:g} s "
        "each; their req/s is replies stored per second, p50 and p99 those of the replies "
        "answered within the run. "
        + (
            f"Search found the run's last reply {caught:.2f} s after its 201."
            if math.isfinite(caught)
            else "Search had not found the run's last reply 60 s after its 201."
        ),
    ]
    return "\n".join(lines)
