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
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import loadgen
from loadgen import ROOT

PASSWORD = "soak-password-1234"  # noqa: S105  (a throwaway account on a throwaway database)
LOCKED = "database is locked"


@dataclasses.dataclass(frozen=True)
class WriterSpec:
    user_id: int
    email: str
    token: str
    thread_id: int  # the writer's own thread
    opening_post_id: int  # its first post, which the others react to


@dataclasses.dataclass(frozen=True)
class Plan:
    board_slug: str
    shared_thread_id: int  # everybody replies to and escalates this one
    shared_post_id: int
    writers: list[WriterSpec]


@dataclasses.dataclass
class Outcome:
    """What one writer saw and what the server acknowledged to it."""

    statuses: Counter[int] = dataclasses.field(default_factory=Counter)
    failures: list[str] = dataclasses.field(default_factory=list)
    posts: dict[int, str] = dataclasses.field(default_factory=dict)  # id -> acknowledged body
    reactions: dict[tuple[int, str], bool] = dataclasses.field(default_factory=dict)
    escalations: list[tuple[int, str]] = dataclasses.field(default_factory=list)


def prepare(app: Any, writers: int) -> Plan:
    """A staff board, `writers` members with tokens and a thread each, and a shared thread."""
    from forum.accounts import services as accounts
    from forum.accounts.models import Role
    from forum.boards import services as boards
    from forum.boards.models import BoardVisibility, PostKind
    from forum.extensions import db

    stamp = f"{int(time.time())}{os.getpid()}"
    with app.app_context():
        admin = accounts.create_user(
            f"soak-admin-{stamp}@example.org",
            display_name="Soak admin",
            role=Role.ADMIN,
            department=None,
            password=PASSWORD,
        )
        board = boards.create_board(
            admin,
            slug=f"soak-{stamp}",
            name="Soak",
            description="Soak writers' board",
            visibility=BoardVisibility.STAFF,
            department=None,
            position=0,
        )
        shared = boards.create_thread(
            board,
            author=admin,
            kind=PostKind.QUESTION,
            title="Everybody writes here",
            body="The shared soak thread.",
            tags=[],
        )
        specs = []
        for n in range(writers):
            user = accounts.create_user(
                f"soak-writer{n}-{stamp}@example.org",
                display_name=f"Soak writer {n}",
                role=Role.MEMBER,
                department=None,
                password=PASSWORD,
            )
            own = boards.create_thread(
                board,
                author=user,
                kind=PostKind.QUESTION,
                title=f"Writer {n}'s thread",
                body=f"Opening post by writer {n}.",
                tags=[],
            )
            _row, token = accounts.create_api_token(user, "bench/soak.py")
            db.session.flush()
            specs.append(WriterSpec(user.id, user.email, token, own.id, own.posts[0].id))
        plan = Plan(board.slug, shared.id, shared.posts[0].id, specs)
        db.session.commit()
        db.session.remove()
    return plan


class Writer(threading.Thread):
    """One person writing through the API and the HTML forms until the deadline."""

    def __init__(self, base: str, plan: Plan, number: int) -> None:
        super().__init__(name=f"soak-writer-{number}", daemon=True)
        self.base, self.plan, self.number = base, plan, number
        self.deadline = 0.0  # set by `drive` once every writer has signed in
        self.keep_going: Callable[[], bool] = lambda: False
        self.spec = plan.writers[number]
        self.outcome = Outcome()
        self.browser = loadgen.Browser(base)
        self.csrf = ""
        self.counter = itertools.count(1)

    # --- HTTP ----------------------------------------------------------------------------

    def _send(self, request: urllib.request.Request, opener: Any) -> tuple[int, str]:
        try:
            with opener.open(request, timeout=120) as response:
                status, body = response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode(errors="replace")
        except OSError as error:  # refused, reset, timed out: the server dropped the request
            self.outcome.failures.append(f"{request.get_method()} {request.full_url}: {error}")
            return 0, ""
        self.outcome.statuses[status] += 1
        if status >= 500 or LOCKED in body:
            self.outcome.failures.append(
                f"{request.get_method()} {request.full_url}: {status} {body[:300]!r}"
            )
        return status, body

    def api(self, method: str, path: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            self.base + "/api/v1" + path,
            data=json.dumps(payload).encode(),
            method=method,
            headers={
                "Authorization": f"Bearer {self.spec.token}",
                "Content-Type": "application/json",
            },
        )
        status, body = self._send(request, urllib.request.build_opener())
        try:
            return status, dict(json.loads(body)) if body else {}
        except ValueError:
            return status, {}

    def form(self, path: str, data: dict[str, str]) -> int:
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode({**data, "csrf_token": self.csrf}).encode(),
            headers={"User-Agent": loadgen.USER_AGENT},
        )
        status, _body = self._send(request, self.browser.opener)
        return status

    def expect(self, what: str, status: int, wanted: int) -> bool:
        if status != wanted and status != 0:
            self.outcome.failures.append(f"{what}: HTTP {status}, expected {wanted}")
        return status == wanted

    # --- actions -------------------------------------------------------------------------

    def reply(self) -> None:
        n = next(self.counter)
        thread = self.plan.shared_thread_id if n % 3 == 0 else self.spec.thread_id
        body = f"Reply w{self.number}n{n} soakword{self.number}x{n}"
        status, out = self.api("POST", f"/threads/{thread}/posts", {"body": body})
        if self.expect("reply", status, 201):
            self.outcome.posts[int(out["id"])] = body

    def start_thread(self) -> None:
        n = next(self.counter)
        body = f"Opening w{self.number}n{n} soakopen{self.number}x{n}"
        payload = {
            "board": self.plan.board_slug,
            "kind": "question",
            "title": f"Soak thread w{self.number}n{n}",
            "body": body,
        }
        status, out = self.api("POST", "/threads", payload)
        if self.expect("thread", status, 201):
            self.outcome.posts[int(out["posts"][0]["id"])] = body

    def edit(self) -> None:
        if not self.outcome.posts:
            return self.reply()
        n = next(self.counter)
        post_id = list(self.outcome.posts)[n % len(self.outcome.posts)]
        body = f"Edited w{self.number}n{n} soakedit{self.number}x{n}"
        status, _out = self.api("PATCH", f"/posts/{post_id}", {"body": body})
        if self.expect("edit", status, 200):
            self.outcome.posts[post_id] = body

    def react(self) -> None:
        # On the others' opening posts: nobody reacts to their own.
        n = next(self.counter)
        others = [w.opening_post_id for w in self.plan.writers if w is not self.spec]
        post_id = others[n % len(others)] if others else self.plan.shared_post_id
        kind = ("helpful", "same_here", "thanks")[n % 3]
        if self.expect("react", self.form(f"/p/{post_id}/react", {"kind": kind}), 302):
            key = (post_id, kind)
            self.outcome.reactions[key] = not self.outcome.reactions.get(key, False)

    def escalate(self) -> None:
        n = next(self.counter)
        thread = self.plan.shared_thread_id if n % 2 else self.spec.thread_id
        reason = f"Escalated w{self.number}n{n}"
        status, out = self.api(
            "POST", f"/threads/{thread}/escalations", {"reason": reason, "urgency": "routine"}
        )
        if self.expect("escalate", status, 201):
            self.outcome.escalations.append((int(out["id"]), reason))

    def sign_in(self) -> None:
        """Sign in through /login and keep the session's CSRF token for the forms."""
        self.browser.sign_in(self.spec.email, PASSWORD)
        _status, page = self.browser.get(f"/t/{self.spec.thread_id}")
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if found is None:
            raise SystemExit(f"No CSRF token on writer {self.number}'s thread page.")
        self.csrf = found.group(1)

    def run(self) -> None:
        try:
            actions = [self.reply, self.react, self.escalate, self.edit, self.reply, self.edit]
            # At least one round of every kind of write, however slow the machine; then on
            # until the deadline.
            turn = 0
            while turn < len(actions) or time.monotonic() < self.deadline or self.keep_going():
                (self.start_thread if turn % 25 == 24 else actions[turn % len(actions)])()
                turn += 1
        except BaseException as error:
            self.outcome.failures.append(f"writer {self.number} crashed: {error!r}")


def drive(
    base: str,
    plan: Plan,
    seconds: float,
    *,
    keep_going: Callable[[], bool] = lambda: False,
    on_start: Callable[[list[Writer]], None] = lambda _writers: None,
) -> list[Outcome]:
    """Run every writer against `base` for `seconds` (and at least one round of each kind of
    write, and for as long as `keep_going()` says); returns what each saw. `on_start(writers)`
    is called once they have all signed in and started writing."""
    writers = [Writer(base, plan, n) for n in range(len(plan.writers))]
    # Sign everybody in first, so the clock measures writing only.
    with ThreadPoolExecutor(max_workers=len(writers)) as pool:
        list(pool.map(Writer.sign_in, writers))
    deadline = time.monotonic() + seconds
    for writer in writers:
        writer.deadline, writer.keep_going = deadline, keep_going
        writer.start()
    on_start(writers)
    for writer in writers:
        writer.join(seconds + 300)
        if writer.is_alive():
            writer.outcome.failures.append(f"{writer.name} still running long after the end")
    return [writer.outcome for writer in writers]


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
