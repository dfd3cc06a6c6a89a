"""Result sets kept per index generation, so a repeated search (a common word, a popular page)
costs a dictionary look-up instead of ranking thousands of documents again.

An entry is keyed on everything its content depends on:
- the index generation it was read from (any index commit or rebuild makes a new one);
- the whole query, the page and its size;
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

from forum.search.backend import SearchQuery, SearchResults

MAX_ENTRIES = 256

CacheKey = tuple[Hashable, ...]


def key_for(
    generation: str, query: SearchQuery, board_ids: Iterable[int], page: int, per_page: int
) -> CacheKey:
    return (generation, query.key(), frozenset(board_ids), page, per_page)


class ResultCache:
    """A bounded, thread-safe map from CacheKey to SearchResults."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[CacheKey, SearchResults] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> SearchResults | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: CacheKey, results: SearchResults) -> None:
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
