"""Who hears about what on the boards: replies, mentions, solutions and moderation events.

Everything goes through `_send`, then alerts.services.notify_user (in-app row plus email per
preference) in the caller's transaction, or, for many people told the same thing (a reply's
watchers, a post's mentions), through `_send_all` and alerts.services.notify_users, whose
statements do not grow with the number of people. Both name the threads a notice mentions and
send it only to a person who may read every one of them (disclosure.can_read_thread); the
notice keeps them as refs, so it is checked again whenever it is shown or emailed later. Dedupe
keys make every event notify a person once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import literal_column, or_, select, union_all

from forum.accounts.models import Role, User
from forum.alerts import services as alerts
from forum.boards.models import BoardModerator, BoardWatch, Post, Thread, ThreadWatch
from forum.boards.services import disclosure
from forum.core.markup import plain_text
from forum.extensions import db

logger = logging.getLogger(__name__)

_SUPPRESS_KEY = "boards.notifications_suppressed"
EXCERPT_LENGTH = 280


@contextmanager
def notifications_suppressed() -> Iterator[None]:
    """Create posts without notifying anyone (demo data, imports)."""
    db.session.info[_SUPPRESS_KEY] = True
    try:
        yield
    finally:
        db.session.info.pop(_SUPPRESS_KEY, None)


def _suppressed() -> bool:
    return bool(db.session.info.get(_SUPPRESS_KEY))


def post_path(post: Post) -> str:
    """Site-relative permalink of a post (redirects to its page and #post-<id> anchor)."""
    return f"/p/{post.id}"


def thread_path(thread: Thread) -> str:
    return f"/t/{thread.id}-{thread.slug}"


def excerpt(post: Post, length: int = EXCERPT_LENGTH) -> str:
    text = plain_text(post.body_html)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def users_for_handles(handles: Iterable[str]) -> list[User]:
    """Active people whose handle (their /u/<handle> page) is one of the @handles, any case."""
    wanted = sorted({h.lower() for h in handles})[:20]
    if not wanted:
        return []
    return list(
        db.session.scalars(
            select(User).where(User.is_active.is_(True), User.handle.in_(wanted)).order_by(User.id)
        )
    )


def _send(
    user: User,
    about: Sequence[Thread],
    *,
    kind: str,
    title: str,
    body: str,
    url: str,
    dedupe_key: str,
    unsubscribe: dict[str, Any] | None = None,
) -> bool:
    """Notify `user` of something naming the threads `about`, only if they may read them all.
    `unsubscribe` names the watch that brought it, for the email's List-Unsubscribe."""
    if not all(disclosure.can_read_thread(user, thread) for thread in about):
        return False
    alerts.notify_user(
        user,
        kind=kind,
        title=title,
        body=body,
        url=url,
        dedupe_key=dedupe_key,
        refs=disclosure.thread_refs(*about),
        unsubscribe=unsubscribe,
    )
    return True


def _send_all(
    people: Iterable[User],
    about: Sequence[Thread],
    *,
    kind: str,
    title: str,
    body: str,
    url: str,
    dedupe_prefix: str,
    unsubscribe: dict[int, dict[str, Any]] | None = None,
) -> set[int]:
    """`_send` to each of `people`, worded the same for all, each under the key
    `<dedupe_prefix>:<user id>`, in a fixed number of statements however many they are.
    Returns the ids of those who may read every thread in `about` (the others hear nothing)."""
    allowed = [
        user for user in people if all(disclosure.can_read_thread(user, thread) for thread in about)
    ]
    if allowed:
        alerts.notify_users(
            [(user, f"{dedupe_prefix}:{user.id}") for user in allowed],
            kind=kind,
            title=title,
            body=body,
            url=url,
            refs=disclosure.thread_refs(*about),
            unsubscribe=unsubscribe,
        )
    return {user.id for user in allowed}


def notify_mentions(post: Post, people: Iterable[User]) -> set[int]:
    """Tell each mentioned colleague (not the author) who can see the board; returns their ids."""
    if _suppressed():
        return set()
    mentioned = {user.id: user for user in people if user.id != post.author_id}
    if not mentioned:
        return set()
    thread = post.thread
    return _send_all(
        mentioned.values(),
        [thread],
        kind="mention",
        title=f"{post.author.display_name} mentioned you in “{thread.title}”",
        body=excerpt(post),
        url=post_path(post),
        dedupe_prefix=f"boards:mention:{post.id}",
    )


def notify_new_post(post: Post, *, is_first: bool, already: set[int]) -> None:
    """Thread watchers hear of replies; board watchers hear of new threads and replies; the
    author of the quoted post hears of the reply quoting it."""
    if _suppressed():
        return
    thread = post.thread
    # Everyone to tell, in one query whatever their number.
    sources: list[Any] = [
        select(
            BoardWatch.user_id.label("user_id"), literal_column("'board'").label("source")
        ).where(BoardWatch.board_id == thread.board_id)
    ]
    if not is_first:
        sources.append(
            select(ThreadWatch.user_id, literal_column("'thread'")).where(
                ThreadWatch.thread_id == thread.id
            )
        )
    if post.reply_to_id is not None:
        sources.append(
            select(Post.author_id, literal_column("'quote'")).where(Post.id == post.reply_to_id)
        )
    skip = already | {post.author_id}
    reasons = union_all(*sources).subquery()
    people: dict[int, User] = {}
    # What each person's email unsubscribes from: the watch that brought it (a thread watch
    # before a board watch; someone quoted watches nothing, so their email offers nothing).
    topics: dict[int, dict[str, Any]] = {}
    for user, source in db.session.execute(
        select(User, reasons.c.source)
        .join(reasons, reasons.c.user_id == User.id)
        .where(User.is_active.is_(True))
        .order_by(User.id)
    ):
        if user.id in skip:
            continue
        people.setdefault(user.id, user)
        if source == "thread":
            topics[user.id] = {"topic": "thread", "ref": thread.id}
        elif source == "board":
            topics.setdefault(user.id, {"topic": "board", "ref": thread.board_id})
    if not people:
        return
    # Worded once for everyone: only the dedupe key is per person.
    if is_first:
        title = f"New {thread.kind_enum.label.lower()} on {thread.board.name}: “{thread.title}”"
    else:
        title = f"{post.author.display_name} replied to “{thread.title}”"
    _send_all(
        people.values(),
        [thread],
        kind="new_thread" if is_first else "reply",
        title=title,
        body=excerpt(post),
        url=post_path(post),
        dedupe_prefix=f"boards:post:{post.id}",
        unsubscribe=topics,
    )


def notify_solution(
    thread: Thread, *, post: Post | None, solution_thread: Thread | None, actor: User
) -> None:
    """The solving reply's author and the thread's watchers hear that it is solved; the fix
    thread is named only to those who may read it (mark_solution allows no other)."""
    if _suppressed():
        return
    target = post.id if post is not None else f"t{solution_thread.id if solution_thread else 0}"
    recipients: dict[int, str] = {}
    if post is not None and post.author_id != actor.id:
        recipients[post.author_id] = f"Your reply was marked as the solution to “{thread.title}”"
    watchers = set(
        db.session.scalars(select(ThreadWatch.user_id).where(ThreadWatch.thread_id == thread.id))
    )
    for user_id in sorted(watchers):
        if user_id != actor.id:
            recipients.setdefault(user_id, f"“{thread.title}” is solved")
    if not recipients:
        return
    url = post_path(post) if post is not None else thread_path(thread)
    for user in db.session.scalars(select(User).where(User.id.in_(recipients))):
        about = [thread]
        fix = disclosure.describe_thread(user, solution_thread)
        if post is not None:
            body = excerpt(post)
        elif solution_thread is not None and fix.visible:
            body = f"Solved by the fix “{fix.title}”."
            about.append(solution_thread)
        else:
            body = "Solved by a fix thread."
        _send(
            user,
            about,
            kind="solution",
            title=recipients[user.id],
            body=body,
            url=url,
            dedupe_key=f"boards:solution:{thread.id}:{target}:{user.id}",
            unsubscribe={"topic": "thread", "ref": thread.id} if user.id in watchers else None,
        )


def notify_moderation(
    user: User, thread: Thread, *, title: str, body: str, url: str, key: str
) -> None:
    """Tell the person affected by a moderator's action (hidden post, moved or locked thread),
    if they may still read the thread."""
    if _suppressed():
        return
    _send(
        user,
        [thread],
        kind="moderation",
        title=title,
        body=body,
        url=url,
        dedupe_key=f"boards:moderation:{key}:{user.id}",
    )


def notify_flag(post: Post, *, flag_id: int, reporter: User) -> None:
    """Moderators of the board (and admins) hear of a new flag, once per post per day of flags."""
    if _suppressed():
        return
    board = post.thread.board
    moderator_ids = set(
        db.session.scalars(
            select(BoardModerator.user_id).where(BoardModerator.board_id == board.id)
        )
    )
    admins = db.session.scalars(
        select(User).where(
            or_(User.id.in_(moderator_ids), User.role == Role.ADMIN.value), User.is_active.is_(True)
        )
    )
    for user in admins:
        if user.id == reporter.id:
            continue
        _send(
            user,
            [post.thread],
            kind="flag",
            title=f"A post in “{post.thread.title}” was flagged",
            body="Open the moderation queue to review it.",
            url="/moderation/flags",
            dedupe_key=f"boards:flag:{flag_id}:{user.id}",
        )
