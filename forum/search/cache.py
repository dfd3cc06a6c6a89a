"""Result sets kept per index generation, so a repeated search (a common word, a popular page)
costs a dictionary look-up instead of ranking thousands of documents again.

Two kinds of entries: every matching thread of a query in order (ThreadMatches: one list serves
every page), and the best-matching posts of one page's threads (with their snippets).

An entry is keyed on everything its content depends on:
- the index generation it was read from (any index commit or rebuild makes a new one);
- the whole query and the order asked of the backend (and, for posts, the page's threads);
- the exact set of boards the reader may see: two readers share an entry only when they may
  see the same boards, so a department-only hit is never shown, nor counted, to anyone else.

Only results read while the search queue was empty are kept or reused: then the index agrees
with the database for every change that search depends on (posts, threads, moves, hides and
deletes all queue an index change), so the database check made when the entry was computed
still holds. While changes wait, every search is computed afresh and checked against the
database. Result rows are read from the database each time in any case (forum.search.services).
The cache lives in each process's memory and is bounded (least recently used entries go).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable

from forum.search.backend import SearchHit, SearchQuery, ThreadMatches

MAX_ENTRIES = 256

CacheKey = tuple[Hashable, ...]


Cached = ThreadMatches | dict[int, list[SearchHit]]


def threads_key(
    generation: str, query: SearchQuery, board_ids: Iterable[int], *, newest: bool
) -> CacheKey:
    return (generation, "threads", query.key(), frozenset(board_ids), newest)


def posts_key(
    generation: str,
    query: SearchQuery,
    board_ids: Iterable[int],
    thread_ids: Iterable[int],
    per_thread: int,
) -> CacheKey:
    return (generation, "posts", query.key(), frozenset(board_ids), tuple(thread_ids), per_thread)


class ResultCache:
    """A bounded, thread-safe map from CacheKey to cached results. Entries are shared between
    requests: callers never change what they get."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[CacheKey, Cached] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> Cached | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: CacheKey, results: Cached) -> None:
        with self._lock:
            self._entries[key] = results
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


results = ResultCache()
