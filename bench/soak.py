"""Concurrency soak: gunicorn with 4 workers and 8 writers for 30 s, then proof that nothing broke.

    python bench/soak.py                                  # a fresh SQLite file
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/soak python bench/soak.py

Each writer is one person with an API token and a signed-in browser session. For `--seconds`
it posts replies, edits its own posts, toggles reactions (the HTML form, with its CSRF token),
escalates threads (its own, and one thread everybody escalates) and starts threads, all on
127.0.0.1. Afterwards, with the server stopped, it checks:

- no response was a 5xx or a dropped connection, and "database is locked" appears nowhere
  (responses or the server log);
- every acknowledged write is in the database as acknowledged: each post with the body of its
  last acknowledged edit, each reaction in the state its last toggle left, each escalation with
  the reason on its timeline;
- the search index agrees with the database: after the queue is drained, the documents the
  database says each thread should have are exactly the ones indexed, with the same text.

It prints a summary and exits 1 when any check fails. tests/faults/test_soak.py runs it for a
few seconds on the test database; this script is for the full 30 s. An empty database is
migrated first (`flask db upgrade`); an existing forum's data is left alone and written to.
The writers are in bench/soak_writers.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import loadgen
from loadgen import ROOT
from soak_writers import LOCKED, PASSWORD, Outcome, Plan, Writer, WriterSpec, drive, prepare

__all__ = [
    "LOCKED",
    "PASSWORD",
    "Outcome",
    "Plan",
    "Writer",
    "WriterSpec",
    "check_search",
    "check_writes",
    "drive",
    "prepare",
    "summarize",
]


def check_writes(app: Any, plan: Plan, outcomes: list[Outcome]) -> list[str]:
    """Every acknowledged write, as acknowledged, in the database."""
    from sqlalchemy import select

    from forum.boards.models import Post, Reaction
    from forum.escalations.models import Escalation, EscalationEvent
    from forum.extensions import db

    problems: list[str] = []
    with app.app_context():
        for spec, outcome in zip(plan.writers, outcomes, strict=True):
            bodies = dict(
                db.session.execute(
                    select(Post.id, Post.body).where(Post.id.in_(list(outcome.posts)))
                ).all()
            )
            for post_id, body in outcome.posts.items():
                if bodies.get(post_id) != body:
                    problems.append(
                        f"post {post_id}: acknowledged {body!r}, stored {bodies.get(post_id)!r}"
                    )
            given = set(
                db.session.execute(
                    select(Reaction.post_id, Reaction.kind).where(Reaction.user_id == spec.user_id)
                ).all()
            )
            for (post_id, kind), on in outcome.reactions.items():
                if ((post_id, kind) in given) != on:
                    problems.append(f"reaction {kind} on post {post_id} should be {on}")
            for escalation_id, reason in outcome.escalations:
                notes = set(
                    db.session.scalars(
                        select(EscalationEvent.note).where(
                            EscalationEvent.escalation_id == escalation_id
                        )
                    )
                )
                escalation = db.session.get(Escalation, escalation_id)
                if escalation is None or (reason not in notes and escalation.reason != reason):
                    problems.append(f"escalation {escalation_id}: reason {reason!r} missing")
        db.session.remove()
    return problems


def check_search(app: Any) -> list[str]:
    """Drain the search queue, then compare every indexed document with the database's."""
    from sqlalchemy import select
    from whoosh import index

    from forum.boards.models import Thread
    from forum.extensions import db
    from forum.search import documents, indexing

    with app.app_context():
        indexing.drain()
        if indexing.pending_count():
            return [f"{indexing.pending_count()} search changes still queued after a drain"]
        thread_ids = list(db.session.scalars(select(Thread.id)))
        wanted = {
            doc.key: doc.text
            for docs in documents.thread_documents(db.session, thread_ids).values()
            for doc in docs
        }
        root = indexing.get_backend().root  # type: ignore[attr-defined]
        live = index.open_dir(str(root / (root / "CURRENT").read_text().strip()))
        with live.searcher() as searcher:
            indexed = {f["key"]: f["text"] for f in searcher.all_stored_fields()}
        live.close()
        db.session.remove()
    problems = [f"{key} is not indexed" for key in wanted.keys() - indexed.keys()]
    problems += [
        f"{key} is indexed but not in the database" for key in indexed.keys() - wanted.keys()
    ]
    problems += [
        f"{key}: indexed {indexed[key]!r}, database {wanted[key]!r}"
        for key in wanted.keys() & indexed.keys()
        if wanted[key] != indexed[key]
    ]
    return problems


def summarize(outcomes: list[Outcome]) -> dict[str, Any]:
    statuses: Counter[int] = Counter()
    for outcome in outcomes:
        statuses.update(outcome.statuses)
    return {
        "requests": sum(statuses.values()),
        "statuses": dict(sorted(statuses.items())),
        "server_errors": sum(n for status, n in statuses.items() if status >= 500),
        "posts": sum(len(o.posts) for o in outcomes),
        "reactions": sum(len(o.reactions) for o in outcomes),
        "escalations": sum(len(o.escalations) for o in outcomes),
        "failures": [failure for o in outcomes for failure in o.failures],
    }


def server_env(url: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "FORUM_INSTANCE_PATH": str(instance),
        "SEARCH_INDEX_DIR": str(instance / "search-index"),
        "SECRET_KEY": "soak-secret-key",
        "FORUM_ENV": "production",
        "FORUM_BASE_URL": "http://127.0.0.1",
        # Throttles would turn the writers away: the soak is about concurrency, not limits.
        "RATELIMIT_ENABLED": "false",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


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
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": env["PASSWORD_HASH_METHOD"],
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the writers write")
    parser.add_argument("--writers", type=int, default=8, help="concurrent writers")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--instance", type=Path, help="instance directory (default: a temp one)")
    args = parser.parse_args(argv)

    instance = args.instance or Path(tempfile.mkdtemp(prefix="forum-soak-"))
    instance.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'soak.db'}"
    env = server_env(url, instance)
    print(
        f"Soak: {args.writers} writers, {args.workers} workers, {args.seconds:g} s on "
        f"{url.split(':', 1)[0]} (instance {instance})",
        flush=True,
    )
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    app = in_process_app(env)
    plan = prepare(app, args.writers)
    log = instance / "gunicorn.log"
    with loadgen.gunicorn("wsgi:app", env=env, workers=args.workers, log=log) as server:
        outcomes = drive(server.url, plan, args.seconds)
    summary = summarize(outcomes)
    locked_in_log = log.read_text(errors="replace").count(LOCKED)
    problems = summary.pop("failures")
    if locked_in_log:
        problems.append(f'"{LOCKED}" {locked_in_log} times in {log}')
    problems += check_writes(app, plan, outcomes)
    problems += check_search(app)
    print(json.dumps(summary, indent=2))
    for problem in problems[:50]:
        print("PROBLEM:", problem)
    print("Soak passed." if not problems else f"Soak FAILED: {len(problems)} problems.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
