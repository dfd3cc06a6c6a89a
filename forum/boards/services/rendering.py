"""Rendering stored post bodies again, after the Markdown rules or IMAGE_HOSTS change."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select, update

from forum.boards.models import Post, PostRevision
from forum.boards.services import versions
from forum.boards.services.threads import render_body
from forum.extensions import db


@dataclasses.dataclass(frozen=True)
class RerenderBatch:
    """One batch: the last id it looked at (None when there was nothing left) and counts."""

    last_id: int | None
    seen: int
    changed: int


def count_rendered() -> tuple[int, int]:
    """How many posts and earlier versions of posts there are to render."""
    posts = db.session.scalar(select(func.count(Post.id))) or 0
    revisions = db.session.scalar(select(func.count(PostRevision.id))) or 0
    return int(posts), int(revisions)


def rerender_batch(
    model: type[Post] | type[PostRevision], *, after_id: int, limit: int, dry_run: bool = False
) -> RerenderBatch:
    """Render the next `limit` bodies of `model` (ids above `after_id`) with today's rules and
    store each `body_html` that comes out different (unless `dry_run`).

    The HTML is written only while the body is still the one rendered, so an edit committed
    meanwhile keeps its own rendering. Never commits; the caller commits each batch.
    """
    rows = db.session.execute(
        select(model.id, model.body, model.body_html)
        .where(model.id > after_id)
        .order_by(model.id)
        .limit(limit)
    ).all()
    changed = 0
    rewritten: list[int] = []
    for row in rows:
        html, _people = render_body(row.body)
        if html == row.body_html:
            continue
        changed += 1
        if not dry_run:
            db.session.execute(
                update(model)
                .where(model.id == row.id, model.body == row.body)
                .values(body_html=html)
                .execution_options(synchronize_session=False)
            )
            rewritten.append(row.id)
    if model is Post:
        versions.bump_threads_of_posts(rewritten)  # their cached pages show the old HTML
    return RerenderBatch(last_id=rows[-1].id if rows else None, seen=len(rows), changed=changed)
