"""Changing posts after they are written: edits with revisions, soft delete, reactions."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, case, delete, func, select
from sqlalchemy.orm import joinedload

from forum.accounts.models import User
from forum.boards import signals
from forum.boards.models import Post, PostKind, PostRevision, Reaction, ReactionKind
from forum.boards.services import notify, versions
from forum.boards.services.threads import render_body
from forum.boards.services.validation import (
    clean_body,
    clean_tags,
    clean_title,
    dialect_insert,
    parse_kind,
    slugify,
    tags_for,
)
from forum.boards.services.visibility import (
    can_delete_post,
    can_edit_post,
    can_moderate,
    can_see_board,
)
from forum.core.db import read_connection, utcnow
from forum.core.errors import Conflict, Invalid, NotFound, NotPermitted
from forum.extensions import db

logger = logging.getLogger(__name__)


def is_first_post(post: Post) -> bool:
    """True for a thread's opening post (whose edit may also change title, kind and tags)."""
    first_id = db.session.scalar(select(func.min(Post.id)).where(Post.thread_id == post.thread_id))
    return first_id == post.id


def edit_post(
    post: Post,
    *,
    editor: User,
    body: str,
    title: str | None = None,
    kind: PostKind | str | None = None,
    tags: Iterable[str] | str | None = None,
    now: dt.datetime | None = None,
) -> Post:
    """Replace a post's text, keeping the previous text as a visible revision.

    The author (unless the thread is locked or the post hidden) or a moderator may edit; others
    get NotPermitted. On the opening post `title`, `kind` and `tags` (None = unchanged) edit
    the thread too. Raises Invalid with field messages for bad input. No change, no revision.
    """
    thread = post.thread
    if not can_see_board(editor, thread.board):
        raise NotFound("There is no such post.")
    if not can_edit_post(editor, post):
        raise NotPermitted("You cannot edit this post.")
    first = is_first_post(post)
    errors: dict[str, str] = {}
    text = clean_body(body, errors)
    new_title = clean_title(title, errors) if first and title is not None else thread.title
    new_kind = parse_kind(kind, errors) if first and kind is not None else thread.kind_enum
    new_tags = clean_tags(tags, errors) if first and tags is not None else thread.tag_names
    if errors or new_kind is None:
        raise Invalid("Check the highlighted fields.", fields=errors)

    changes: set[str] = set()
    if new_title != thread.title:
        changes.add("title")
    if new_kind != thread.kind_enum:
        changes.add("kind")
    if new_tags != thread.tag_names:
        changes.add("tags")
    if text == post.body and not changes:
        return post

    now = now or utcnow()
    revision: PostRevision | None = None
    if text != post.body or "title" in changes:
        revision = PostRevision(
            post=post,
            editor_id=editor.id,
            body=post.body,
            body_html=post.body_html,
            title=thread.title if first else None,
            written_at=post.edited_at or post.created_at,
            created_at=now,
        )
        db.session.add(revision)
        html, mentioned = render_body(text)
        post.body, post.body_html = text, html
        post.edited_at, post.edited_by_id = now, editor.id
    else:
        mentioned = []
    if changes:
        thread.title, thread.slug = new_title, slugify(new_title)
        if new_kind != thread.kind_enum:
            thread.kind = new_kind
            if not new_kind.solvable:
                thread.solution_post_id = thread.solution_thread_id = None
                thread.solved_at, thread.solved_by_id = None, None
        if "tags" in changes:
            thread.tags = tags_for(new_tags)
    db.session.flush()
    notify.notify_mentions(post, mentioned)
    logger.info("post %s edited by user %s", post.id, editor.id)
    if revision is not None:
        signals.post_edited.send(post, editor=editor, revision=revision)
    if changes:
        signals.thread_updated.send(thread, actor=editor, changes=changes)
    return post


def revisions(post: Post) -> list[PostRevision]:
    """A post's earlier versions, newest first, with their editors."""
    return list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .options(joinedload(PostRevision.editor))
            .order_by(PostRevision.id.desc())
        )
    )


def _clear_solution_pointing_at(post: Post, actor: User) -> None:
    thread = post.thread
    if thread.solution_post_id == post.id:
        thread.solution_post_id = None
        thread.solved_at, thread.solved_by_id = None, None
        db.session.flush()
        signals.thread_solved.send(thread, post=None, solution_thread=None, actor=actor)


def delete_post(post: Post, *, actor: User, now: dt.datetime | None = None) -> Post:
    """Soft-delete: the row and a placeholder stay; the author or a moderator may do it.

    Raises NotPermitted for anyone else and Conflict when it is already deleted. A deleted
    solution stops being the solution.
    """
    if not can_see_board(actor, post.thread.board):
        raise NotFound("There is no such post.")
    if post.is_deleted:
        raise Conflict("That post is already deleted.")
    if not can_delete_post(actor, post):
        raise NotPermitted("You cannot delete this post.")
    post.deleted_at = now or utcnow()
    post.deleted_by_id = actor.id
    db.session.flush()
    _clear_solution_pointing_at(post, actor)
    logger.info("post %s deleted by user %s", post.id, actor.id)
    signals.post_deleted.send(post, actor=actor)
    return post


def restore_post(post: Post, *, actor: User) -> Post:
    """Undo a delete or a hide. Moderators may undo either; an author may undo their own delete.

    Raises NotPermitted otherwise and Conflict when the post is not deleted or hidden.
    """
    if not can_see_board(actor, post.thread.board):
        raise NotFound("There is no such post.")
    if post.is_visible:
        raise Conflict("That post is already visible.")
    moderator = can_moderate(actor, post.thread.board)
    own_delete = (
        post.author_id == actor.id and post.deleted_by_id == actor.id and not post.is_hidden
    )
    if not (moderator or own_delete):
        raise NotPermitted("You cannot restore this post.")
    post.deleted_at = post.deleted_by_id = None
    post.hidden_at = post.hidden_by_id = post.hidden_reason = None
    db.session.flush()
    logger.info("post %s restored by user %s", post.id, actor.id)
    signals.post_restored.send(post, actor=actor)
    return post


def toggle_reaction(
    post: Post, *, user: User, kind: ReactionKind | str, now: dt.datetime | None = None
) -> bool:
    """Add the reaction, or remove it when `user` already gave it; returns True when added.

    One of each kind per person and post. Raises Invalid for an unknown kind, NotPermitted on
    one's own post, Conflict on a deleted or hidden post, NotFound when the board is invisible.
    """
    if not can_see_board(user, post.thread.board):
        raise NotFound("There is no such post.")
    try:
        parsed = ReactionKind(kind)
    except ValueError as exc:
        raise Invalid(
            fields={"kind": "Choose one of: " + ", ".join(k.value for k in ReactionKind) + "."}
        ) from exc
    if post.author_id == user.id:
        raise NotPermitted("You cannot react to your own post.")
    if not post.is_visible:
        raise Conflict("That post was deleted or hidden.")
    removed = db.session.execute(
        delete(Reaction).where(
            Reaction.post_id == post.id, Reaction.user_id == user.id, Reaction.kind == parsed
        )
    )
    # The counts show on the thread's cached pages (INSERT and DELETE bypass the ORM's events).
    versions.bump_thread(post.thread_id)
    if removed.rowcount:  # type: ignore[attr-defined]
        return False
    # The same click arriving twice inserts nothing the second time: it is there, as asked.
    db.session.execute(
        dialect_insert(Reaction)
        .values(
            post_id=post.id,
            user_id=user.id,
            kind=parsed,
            created_at=now or utcnow(),
        )
        .on_conflict_do_nothing()
    )
    return True


@dataclass
class ReactionCount:
    kind: ReactionKind
    count: int = 0
    mine: bool = False


@dataclass
class PostReactions:
    counts: dict[ReactionKind, ReactionCount] = field(default_factory=dict)

    def get(self, kind: ReactionKind) -> ReactionCount:
        return self.counts.get(kind) or ReactionCount(kind=kind)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.get(kind) for kind in ReactionKind)


# Built once: every thread page runs it.
_OWN_REACTIONS = select(Reaction.post_id, Reaction.kind).where(
    Reaction.user_id == bindparam("user_id"),
    Reaction.post_id.in_(bindparam("post_ids", expanding=True)),
)


def own_reactions(user: User, post_ids: Iterable[int]) -> set[tuple[int, str]]:
    """(post id, kind) of every reaction `user` gave to these posts (one query)."""
    ids = list(post_ids)
    if not ids:
        return set()
    rows = read_connection(db.session).execute(
        _OWN_REACTIONS, {"user_id": user.id, "post_ids": ids}
    )
    return {(post_id, str(kind)) for post_id, kind in rows}


def reaction_summary(post_ids: Iterable[int], user: User | None) -> dict[int, PostReactions]:
    """post id -> counts per reaction kind and whether `user` gave each (one query)."""
    ids = list(post_ids)
    summary: dict[int, PostReactions] = {post_id: PostReactions() for post_id in ids}
    if not ids:
        return summary
    me = user.id if user is not None else -1
    rows = db.session.execute(
        select(
            Reaction.post_id,
            Reaction.kind,
            func.count(Reaction.id),
            func.max(case((Reaction.user_id == me, 1), else_=0)),
        )
        .where(Reaction.post_id.in_(ids))
        .group_by(Reaction.post_id, Reaction.kind)
    )
    for post_id, kind, count, mine in rows:
        parsed = ReactionKind(kind)
        summary[post_id].counts[parsed] = ReactionCount(kind=parsed, count=count, mine=bool(mine))
    return summary
