"""What one reader may be told about a thread: the rule behind every side channel that names one.

Pages load objects through the visibility query (visibility.py) and answer 404 for the rest.
Everything that names a thread outside such a query (a notice, an email, a digest, a webhook
payload, a registry history entry, an API field such as `solution_thread_id`, an escalation
alert) asks here, for the person who will read it:

- a person may read about a thread when they may see its board (`can_see_board`);
- `CHANNEL` stands for a webhook channel (Slack, Teams) whose readers are unknown: it reads only
  threads on `staff` boards, like a colleague with no department, no moderation, no seniority;
- a thread may point at another (a solution's fix thread) only when every reader of the first
  can read the second (`readers_can_read`).

A thread the reader may not read is named `HIDDEN_THREAD`, never by title, board or id.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable

from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.boards.models import Board, BoardVisibility, Thread
from forum.boards.services.visibility import board_visibility_clause, can_see_board
from forum.extensions import db

HIDDEN_THREAD = "a thread you cannot see"


class Audience(enum.Enum):
    """A reader who is not one person."""

    # A webhook channel: whoever is in it may be anyone on the staff.
    CHANNEL = "channel"


CHANNEL = Audience.CHANNEL

Reader = User | Audience | None


def can_read_board(reader: Reader, board: Board) -> bool:
    """True when `reader` may be told about what is on `board` (see the module rule)."""
    if reader is CHANNEL:
        return board.visibility == BoardVisibility.STAFF
    return can_see_board(reader, board)  # type: ignore[arg-type]


def can_read_thread(reader: Reader, thread: Thread) -> bool:
    """True when `reader` may be told about `thread`: its title, its posts, that it exists.
    Nobody is told about a deleted thread."""
    return not thread.is_deleted and can_read_board(reader, thread.board)


def readable_thread_ids(reader: Reader, thread_ids: Iterable[int]) -> set[int]:
    """Those of `thread_ids` that `reader` may be told about, in one query."""
    wanted = {int(i) for i in thread_ids}
    if not wanted:
        return set()
    clause = (
        Board.visibility == BoardVisibility.STAFF
        if reader is CHANNEL
        else board_visibility_clause(reader)  # type: ignore[arg-type]
    )
    return set(
        db.session.scalars(
            select(Thread.id)
            .join(Thread.board)
            .where(Thread.id.in_(wanted), clause, Thread.deleted_at.is_(None))
        )
    )


@dataclasses.dataclass(frozen=True)
class ThreadMention:
    """How a thread is named to one reader: in full, or as HIDDEN_THREAD with nothing else."""

    visible: bool
    title: str
    id: int | None = None
    url: str | None = None
    board: str | None = None


HIDDEN = ThreadMention(visible=False, title=HIDDEN_THREAD)


def mention(thread: Thread) -> ThreadMention:
    return ThreadMention(
        visible=True,
        title=thread.title,
        id=thread.id,
        url=f"/t/{thread.id}-{thread.slug}",
        board=thread.board.name,
    )


def describe_thread(reader: Reader, thread: Thread | None) -> ThreadMention:
    """`thread` as `reader` may see it named; HIDDEN when they may not (or it is gone)."""
    if thread is None or not can_read_thread(reader, thread):
        return HIDDEN
    return mention(thread)


def describe_thread_ids(reader: Reader, thread_ids: Iterable[int]) -> dict[int, ThreadMention]:
    """Each of `thread_ids` as `reader` may see it named (HIDDEN for missing ones), two queries."""
    wanted = {int(i) for i in thread_ids}
    visible = readable_thread_ids(reader, wanted)
    threads = (
        {t.id: t for t in db.session.scalars(select(Thread).where(Thread.id.in_(visible)))}
        if visible
        else {}
    )
    return {i: mention(threads[i]) if i in threads else HIDDEN for i in wanted}


def solution_thread_for(reader: Reader, thread: Thread) -> Thread | None:
    """The fix thread that solved `thread`, when `reader` may read it; None otherwise."""
    fix = thread.solution_thread if thread.solution_thread_id is not None else None
    return fix if fix is not None and can_read_thread(reader, fix) else None


def readers_can_read(board: Board, named: Board) -> bool:
    """True when everyone who may see `board` may also see `named`: a thread on `board` may
    then name a thread on `named` (a staff board is seen by all; a department board by its
    department, its moderators and seniors)."""
    if named.visibility == BoardVisibility.STAFF or named.id == board.id:
        return True
    if board.visibility == BoardVisibility.STAFF:
        return False
    if board.department_id is not None and board.department_id != named.department_id:
        return False
    # Moderators see their board whatever their department: each must see `named` too.
    moderators = [link.user for link in board.moderator_links]
    return all(
        not person.is_active
        or person.has_role(Role.SENIOR)
        or (named.department_id is not None and person.department_id == named.department_id)
        or person.id in named.moderator_ids
        for person in moderators
    )


def thread_refs(*threads: Thread | None) -> list[str]:
    """The references a stored notice keeps of the threads it names, so that reading it later
    can check them again (forum.alerts.redaction)."""
    return [f"thread:{t.id}" for t in threads if t is not None]
