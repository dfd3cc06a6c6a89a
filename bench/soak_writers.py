"""The soak's writers (see bench/soak.py): the people, and the threads that write as them.

Each writer is one member with an API token and a signed-in browser session. It posts replies,
edits its own posts, toggles reactions on the others' posts (the HTML form, with its CSRF
token), escalates threads (its own, and one that everybody escalates) and now and then starts a
thread, recording every status and every write the server acknowledged.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import loadgen

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
