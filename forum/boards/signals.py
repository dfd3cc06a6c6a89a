"""Signals the boards send so higher capabilities (search, escalations) can follow changes.

Every signal is sent by a boards service AFTER `db.session.flush()`, INSIDE the caller's
transaction: ids are assigned, but the transaction may still roll back. A receiver that writes
outside the database (the search index) must therefore only record what changed and act after
commit (e.g. collect ids on `db.session.info` and process them in an `after_commit` listener);
a receiver that writes rows (escalations) may add them to the same session so they commit or
roll back together. Receivers must not commit and must not raise for ordinary conditions.

The sender is always the changed object (a Thread, Post or Board); extra data is passed as
keyword arguments, listed for each signal below. Connect with e.g.
`post_created.connect(on_post_created)` where `def on_post_created(post, **extra) -> None`.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

thread_created = _signals.signal("thread-created")
"""sender: Thread (flushed). kwargs: `post` (the opening Post), `author` (User).
Sent once per new thread; `post_created` is also sent for its opening post (is_first=True)."""

thread_updated = _signals.signal("thread-updated")
"""sender: Thread. kwargs: `actor` (User), `changes` (set[str] of "title", "kind", "tags",
"is_pinned", "is_locked", "deleted_at", "posts"). Sent when an edit changes what a thread
listing or index shows, when a whole thread is deleted, merged away or restored ("deleted_at"),
and when another thread's posts were merged into it ("posts")."""

thread_moved = _signals.signal("thread-moved")
"""sender: Thread (already on its new board). kwargs: `from_board` (Board), `to_board` (Board),
`actor` (User). Visibility of the thread and all its posts may have changed."""

thread_solved = _signals.signal("thread-solved")
"""sender: Thread. kwargs: `post` (Post | None, the solving reply), `solution_thread`
(Thread | None, a linked fix thread), `actor` (User). Also sent with both None when a solution
is cleared."""

post_created = _signals.signal("post-created")
"""sender: Post (flushed, with `post.thread` loaded). kwargs: `thread` (Thread), `author`
(User), `is_first` (bool: True for a thread's opening post, False for a reply). Escalations use
this to notice a senior's reply."""

post_edited = _signals.signal("post-edited")
"""sender: Post (body and body_html already replaced). kwargs: `editor` (User),
`revision` (PostRevision holding the previous text)."""

post_deleted = _signals.signal("post-deleted")
"""sender: Post (soft-deleted: deleted_at set, row kept). kwargs: `actor` (User)."""

post_hidden = _signals.signal("post-hidden")
"""sender: Post (hidden_at and hidden_reason set by a moderator). kwargs: `actor` (User),
`reason` (str)."""

post_restored = _signals.signal("post-restored")
"""sender: Post (visible again after a delete or hide was undone). kwargs: `actor` (User)."""

board_visibility_changed = _signals.signal("board-visibility-changed")
"""sender: Board (with its new visibility/department). kwargs: `old_visibility`
(BoardVisibility), `old_department_id` (int | None), `actor` (User). Who may see every thread
on the board may have changed."""

__all__ = [
    "board_visibility_changed",
    "post_created",
    "post_deleted",
    "post_edited",
    "post_hidden",
    "post_restored",
    "thread_created",
    "thread_moved",
    "thread_solved",
    "thread_updated",
]
