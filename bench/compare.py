"""Medians over several runs of bench/run.py (their --json files) of one database, as Markdown.

    python bench/compare.py run1.json run2.json run3.json

On a shared machine one run can be off by a factor of two; the median of three, with the
spread of each page's ratio, is what bench/RESULTS.md records and what a change is judged by.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import report


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _ratio(row: dict[str, Any]) -> float | None:
    reference = row.get("reference_per_second")
    return row["per_second"] / reference if reference else None


def markdown(runs: list[dict[str, Any]]) -> str:
    first = runs[0]
    c, s = first["context"], first["summary"]
    kinds = {(r["context"]["database"].split()[0], r["context"]["posts"]) for r in runs}
    if len(kinds) > 1:
        raise SystemExit(f"These runs are of different databases: {sorted(kinds)}")
    loads = ", ".join(f"{r['context']['load_average']:.1f}" for r in runs)
    dates = ", ".join(r["context"]["date"] for r in runs)
    references = [
        row["per_second"] for run in runs for row in run["rows"] if row["kind"] == "reference"
    ]
    lines = [
        f"### {c['database']}, {c['posts']:,} posts: median of {len(runs)} runs",
        "",
        f"- Runs: {dates} (commit {c['commit']}); load average at their start: {loads}.",
        f"- Seed: {s['posts']:,} posts, {s['threads']:,} threads (longest "
        f"{s['long_thread_posts']:,}) in {s['seconds']:.0f} s: rows {s['seed_seconds']:.0f} s, "
        f"search index {s['index_seconds']:.0f} s ({s['documents']:,} documents).",
        f"- Load: `{c['wrk']}`, gunicorn {c['workers']} sync workers; writers for "
        f"{c['write_seconds']:g} s. Search words: `{s['search_word']}` "
        f"({s['search_word_hits']:,} hits), `{s['common_word']}` ({s['common_word_hits']:,}).",
        f"- The bare page (Flask + Jinja, 30 posts) ran {len(references)} times: median "
        f"{_number(statistics.median(references))} req/s, from {_number(min(references))} to "
        f"{_number(max(references))}.",
        "",
        "| page | req/s | p50 ms | p99 ms | ratio to bare (range) | SQL | worker RSS MB (peak) "
        "| failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for template in first["rows"]:
        if template["kind"] == "reference":
            continue
        label = template["label"]
        same = [row for run in runs for row in run["rows"] if row["label"] == label]
        ratios = [ratio for row in same if (ratio := _ratio(row)) is not None]
        ratio = (
            f"{statistics.median(ratios):.3f} ({min(ratios):.3f} to {max(ratios):.3f})"
            if ratios
            else "—"
        )
        if template["kind"] == "writers":
            label += f" (median {statistics.median(r['stored'] for r in same):,.0f} stored)"
        sql = "—" if template["sql"] is None else str(template["sql"])
        median = {key: statistics.median(r[key] for r in same) for key in ("per_second", "p50")}
        lines.append(
            f"| {label} | {_number(median['per_second'])} | {_number(median['p50'])} | "
            f"{_number(statistics.median(r['p99'] for r in same))} | {ratio} | {sql} | "
            f"{report.memory_cell(same)} | {sum(r['errors'] for r in same)} |"
        )
    catch_ups = ", ".join(f"{run['search_catch_up']:.2f}" for run in runs)
    lines += ["", f"Search found each run's last reply after {catch_ups} s."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path, help="bench/run.py --json files")
    args = parser.parse_args(argv)
    runs = [json.loads(path.read_text()) for path in args.results]
    sys.stdout.write(markdown(runs) + "\n")


if __name__ == "__main__":
    main()
