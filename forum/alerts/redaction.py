"""Stored notices checked again each time they are read: the list, the API, digests, emails.

A notice is written for one person with what they may see at that moment, and keeps `refs`
("thread:12") to every object it names. Things move (a thread goes to a department-only board),
so whatever shows a stored notice later asks here first. The capability that owns each kind of
object registers the check (`register_ref_check(app, "thread", readable_ids)`); a notice that
names anything its reader may no longer see is shown WITHDRAWN: no title, body or link. A kind
nobody registered counts as not visible (deny by default). Nothing stored is rewritten.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable

from flask import Flask, current_app, has_app_context

from forum.accounts.models import User
from forum.alerts.models import Notification

# (reader, ids) -> the ids the reader may still see.
RefCheck = Callable[[User, set[int]], set[int]]

_KEY = "alerts.ref_checks"
WITHDRAWN_TITLE = "A notification about something you can no longer see"
WITHDRAWN_URL = "/notifications"


def register_ref_check(app: Flask, kind: str, check: RefCheck) -> None:
    """Let the capability owning `kind` objects say which of them a person may see."""
    app.extensions.setdefault(_KEY, {})[kind] = check


def _checks() -> dict[str, RefCheck]:
    if not has_app_context():
        return {}
    return dict(current_app.extensions.get(_KEY, {}))


def _parse(ref: str) -> tuple[str, int] | None:
    kind, _, raw = str(ref).partition(":")
    try:
        return kind, int(raw)
    except ValueError:
        return None


def hidden_refs(user: User, refs: Iterable[str]) -> set[str]:
    """The refs among `refs` that `user` may not see (now): one check per kind of object."""
    wanted: dict[str, set[int]] = defaultdict(set)
    hidden: set[str] = set()
    for ref in refs:
        parsed = _parse(ref)
        if parsed is None:
            hidden.add(ref)
        else:
            wanted[parsed[0]].add(parsed[1])
    checks = _checks()
    for kind, ids in wanted.items():
        check = checks.get(kind)
        readable = check(user, ids) if check is not None and user.is_active else set()
        hidden |= {f"{kind}:{i}" for i in ids - readable}
    return hidden


def may_read(user: User, refs: Iterable[str] | None) -> bool:
    """True when `user` may still see everything `refs` names."""
    return not hidden_refs(user, refs or [])


@dataclasses.dataclass(frozen=True)
class NoticeView:
    """A notification as its owner may see it now."""

    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    withdrawn: bool = False
    # What it names, so that a digest email can be checked again when it is sent.
    refs: tuple[str, ...] = ()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def shown(user: User, notifications: Iterable[Notification]) -> list[NoticeView]:
    """`notifications` (all `user`'s) as `user` may see them now, in the same order."""
    items = list(notifications)
    hidden = hidden_refs(user, {ref for n in items for ref in (n.refs or [])})
    views = []
    for n in items:
        withdrawn = bool(hidden.intersection(n.refs or []))
        views.append(
            NoticeView(
                id=n.id,
                kind=n.kind,
                title=WITHDRAWN_TITLE if withdrawn else n.title,
                body="" if withdrawn else n.body,
                url=WITHDRAWN_URL if withdrawn else n.url,
                created_at=n.created_at,
                read_at=n.read_at,
                withdrawn=withdrawn,
                refs=() if withdrawn else tuple(n.refs or []),
            )
        )
    return views
