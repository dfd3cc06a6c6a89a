"""Threads like the one someone is about to start: looked up from the title they are typing."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from forum.accounts.models import User
from forum.boards import services as boards
from forum.boards.models import Board, PostKind
from forum.search import indexing, results, services
from forum.search.backend import IndexUnavailable, QuerySyntaxError, SearchQuery
from forum.search.indexing import SearchStatus

logger = logging.getLogger(__name__)

SIMILAR_MAX = 5
# Fewer characters than this ask for nothing yet (a person still typing the first word).
MIN_CHARS = 3
# Only the first words of a long title are looked for.
MAX_WORDS = 12
TITLE_MAX_CHARS = 300
_WORD = re.compile(r"\w+")
# The query syntax's operators, which a title's words must not turn into.
_OPERATORS = frozenset({"and", "or", "not", "andnot", "andmaybe", "to"})


@dataclass(frozen=True)
class SimilarThread:
    thread_id: int
    title: str
    url: str
    kind: PostKind
    board: Board
    is_solved: bool


def title_query(title: str) -> str:
    """Any of the title's words (lower case, no syntax), for the backends' parser."""
    words = [
        word
        for word in _WORD.findall(title[:TITLE_MAX_CHARS].lower())
        if len(word) > 1 and word not in _OPERATORS
    ]
    return " OR ".join(dict.fromkeys(words[:MAX_WORDS]))


def similar_threads(user: User, title: str, *, limit: int = SIMILAR_MAX) -> list[SimilarThread]:
    """Up to `limit` threads `user` may see whose title, tags or posts share words with
    `title`, best match first. Never raises for what was typed and never drains the queue (it
    answers keystrokes): it finds nothing while the index is being built."""
    text = title_query(title or "")
    if len(" ".join(_WORD.findall(title or ""))) < MIN_CHARS or not text:
        return []
    # A missing index is rebuilt as the search page would (in the background when large).
    if indexing.ensure_index() is not SearchStatus.READY:
        return []
    visible = boards.visible_boards(user)
    board_ids = [board.id for board in visible]
    try:
        matches = services.matching_threads(
            SearchQuery(text=text), board_ids, newest=False, cacheable=indexing.backlog().count == 0
        )
    except (QuerySyntaxError, IndexUnavailable) as exc:
        logger.info("search: similar threads not looked up (%s)", type(exc).__name__)
        return []
    wanted = matches.thread_ids[:limit]
    if not wanted:
        return []
    by_board = {board.id: board for board in visible}
    found = results.thread_rows(wanted)
    similar = []
    for thread_id in wanted:
        row = found.get(thread_id)
        board = by_board.get(row.board_id) if row is not None else None
        if row is None or board is None:
            continue
        similar.append(
            SimilarThread(
                thread_id=row.id,
                title=row.title,
                url=f"/t/{row.id}-{row.slug}",
                kind=PostKind(row.kind),
                board=board,
                is_solved=row.solution_post_id is not None or row.solution_thread_id is not None,
            )
        )
    return similar
