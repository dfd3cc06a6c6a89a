"""The cached fragments of the hot pages: a thread's page of posts, and thread listings.

A fragment is what everyone in one audience sees, rendered once per version (services/versions
explains the keys) and kept in forum.core.cache. What differs from reader to reader is left as
named slots, filled on every request from a query or two: the "new" marks (read marks), the
reader's own reactions, the CSRF token. Who may see the thread or board at all is checked
before any fragment is looked up, and everything else a fragment shows depends only on its key:

- a thread page: the thread, its version and newest post, the page number, and the audience
  (moderator or not, may reply, may mark solutions); each post is rendered twice, as seen by
  its author and by anyone else, and the request picks per post. The entry also keeps what
  the header and the first page show of the thread and nothing else keys: its tags, and the
  answer box of a thread solved by one of its replies (a fix thread elsewhere is checked per
  reader, see `services.solution_thread_for`), so a hit loads neither;
- a thread page's content around its posts (`thread_shell`): the same key, and whether the
  reader may delete the thread; the reader's token, watch button, unread jump and other
  capabilities' panels are its slots;
- a listing: the boards it draws from, with their versions and newest posts, and the filters;
- and always the reader's time zone, which every timestamp is shown in.

Slots are found by a random marker made for each rendering, so no text in a post can fake one.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from flask import current_app, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from forum.accounts.models import User
from forum.boards import services
from forum.boards.models import Board, Post, ReactionKind, Thread
from forum.core import cache, clock
from forum.core.pagination import Page

# Bump when a fragment template or the shape of an entry changes: old entries are then ignored.
FORMAT = 2
SENTINEL = 987654321

# (slot name, reaction kind) of the reaction buttons, read once rather than per post.
_REACTION_SLOTS = tuple((f"react-{kind.value}", kind.value) for kind in ReactionKind)


@dataclass(frozen=True)
class Audience:
    """What one reader may do on a thread, beyond reading it: part of the fragment key."""

    moderator: bool
    can_reply: bool
    can_solve: bool

    @property
    def key(self) -> str:
        return "".join(
            "1" if flag else "0" for flag in (self.moderator, self.can_reply, self.can_solve)
        )


class Slots:
    """Named holes in a rendering: `slot(name)` in the template, then `split` the HTML."""

    def __init__(self) -> None:
        self.marker = secrets.token_hex(8)
        self.pattern = re.compile("\x00" + self.marker + r":([\w-]+)\x00")

    def __call__(self, name: str) -> Markup:
        return Markup(f"\x00{self.marker}:{name}\x00")  # noqa: S704 - our own marker

    def split(self, html: str) -> list[str]:
        """Text and slot names alternating: [text, name, text, name, text...]."""
        return self.pattern.split(html)


def fill(parts: Sequence[str], values: dict[str, str]) -> str:
    """Put a reader's values into the slots of a split rendering."""
    # zip and map rather than a generator: this runs for every post of every page view.
    texts, names = parts[0::2], parts[1::2]
    filled = chain.from_iterable(zip(texts, map(values.__getitem__, names), strict=False))
    return "".join(filled) + texts[-1]


def _pattern(endpoint: str, **values: Any) -> tuple[str, str]:
    """The URL of `endpoint` around its post id, to build many links with no url_for each."""
    url = url_for(endpoint, **values)
    head, _sentinel, tail = url.partition(str(SENTINEL))
    return head, tail


def _template(name: str) -> Any:
    return current_app.jinja_env.get_template(name)


# --- a thread's page of posts ----------------------------------------------------------------


def thread_key(thread: Thread, page: int, audience: Audience) -> str:
    return (
        f"boards:thread:{FORMAT}:{thread.id}:{thread.version}:{thread.last_post_id}:{page}:"
        f"{audience.key}:{clock.reader_zone_name()}"
    )


def _render_posts(thread: Thread, posts: Page[Post], audience: Audience) -> dict[str, Any]:
    """Both variants of every post on the page, split around their slots."""
    slots = Slots()
    page_values: dict[str, Any] = {"page": posts.page} if posts.page > 1 else {}
    links = {
        "page": url_for(
            "boards.thread_detail", thread_id=thread.id, slug=thread.slug, **page_values
        ),
        "quote": url_for("boards.post_reply", thread_id=thread.id) + "?quote=",
        "solution": url_for("boards.thread_solution", thread_id=thread.id),
        **{
            name: _pattern(f"boards.post_{name}", post_id=SENTINEL)
            for name in ("revisions", "react", "edit", "delete", "restore", "flag", "hide")
        },
    }
    reactions = services.reaction_summary([p.id for p in posts.items], None)
    article = _template("boards/_post.html").module.post_article
    rendered = []
    for index, post in enumerate(posts.items):
        is_first = posts.page == 1 and index == 0
        variants = [
            slots.split(
                str(
                    article(
                        post,
                        thread,
                        links,
                        reactions[post.id],
                        audience,
                        as_author,
                        is_first,
                        slots,
                    )
                )
            )
            for as_author in (False, True)
        ]
        rendered.append([post.id, post.author_id, post.is_visible, *variants])
    return {"posts": rendered}


def _answer_html(thread: Thread) -> str | None:
    """The first page's box quoting the reply that solved the thread, when it is shown."""
    answer = thread.solution_post if thread.solution_post_id is not None else None
    if answer is None or not answer.is_visible:
        return None
    return str(_template("boards/_solution_answer.html").render(thread=thread, answer=answer))


@dataclass(frozen=True)
class ThreadPage:
    """A page of a thread as one reader sees it, from the cached entry."""

    posts: list[Markup]  # one item per post
    last_post_id: int | None
    tags: list[str]
    answer: Markup | None  # the solution box on the first page, when a reply solved it


def thread_page(
    viewer: User, thread: Thread, page: int, audience: Audience, read_mark: int
) -> ThreadPage:
    """The page's posts as this reader sees them, and what the entry keeps of the thread."""
    key = thread_key(thread, page, audience)
    entry = cache.get(key)
    if entry is None:
        entry = _render_posts(thread, services.thread_posts(thread, page=page), audience)
        entry["tags"] = [tag.name for tag in thread.tags]
        entry["answer"] = _answer_html(thread) if page == 1 else None
        cache.set(key, entry)
    posts = entry["posts"]
    mine = services.own_reactions(viewer, [post[0] for post in posts if post[2]])
    csrf = Markup('<input id="csrf_token" name="csrf_token" type="hidden" value="{}">').format(
        generate_csrf()
    )
    pressed = {
        True: 'class="reaction is-mine" aria-pressed="true"',
        False: 'class="reaction" aria-pressed="false"',
    }
    html = []
    for post_id, author_id, _visible, as_other, as_author in posts:
        new = bool(read_mark) and post_id > read_mark
        values = {
            "new": " is-new" if new else "",
            "newbadge": '<span class="badge new-marker">New</span>' if new else "",
            "csrf": csrf,
            **{slot: pressed[(post_id, kind) in mine] for slot, kind in _REACTION_SLOTS},
        }
        parts = as_author if author_id == viewer.id else as_other
        html.append(Markup(fill(parts, values)))  # noqa: S704 - rendered by our template
    answer = entry["answer"]
    return ThreadPage(
        posts=html,
        last_post_id=posts[-1][0] if posts else None,
        tags=entry["tags"],
        answer=Markup(answer) if answer else None,  # noqa: S704 - our template
    )


def shell_key(thread: Thread, page: int, audience: Audience, can_delete: bool) -> str | None:
    """The content's key; None for a deleted thread (its notice counts down the days left to
    restore it, and only its moderators see it)."""
    if thread.is_deleted:
        return None
    return f"{thread_key(thread, page, audience)}:shell:{int(can_delete)}"


def thread_shell(key: str | None, render: Callable[[Slots], str]) -> dict[str, Any]:
    """The page's content split around its slots, rendered by `render(slots)` on a miss."""
    entry = cache.get(key) if key else None
    if entry is None:
        entry = {"parts": (slots := Slots()).split(render(slots))}
        if key:
            cache.set(key, entry)
    return entry


def fill_shell(entry: dict[str, Any], values: dict[str, str]) -> Markup:
    return Markup(fill(entry["parts"], values))  # noqa: S704 - our template, escaped values


# --- thread listings -------------------------------------------------------------------------


def boards_signature(rows: Iterable[tuple[int, int, int | None]]) -> str:
    """A short digest of (board id, version, newest post id) for every board a listing draws
    from: it changes whenever anything a listing shows changes on any of them."""
    text = ";".join(f"{board_id},{version},{newest}" for board_id, version, newest in rows)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:20]


def _render_listing(threads: Page[Thread], show_board: bool) -> dict[str, Any]:
    slots = Slots()
    macros = _template("boards/_macros.html").module
    html = str(macros.thread_list(threads.items, slots, show_board=show_board))
    badges = {
        str(thread.id): [
            thread.last_post_id or 0,
            str(macros.unread_badge(thread, "new")),
            str(macros.unread_badge(thread, "updated")),
        ]
        for thread in threads.items
    }
    return {"parts": slots.split(html), "badges": badges, "total": threads.total}


def listing_html(
    viewer: User,
    key: str | None,
    load: Callable[[], Page[Thread]],
    *,
    page: int,
    show_board: bool,
) -> tuple[Markup, Page[Thread]]:
    """A thread listing as this reader sees it (the "new" marks filled in), and its page
    (without items) for the pager. `key` None renders without the cache."""
    entry = cache.get(key) if key else None
    if entry is None:
        entry = _render_listing(load(), show_board)
        if key:
            cache.set(key, entry)
    badges = entry["badges"]
    marks = services.read_marks(viewer, (int(thread_id) for thread_id in badges))
    values: dict[str, str] = {}
    for thread_id, (last_post_id, new_badge, updated_badge) in badges.items():
        mark = marks.get(int(thread_id))
        state = "new" if mark is None else ("updated" if last_post_id > mark else "")
        values[f"u{thread_id}"] = " is-unread" if state else ""
        values[f"b{thread_id}"] = {"new": new_badge, "updated": updated_badge}.get(state, "")
    pager = Page[Thread](
        items=[], page=page, per_page=services.THREADS_PER_PAGE, total=entry["total"]
    )
    return Markup(fill(entry["parts"], values)), pager  # noqa: S704 - our template


def board_listing_key(
    board: Board, newest: int | None, kind: str | None, tag: str | None, page: int
) -> str:
    return (
        f"boards:board:{FORMAT}:{board.id}:{board.version}:{newest}:{kind}:{tag}:{page}:"
        f"{clock.reader_zone_name()}"
    )


def activity_key(signature: str, kind: str | None, page: int) -> str:
    return f"boards:activity:{FORMAT}:{signature}:{kind}:{page}:{clock.reader_zone_name()}"


def sidebar_html(viewer: User, signature: str, boards: list[Board]) -> Markup:
    """The activity page's sidebar (boards with their counts, popular tags) for readers who
    see exactly these boards, in these versions."""
    key = sidebar_key(signature)
    html = cache.get(key)
    if html is None:
        html = _template("boards/_sidebar.html").render(
            boards=boards,
            stats=services.board_stats(board.id for board in boards),
            tags=services.popular_tags(viewer),
        )
        cache.set(key, html)
    return Markup(html)  # noqa: S704 - our template


def sidebar_key(signature: str) -> str:
    return f"boards:sidebar:{FORMAT}:{signature}:{clock.reader_zone_name()}"
