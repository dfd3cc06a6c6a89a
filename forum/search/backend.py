"""The SearchBackend protocol and the plain values that cross it (documents, queries, hits).

Services speak only this protocol, so the PostgreSQL full-text backend replaces Whoosh
(SEARCH_BACKEND) without touching the views or the API. A backend that also speaks
InTransactionBackend keeps its documents in the app's database, in each writer's transaction.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence, Set
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeAlias, runtime_checkable

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class IndexState(enum.StrEnum):
    READY = "ready"
    # Never built, or built with an older schema: needs a rebuild before it can answer.
    MISSING = "missing"
    # Files that cannot be opened or read: needs a rebuild.
    CORRUPT = "corrupt"


class IndexUnavailable(Exception):
    """The index cannot be read or written right now (missing, corrupt, or being replaced)."""


class QuerySyntaxError(ValueError):
    """The backend cannot turn the query text into a query (its parser refused it)."""


@dataclass(frozen=True)
class SearchDocument:
    """One searchable unit: a thread (its title and opening post) or one reply."""

    key: str
    doc_type: str
    thread_id: int
    post_id: int
    board_id: int
    kind: str
    # The thread's title; searchable on thread documents only, so a title match is one hit.
    title: str
    text: str
    tags: tuple[str, ...]
    author_id: int
    # Lower-case words `author:` matches: the email local part, its pieces, the name's words.
    author_terms: tuple[str, ...]
    author_name: str
    created_at: dt.datetime


@dataclass
class IndexBatch:
    """Changes applied in one index commit."""

    # thread id -> every document the thread should now have (empty: remove them all).
    threads: dict[int, list[SearchDocument]] = field(default_factory=dict)
    upserts: list[SearchDocument] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.threads or self.upserts or self.deletes)


@dataclass(frozen=True)
class SearchQuery:
    """A parsed request: free text (with the backend's own syntax) plus structured filters."""

    text: str = ""
    kind: str | None = None
    board_id: int | None = None
    tag: str | None = None
    author: str | None = None
    # Inclusive start and exclusive end, UTC.
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    # `board:<slug>` inside the text resolves through this map (only boards the reader sees).
    board_ids_by_slug: Mapping[str, int] = field(default_factory=dict)

    def key(self) -> tuple[Hashable, ...]:
        """Everything the query says, hashable (the mapping is not): for caches."""
        return (
            self.text,
            self.kind,
            self.board_id,
            self.tag,
            self.author,
            self.start,
            self.end,
            tuple(sorted(self.board_ids_by_slug.items())),
        )

    @property
    def is_empty(self) -> bool:
        return not (
            self.text.strip()
            or self.kind
            or self.board_id is not None
            or self.tag
            or self.author
            or self.start
            or self.end
        )


@dataclass(frozen=True)
class SearchHit:
    thread_id: int
    post_id: int
    board_id: int
    doc_type: str
    title: str
    kind: str
    author_name: str
    created_at: dt.datetime | None
    # Escaped text with <mark> around matches: safe to render as HTML.
    snippet_html: str


DocRef: TypeAlias = tuple[int, int]
"""(thread_id, post_id) of one indexed document, read without its stored text."""

Confirm: TypeAlias = Callable[[Sequence[DocRef]], Set[int]]
"""Given candidate documents, the post ids among them the reader may see now (the database's
answer, which wins over whatever the index still holds)."""


class SearchSort(enum.StrEnum):
    """How matching threads are ordered. Within a thread its posts are always best match first."""

    # The thread's best-matching post ranks it (newest first when no word was asked).
    RELEVANCE = "relevance"
    # The thread whose newest matching post is the most recent comes first.
    NEWEST = "newest"
    # Threads with an accepted solution first, then by helpful marks on their posts
    # (forum.search.services orders them; backends are asked for relevance).
    HELPFUL = "helpful"

    @property
    def label(self) -> str:
        return {"relevance": "Best match", "newest": "Newest", "helpful": "Most helpful"}[
            self.value
        ]


@dataclass(frozen=True)
class ThreadMatches:
    """Every thread with at least one confirmed hit, one entry per thread, best first."""

    thread_ids: list[int]
    # The index content these were read from (see SearchBackend.generation).
    generation: str | None = None
    # thread id -> the post ids of its best few confirmed hits, best first, when the backend
    # read them in the same pass (Whoosh does; PostgreSQL ranks a page's posts afresh).
    best_post_ids: Mapping[int, tuple[int, ...]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.thread_ids)


class SearchBackend(Protocol):
    """Where documents are indexed and searched. Writers must hold `write_lock`."""

    def state(self) -> IndexState:
        """Whether the index can answer queries."""
        ...

    def is_rebuilding(self) -> bool:
        """True while any process holds the rebuild lock."""
        ...

    def generation(self) -> str | None:
        """A name for the index's content now, which changes with every commit and rebuild;
        None when the index cannot be read. Results are cached under it."""
        ...

    def write_lock(self, timeout: float) -> AbstractContextManager[bool]:
        """Exclusive, cross-process right to change the index; yields False after `timeout`."""
        ...

    def rebuild_lock(self) -> AbstractContextManager[bool]:
        """Exclusive right to rebuild; yields False at once when another process rebuilds."""
        ...

    def apply(self, batch: IndexBatch) -> None:
        """Apply the changes in one commit; raises IndexUnavailable when the index is broken."""
        ...

    def validate(self, query: SearchQuery) -> None:
        """Raises QuerySyntaxError when the query text cannot be run; reads no index."""
        ...

    def threads(
        self,
        query: SearchQuery,
        *,
        board_ids: Iterable[int],
        confirm: Confirm,
        newest: bool = False,
        per_thread: int = 3,
    ) -> ThreadMatches:
        """Every thread with a hit indexed on the given boards that `confirm` accepts, once
        each, ranked by its best hit (or, with `newest`, by its newest hit); `per_thread` says
        how many best_post_ids to keep, if the backend keeps any. Raises
        QuerySyntaxError for text it cannot run and IndexUnavailable when the index is broken."""
        ...

    def best_posts(
        self,
        query: SearchQuery,
        *,
        thread_ids: Sequence[int],
        board_ids: Iterable[int],
        confirm: Confirm,
        per_thread: int,
        matches: ThreadMatches | None = None,
    ) -> dict[int, list[SearchHit]]:
        """Up to `per_thread` confirmed hits of each of `thread_ids` (a page of them), best
        first, with snippets; `matches` is what `threads` answered for the same query, whose
        best_post_ids name them. Raises as `threads` does."""
        ...

    def rebuild(self, documents: Iterator[SearchDocument]) -> int:
        """Build a fresh index from `documents` aside, then swap it in atomically; returns
        the number of documents."""
        ...


@runtime_checkable
class InTransactionBackend(SearchBackend, Protocol):
    """A backend whose documents are rows of the app's database: writers change them inside
    their own transaction (forum.search.in_transaction) instead of queueing, so they commit or
    roll back with the change and search never lags behind the database."""

    def lock_threads(self, session: Session, thread_ids: Iterable[int]) -> None:
        """Take, until `session`'s transaction ends, the right to rewrite these threads'
        documents: writers of one thread (and a rebuild) then apply their changes in turn."""
        ...

    def apply_in(self, session: Session, batch: IndexBatch) -> None:
        """Apply the changes inside `session`'s transaction (its caller commits)."""
        ...

    def remove_orphans(self, session: Session) -> int:
        """Remove documents whose thread no longer exists; returns how many."""
        ...


def chunked(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
