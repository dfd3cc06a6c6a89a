"""Moderators tidying threads: changing a thread's kind, merging one thread into another, and
splitting replies off into a thread of their own.

Each action is written into the opening post's revision history as a note (the text is kept
as it stood), goes on the audit log, and tells the people it concerns. A merged thread's posts
move to the other thread in one statement; the merged thread is marked deleted with
`merged_into_id`, so every listing and search leave it and its address redirects.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, literal, select, update

from forum.accounts.models import AuditAction, User
from forum.accounts.services import audit
from forum.boards import signals
from forum.boards.models import REVISION_NOTE_MAX, Post, PostKind, PostRevision, Thread, ThreadWatch
from forum.boards.services import notify, versions
from forum.boards.services.validation import clean_title, dialect_insert, parse_kind, slugify
from forum.boards.services.visibility import can_moderate, can_see_board
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid, NotFound, NotPermitted
from forum.extensions import db

logger = logging.getLogger(__name__)


def _require_moderator(actor: User, thread: Thread) -> None:
    if not can_see_board(actor, thread.board) or (
        thread.is_deleted and not can_moderate(actor, thread.board)
    ):
        raise NotFound("There is no such thread.")
    if not can_moderate(actor, thread.board):
        raise NotPermitted("Only moderators of this board can do that.")
    if thread.is_deleted:
        raise Conflict("That thread is deleted; restore it first.")


def _opening_post(thread: Thread) -> Post | None:
    return db.session.scalar(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.id).limit(1)
    )


def _note(post: Post | None, editor: User, note: str, now: dt.datetime) -> None:
    """A revision that records `note` and keeps the post's text as it stands."""
    if post is None:
        return
    db.session.add(
        PostRevision(
            post=post,
            editor_id=editor.id,
            body=post.body,
            body_html=post.body_html,
            note=note[:REVISION_NOTE_MAX],
            written_at=post.edited_at or post.created_at,
            created_at=now,
        )
    )


def change_kind(
    thread: Thread, *, actor: User, kind: PostKind | str, now: dt.datetime | None = None
) -> Thread:
    """A moderator gives the thread another kind (a "question" that was really a "fix"). A kind
    that cannot be solved drops the solution. Invalid for an unknown kind; no change, nothing
    recorded."""
    _require_moderator(actor, thread)
    errors: dict[str, str] = {}
    new_kind = parse_kind(kind, errors)
    if new_kind is None:
        raise Invalid("Check the highlighted fields.", fields=errors)
    old_kind = thread.kind_enum
    if new_kind == old_kind:
        return thread
    now = now or utcnow()
    thread.kind = new_kind
    if not new_kind.solvable:
        thread.solution_post_id = thread.solution_thread_id = None
        thread.solved_at, thread.solved_by_id = None, None
    note = f"Kind changed from {old_kind.label} to {new_kind.label} by a moderator."
    _note(_opening_post(thread), actor, note, now)
    db.session.flush()
    audit.record(
        AuditAction.THREAD_KIND_CHANGED, actor, thread, old=str(old_kind), new=str(new_kind)
    )
    if thread.author_id != actor.id:
        notify.notify_moderation(
            thread.author,
            thread,
            title=f"Your thread “{thread.title}” is now a {new_kind.label.lower()}",
            body=f"A moderator changed its kind from {old_kind.label.lower()}.",
            url=notify.thread_path(thread),
            key=f"kind:{thread.id}:{new_kind}:{now.isoformat()}",
        )
    logger.info("thread %s kind %s -> %s by user %s", thread.id, old_kind, new_kind, actor.id)
    signals.thread_updated.send(thread, actor=actor, changes={"kind"})
    return thread


def merge_thread(
    source: Thread, *, into: Thread, actor: User, now: dt.datetime | None = None
) -> Thread:
    """Move every post of `source` into `into`, and retire `source` (its address redirects to
    `into`). Posts keep their ids, so the newer thread goes into the older one (Invalid the
    other way round); their replies then interleave by when they were written. The actor must
    moderate the source's board and see the target (as for a move); neither may be deleted.
    Returns `into`."""
    _require_moderator(actor, source)
    if not can_see_board(actor, into.board) or into.is_deleted:
        raise Invalid(fields={"into": "Choose a thread you can see."})
    if into.id == source.id:
        raise Invalid(fields={"into": "A thread cannot be merged into itself."})
    moved_first, kept_first = _opening_post(source), _opening_post(into)
    if moved_first is not None and kept_first is not None and moved_first.id < kept_first.id:
        # Posts keep their order (and their addresses) by id: an older thread's posts would
        # come before the other thread's opening post.
        raise Invalid(
            fields={
                "into": f"“{source.title}” was started first: merge the newer thread into "
                "the older one."
            }
        )
    now = now or utcnow()
    moved = source.post_count
    _note(
        kept_first,
        actor,
        f"“{source.title}” ({moved} {'post' if moved == 1 else 'posts'}) was merged into this "
        "thread by a moderator.",
        now,
    )
    _note(moved_first, actor, f"Moved here from “{source.title}” when it was merged.", now)
    db.session.flush()
    db.session.execute(
        update(Post).where(Post.thread_id == source.id).values(thread_id=into.id),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        dialect_insert(ThreadWatch)
        .from_select(
            ["user_id", "thread_id", "created_at"],
            select(ThreadWatch.user_id, literal(into.id), ThreadWatch.created_at).where(
                ThreadWatch.thread_id == source.id
            ),
        )
        .on_conflict_do_nothing()
    )
    _recount(into)
    source.merged_into_id = into.id
    source.deleted_at, source.deleted_by_id = now, actor.id
    source.post_count = 0
    source.solution_post_id = source.solution_thread_id = None
    source.solved_at, source.solved_by_id = None, None
    db.session.flush()
    versions.bump_thread(into.id)
    db.session.expire(source, ["posts"])
    db.session.expire(into, ["posts"])
    audit.record(
        AuditAction.THREAD_MERGED, actor, source, into=into.id, posts=moved, title=source.title
    )
    if source.author_id != actor.id:
        notify.notify_moderation(
            source.author,
            into,
            title=f"Your thread “{source.title}” was merged into “{into.title}”",
            body="A moderator merged them; every post is kept there.",
            url=notify.thread_path(into),
            key=f"merge:{source.id}:{into.id}",
        )
    logger.info("thread %s merged into %s by user %s", source.id, into.id, actor.id)
    signals.thread_updated.send(source, actor=actor, changes={"deleted_at"})
    signals.thread_updated.send(into, actor=actor, changes={"posts"})
    return into


def split_thread(
    thread: Thread,
    *,
    actor: User,
    post_ids: list[int],
    title: str,
    kind: PostKind | str,
    now: dt.datetime | None = None,
) -> Thread:
    """Move the chosen replies of `thread` into a new thread on the same board, titled `title`:
    the earliest of them opens it, and it belongs to that reply's author. Posts keep their ids
    and addresses. Invalid when no reply (or the opening post) is chosen, or for a bad title or
    kind. Returns the new thread."""
    _require_moderator(actor, thread)
    errors: dict[str, str] = {}
    clean = clean_title(title, errors)
    new_kind = parse_kind(kind, errors)
    opening = _opening_post(thread)
    chosen = sorted(set(post_ids))
    moving = list(
        db.session.scalars(
            select(Post).where(Post.thread_id == thread.id, Post.id.in_(chosen)).order_by(Post.id)
        )
    )
    if opening is not None and opening.id in chosen:
        errors["posts"] = "The opening post stays; choose replies only."
    elif not moving or len(moving) != len(chosen):
        errors["posts"] = "Choose at least one reply of this thread."
    if errors or new_kind is None:
        raise Invalid("Check the highlighted fields.", fields=errors)
    now = now or utcnow()
    first = moving[0]
    new = Thread(
        board=thread.board,
        author_id=first.author_id,
        kind=new_kind,
        title=clean,
        slug=slugify(clean),
        created_at=first.created_at,
        last_activity_at=first.created_at,
        post_count=0,
    )
    db.session.add(new)
    count = len(moving)
    _note(
        opening,
        actor,
        f"{count} {'reply was' if count == 1 else 'replies were'} split off into “{clean}” by a "
        "moderator.",
        now,
    )
    _note(first, actor, f"Split off from “{thread.title}” by a moderator.", now)
    db.session.flush()
    db.session.execute(
        update(Post)
        .where(Post.thread_id == thread.id, Post.id.in_([post.id for post in moving]))
        .values(thread_id=new.id),
        execution_options={"synchronize_session": False},
    )
    for post in moving:
        db.session.expire(post, ["thread", "thread_id"])
    _recount(new)
    _recount(thread)
    if thread.solution_post_id in {post.id for post in moving}:
        thread.solution_post_id, thread.solved_at, thread.solved_by_id = None, None, None
    db.session.flush()
    versions.bump_thread(thread.id)
    db.session.expire(thread, ["posts"])
    audit.record(
        AuditAction.THREAD_SPLIT, actor, thread, into=new.id, posts=count, title=clean[:200]
    )
    for author in {post.author for post in moving if post.author_id != actor.id}:
        notify.notify_moderation(
            author,
            new,
            title=f"Your reply in “{thread.title}” moved to “{clean}”",
            body="A moderator split it off into a thread of its own.",
            url=notify.thread_path(new),
            key=f"split:{thread.id}:{new.id}",
        )
    logger.info("thread %s: %s posts split off into %s by %s", thread.id, count, new.id, actor.id)
    signals.thread_updated.send(thread, actor=actor, changes={"posts"})
    signals.thread_updated.send(new, actor=actor, changes={"posts"})
    return new


def merged_into(user: User | None, thread_id: int) -> int | None:
    """The thread that `thread_id` was merged into, when `user` could see it: where its old
    address leads (callers ask only once the thread itself was NotFound)."""
    source = db.session.scalar(
        select(Thread).where(Thread.id == thread_id, Thread.merged_into_id.is_not(None))
    )
    if source is None or not can_see_board(user, source.board):
        return None
    return source.merged_into_id


def _recount(thread: Thread) -> None:
    count, last_id, last_at = db.session.execute(
        select(func.count(Post.id), func.max(Post.id), func.max(Post.created_at)).where(
            Post.thread_id == thread.id
        )
    ).one()
    thread.post_count = int(count)
    thread.last_post_id = last_id
    if last_at is not None:
        thread.last_activity_at = max(thread.last_activity_at or _aware(last_at), _aware(last_at))
    thread.last_poster_id = db.session.scalar(select(Post.author_id).where(Post.id == last_id))


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
