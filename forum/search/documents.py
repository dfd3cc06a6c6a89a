"""What the index should hold, read from the database (the source of truth)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from forum.accounts.models import User
from forum.boards.models import Post, Thread
from forum.core.markup import plain_text
from forum.search.backend import IndexBatch, SearchDocument, chunked
from forum.search.models import SearchAction, SearchDocType

REBUILD_CHUNK = 200


def thread_key(thread_id: int) -> str:
    return f"thread:{thread_id}"


def post_key(post_id: int) -> str:
    return f"post:{post_id}"


def author_terms(user: User) -> tuple[str, ...]:
    """What `author:` matches for this person: `priya.shah`, `priya`, `shah` (email local part,
    its pieces), their handle and the words of the display name, lower-cased."""
    local = user.email.split("@", 1)[0].lower()
    words = [
        local,
        *re.split(r"[._+\-]+", local),
        *([user.handle] if user.handle else []),
        *user.display_name.lower().split(),
    ]
    return tuple(dict.fromkeys(word for word in words if word))


def _document(thread: Thread, post: Post, *, is_first: bool) -> SearchDocument:
    author = thread.author if is_first else post.author
    return SearchDocument(
        key=thread_key(thread.id) if is_first else post_key(post.id),
        doc_type="thread" if is_first else "post",
        thread_id=thread.id,
        post_id=post.id,
        board_id=thread.board_id,
        kind=str(thread.kind),
        title=thread.title,
        text=plain_text(post.body_html),
        tags=tuple(tag.name for tag in thread.tags),
        author_id=author.id,
        author_terms=author_terms(author),
        author_name=author.display_name,
        created_at=thread.created_at if is_first else post.created_at,
    )


def thread_documents(
    session: Session, thread_ids: Iterable[int]
) -> dict[int, list[SearchDocument]]:
    """Every document each thread should have now: its own (title and opening post) while the
    opening post is visible, and one per visible reply. A deleted or hidden opening post takes
    the thread's own document out of search; its replies stay findable, as they stay readable on
    the thread's page. A thread that no longer exists, or was deleted, maps to an empty list."""
    ids = sorted(set(thread_ids))
    found: dict[int, list[SearchDocument]] = {thread_id: [] for thread_id in ids}
    for chunk in chunked(ids, REBUILD_CHUNK):
        threads = (
            session.scalars(
                select(Thread)
                .where(Thread.id.in_(chunk))
                .options(joinedload(Thread.author), selectinload(Thread.tags))
            )
            .unique()
            .all()
        )
        posts_by_thread: dict[int, list[Post]] = defaultdict(list)
        for post in session.scalars(
            select(Post)
            .where(Post.thread_id.in_(chunk))
            .options(joinedload(Post.author))
            .order_by(Post.thread_id, Post.id)
        ):
            posts_by_thread[post.thread_id].append(post)
        for thread in threads:
            posts = posts_by_thread.get(thread.id, [])
            if not posts or thread.is_deleted:
                continue
            found[thread.id] = [
                _document(thread, post, is_first=index == 0)
                for index, post in enumerate(posts)
                if post.is_visible
            ]
    return found


def first_post_ids(session: Session, thread_ids: Iterable[int]) -> set[int]:
    ids = sorted(set(thread_ids))
    if not ids:
        return set()
    return set(
        session.scalars(
            select(func.min(Post.id)).where(Post.thread_id.in_(ids)).group_by(Post.thread_id)
        )
    )


def posts_by_id(session: Session, post_ids: Iterable[int]) -> dict[int, Post]:
    ids = sorted(set(post_ids))
    found: dict[int, Post] = {}
    for chunk in chunked(ids, REBUILD_CHUNK):
        for post in session.scalars(
            select(Post)
            .where(Post.id.in_(chunk))
            .options(
                joinedload(Post.author),
                joinedload(Post.thread).joinedload(Thread.author),
                joinedload(Post.thread).selectinload(Thread.tags),
            )
        ).unique():
            found[post.id] = post
    return found


def reply_document(post: Post) -> SearchDocument:
    return _document(post.thread, post, is_first=False)


def count_threads(session: Session) -> int:
    return int(session.scalar(select(func.count(Thread.id))) or 0)


def count_posts(session: Session) -> int:
    return int(session.scalar(select(func.count(Post.id))) or 0)


def batch_for(session: Session, rows: Sequence[tuple[str, int, str]]) -> IndexBatch:
    """The index changes that make the documents named by (doc_type, doc_id, action) rows,
    in the order they were recorded, match the database now."""
    latest: dict[tuple[str, int], str] = {}
    for doc_type, doc_id, action in rows:
        latest[(doc_type, doc_id)] = action  # rows come in id order: the last one wins
    threads_to_delete = {
        doc_id
        for (doc_type, doc_id), action in latest.items()
        if doc_type == SearchDocType.THREAD and action == SearchAction.DELETE
    }
    thread_ids = {
        doc_id for (doc_type, doc_id) in latest if doc_type == SearchDocType.THREAD
    } - threads_to_delete
    post_actions = {
        doc_id: action
        for (doc_type, doc_id), action in latest.items()
        if doc_type == SearchDocType.POST
    }
    posts = posts_by_id(session, post_actions)
    first_ids = first_post_ids(session, {post.thread_id for post in posts.values()})
    # An opening post lives in its thread's document: refresh the whole thread.
    thread_ids |= {post.thread_id for post in posts.values() if post.id in first_ids}

    batch = IndexBatch()
    for post_id, action in post_actions.items():
        post = posts.get(post_id)
        if post is not None and (
            post.thread_id in thread_ids or post.thread_id in threads_to_delete
        ):
            continue
        if post is None or action == SearchAction.DELETE or not post.is_visible:
            batch.deletes.append(post_key(post_id))
        else:
            batch.upserts.append(reply_document(post))
    batch.threads.update(thread_documents(session, thread_ids))
    batch.threads.update({thread_id: [] for thread_id in threads_to_delete})
    return batch


def thread_id_chunks(session: Session) -> Iterator[list[int]]:
    """Every thread id, REBUILD_CHUNK at a time, in id order."""
    last_id = 0
    while True:
        chunk = list(
            session.scalars(
                select(Thread.id)
                .where(Thread.id > last_id)
                .order_by(Thread.id)
                .limit(REBUILD_CHUNK)
            )
        )
        if not chunk:
            return
        yield chunk
        last_id = chunk[-1]


def all_documents(
    session: Session, on_thread: Callable[[int], None] | None = None
) -> Iterator[SearchDocument]:
    """Every document of every thread, a chunk of threads at a time; `on_thread(n)` is called
    after each chunk with the number of threads it held."""
    for chunk in thread_id_chunks(session):
        for documents in thread_documents(session, chunk).values():
            yield from documents
        if on_thread is not None:
            on_thread(len(chunk))
        session.expunge_all()
