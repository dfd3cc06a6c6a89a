"""The Whoosh search backend: schema, ranked and checked hits, safe snippets, locked writes and
atomic rebuilds. The query syntax lives in whoosh_query.

Layout of SEARCH_INDEX_DIR:

    CURRENT          the name of the live index directory (replaced atomically by a rebuild)
    v<schema>-<hex>/ one complete Whoosh index per rebuild (the previous one is kept for readers)
    write.lock       held by whichever process is applying queued changes
    rebuild.lock     held for the whole of a rebuild

An index built with another schema version counts as missing, so a deploy that changes the
schema rebuilds instead of failing.

A search ranks every match, reads each one's (board, thread, post, time) from the `ref` column,
keeps those indexed on the reader's boards, and hands them to the caller's `confirm` (the
database), so the total counts exactly the threads that could be shown. Results are grouped by
thread in that same pass (a dictionary over the candidates); the few posts shown under each
thread of a page come from a second search narrowed to those threads.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, TypeVar

from whoosh import highlight, index
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.searching import Searcher

from forum.search.backend import (
    Confirm,
    IndexBatch,
    IndexState,
    IndexUnavailable,
    QuerySyntaxError,
    SearchDocument,
    SearchHit,
    SearchQuery,
    ThreadMatches,
)
from forum.search.locks import FileLock, held
from forum.search.snippets import SNIPPET_CHARS, plain_snippet
from forum.search.whoosh_merging import merge_small_segments
from forum.search.whoosh_query import compile_query, is_scored
from forum.search.whoosh_readers import Searchers, close_all, open_reader
from forum.search.whoosh_schema import (
    SCHEMA,
    SCHEMA_VERSION,
    Candidate,
    MarkFormatter,
    document_fields,
    refs_on_boards,
)

logger = logging.getLogger(__name__)

POINTER = "CURRENT"

_T = TypeVar("_T")


_open_lock = threading.Lock()
_open_indexes: dict[str, FileIndex] = {}
# Bumped whenever open indexes are forgotten (a rebuild, a read or write error): searchers kept
# from before are dropped rather than reused.
_epoch = 0
# One long-lived Searcher per thread and index directory, refreshed (reusing the segments that
# did not change) when the index has a newer generation: opening one costs milliseconds.
_local = threading.local()


class WhooshBackend:
    """SearchBackend over a Whoosh index in `root` (SEARCH_INDEX_DIR)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._write_lock = self.root / "write.lock"
        self._rebuild_lock = self.root / "rebuild.lock"

    # -- opening -------------------------------------------------------------------------

    def _current_name(self) -> str | None:
        try:
            name = (self.root / POINTER).read_text().strip()
        except FileNotFoundError:
            return None
        if not name.startswith(f"v{SCHEMA_VERSION}-"):
            return None
        return name

    def _open(self) -> FileIndex:
        name = self._current_name()
        if name is None:
            raise IndexUnavailable("the search index has not been built")
        path = str(self.root / name)
        with _open_lock:
            ix = _open_indexes.get(path)
            if ix is None:
                try:
                    # Without mmap: Whoosh on Python 3 reads a compound segment through a
                    # BytesIO over the mapped file, which copies every file it opens (the whole
                    # postings of a 100k-post index, seconds per searcher or writer); plain file
                    # reads at an offset copy only what is read.
                    ix = FileStorage(path, supports_mmap=False).open_index()
                except Exception as exc:
                    raise IndexUnavailable(f"cannot open the search index: {exc!r}") from exc
                _open_indexes[path] = ix
        return ix

    def _forget(self) -> None:
        global _epoch
        with _open_lock:
            _epoch += 1
            for path in [p for p in _open_indexes if Path(p).parent == self.root]:
                del _open_indexes[path]

    def _searcher(self) -> tuple[str, Searcher]:
        """This thread's searcher on the live index at its latest generation, with the index
        directory's name. A searcher opened afresh is checked by reading one stored document
        (which touches the segment files, not just the TOC); one that is reused was checked
        when it was opened."""
        ix = self._open()
        path = str(ix.storage.folder)
        kept: Searchers = getattr(_local, "searchers", None) or Searchers()
        _local.searchers = kept
        if getattr(_local, "epoch", None) != _epoch:
            close_all(kept)
            _local.epoch = _epoch
        searcher = kept.get(path)
        if searcher is not None and searcher.up_to_date():
            return Path(path).name, searcher
        # Not Searcher.refresh(): its reuse of segment readers keys them by generation, which
        # all leaves share, so it leaks open files. A new searcher costs tens of milliseconds.
        close_all(kept)
        searcher = Searcher(open_reader(ix), fromindex=ix)
        if searcher.doc_count_all():
            searcher.stored_fields(0)
        kept[path] = searcher
        return Path(path).name, searcher

    def generation(self) -> str | None:
        """Names the index's content as it is now (directory and commit generation): equal
        names mean equal search results. None when there is no index to read."""
        name = self._current_name()
        if name is None:
            return None
        try:
            return f"{name}:{self._open().latest_generation()}"
        except Exception:
            return None

    def state(self) -> IndexState:
        if self._current_name() is None:
            return IndexState.MISSING
        try:
            self._searcher()
        except Exception as exc:
            self._forget()
            # No traceback kept: Whoosh leaves files open in the frames of a failed read.
            logger.warning("search index at %s cannot be read: %r", self.root, exc)
            return IndexState.CORRUPT
        return IndexState.READY

    # -- locks ---------------------------------------------------------------------------

    def write_lock(self, timeout: float) -> AbstractContextManager[bool]:
        return held(FileLock(self._write_lock), timeout)

    def rebuild_lock(self) -> AbstractContextManager[bool]:
        return held(FileLock(self._rebuild_lock), 0)

    def is_rebuilding(self) -> bool:
        return FileLock(self._rebuild_lock).is_held_elsewhere()

    # -- writing -------------------------------------------------------------------------

    def apply(self, batch: IndexBatch) -> None:
        if not batch:
            return
        ix = self._open()
        try:
            writer = ix.writer(timeout=5.0)
        except Exception as exc:
            self._forget()
            raise IndexUnavailable(f"cannot write the search index: {exc!r}") from exc
        try:
            for thread_id, documents in batch.threads.items():
                writer.delete_by_term("thread_id", str(thread_id))
                for doc in documents:
                    writer.add_document(**document_fields(doc))
            # One searcher for every delete (update_document would open one per document).
            with writer.searcher() as existing:
                for doc in batch.upserts:
                    writer.delete_by_term("key", doc.key, searcher=existing)
                for key in batch.deletes:
                    writer.delete_by_term("key", key, searcher=existing)
            for doc in batch.upserts:
                writer.add_document(**document_fields(doc))
            writer.commit(mergetype=merge_small_segments)
        except Exception as exc:
            writer.cancel()
            self._forget()
            raise IndexUnavailable(f"cannot write the search index: {exc!r}") from exc

    def rebuild(self, documents: Iterator[SearchDocument]) -> int:
        self.root.mkdir(parents=True, exist_ok=True)
        previous = self._current_name()
        name = f"v{SCHEMA_VERSION}-{uuid.uuid4().hex}"
        building = self.root / f".building-{name}"
        building.mkdir()
        count = 0
        try:
            ix = index.create_in(str(building), SCHEMA)
            writer = ix.writer(limitmb=128)
            try:
                for doc in documents:
                    writer.add_document(**document_fields(doc))
                    count += 1
                writer.commit(optimize=True)
            except BaseException:
                writer.cancel()
                raise
            os.replace(building, self.root / name)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        pointer = self.root / f".{POINTER}.{uuid.uuid4().hex}"
        pointer.write_text(name)
        os.replace(pointer, self.root / POINTER)
        self._forget()
        self._remove_old(keep={name, previous})
        return count

    def _remove_old(self, keep: set[str | None]) -> None:
        """Drop earlier generations; the one just replaced stays for searches still open on it."""
        for entry in self.root.iterdir():
            if not entry.is_dir() or entry.name in keep:
                continue
            if entry.name.startswith(("v", ".building-")):
                shutil.rmtree(entry, ignore_errors=True)

    # -- reading -------------------------------------------------------------------------

    def validate(self, query: SearchQuery) -> None:
        compile_query(query)

    def _guard(self, read: Callable[[], _T]) -> _T:
        """Run an index read: a query Whoosh refuses is QuerySyntaxError, anything else that
        fails is the index's fault (IndexUnavailable)."""
        try:
            return read()
        except wq.QueryError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except Exception as exc:
            self._forget()
            raise IndexUnavailable(f"cannot read the search index: {exc!r}") from exc

    def _candidates(
        self, compiled: wq.Query, allowed: set[int]
    ) -> tuple[str, Searcher, Any, list[Candidate]]:
        """Every match ranked (or newest first when nothing scores), and those indexed on
        `allowed` boards as read from the `ref` column."""
        options: dict[str, Any] = {"limit": None}
        if not is_scored(compiled):
            options.update(sortedby="created_at", reverse=True)
        name, searcher = self._guard(self._searcher)
        results = self._guard(lambda: searcher.search(compiled, **options))
        # Boards are filtered here, on the column, rather than with Whoosh's `filter=`,
        # which would first gather every document on those boards, matching or not.
        docnums = [docnum for _, docnum in results.top_n]
        candidates = self._guard(lambda: refs_on_boards(searcher, docnums, allowed))
        return name, searcher, results, candidates

    def threads(
        self,
        query: SearchQuery,
        *,
        board_ids: Iterable[int],
        confirm: Confirm,
        newest: bool = False,
        per_thread: int = 3,
    ) -> ThreadMatches:
        allowed = set(board_ids)
        compiled = compile_query(query)
        if compiled is None or not allowed:
            return ThreadMatches(thread_ids=[])
        name, searcher, results, candidates = self._candidates(compiled, allowed)
        # Every match's (score, docnum): 5 MB for a word in half of 100k posts, not needed
        # past here; freed before the database check builds its own lists (worker memory).
        del results
        current = confirm([(c.thread_id, c.post_id) for c in candidates])
        # thread id -> its first (best) rank, or its newest creation time; dicts keep the
        # order threads were first seen in, which is rank order.
        best: dict[int, int] = {}
        # thread id -> its best few posts (in rank order whatever the sort), so the posts
        # shown under a page's threads need no second pass over their matches.
        posts: dict[int, list[int]] = {}
        for rank, thread_id, post_id, created in candidates:
            if post_id not in current:
                continue
            kept = posts.get(thread_id)
            if kept is None:
                posts[thread_id] = [post_id]
                best[thread_id] = created if newest else rank
                continue
            if len(kept) < per_thread:
                kept.append(post_id)
            if newest and created > best[thread_id]:
                best[thread_id] = created
        thread_ids = sorted(best, key=lambda t: -best[t]) if newest else list(best)
        generation = f"{name}:{searcher.reader().generation()}"
        return ThreadMatches(
            thread_ids=thread_ids,
            generation=generation,
            best_post_ids={thread_id: tuple(kept) for thread_id, kept in posts.items()},
        )

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
        allowed = set(board_ids)
        compiled = compile_query(query)
        if compiled is None or not allowed or not thread_ids:
            return {}
        known = matches.best_post_ids if matches is not None else {}
        if all(thread_id in known for thread_id in thread_ids):
            # The posts `threads` picked: a handful of post-id postings lead the intersection.
            terms = [
                wq.Term("post_id", str(post_id))
                for thread_id in thread_ids
                for post_id in known[thread_id]
            ]
        else:
            # Only these threads' documents, so a word found in half the index is not walked
            # again (though a long thread's matches all are).
            terms = [wq.Term("thread_id", str(thread_id)) for thread_id in thread_ids]
        narrowed = wq.And([compiled, wq.ConstantScoreQuery(wq.Or(terms), 0.0)]).normalize()
        _, _, results, candidates = self._candidates(narrowed, allowed)
        current = confirm([(c.thread_id, c.post_id) for c in candidates])
        wanted = set(thread_ids)
        ranks: dict[int, list[int]] = {}
        for candidate in candidates:
            if candidate.post_id not in current or candidate.thread_id not in wanted:
                continue
            kept = ranks.setdefault(candidate.thread_id, [])
            if len(kept) < per_thread:
                kept.append(candidate.rank)
        return self._guard(
            lambda: {
                thread_id: [self._hit(results[rank]) for rank in kept]
                for thread_id, kept in ranks.items()
            }
        )

    @staticmethod
    def _hit(hit: Any) -> SearchHit:
        stored = hit.fields()
        text = stored.get("text") or ""
        # A short text is shown whole; a long one as the passages around its matches.
        fragmenter = (
            highlight.WholeFragmenter()
            if len(text) <= SNIPPET_CHARS
            else highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
        )
        highlighter = highlight.Highlighter(fragmenter=fragmenter, formatter=MarkFormatter())
        snippet = highlighter.highlight_hit(hit, "text", text=text, top=2) or plain_snippet(text)
        created = stored.get("created_at")
        return SearchHit(
            thread_id=int(stored["thread_id"]),
            post_id=int(stored["post_id"]),
            board_id=int(stored["board_id"]),
            doc_type=stored["doc_type"],
            title=stored.get("thread_title") or "",
            kind=stored.get("kind") or "",
            author_name=stored.get("author_name") or "",
            created_at=created.replace(tzinfo=dt.UTC) if created is not None else None,
            snippet_html=snippet,
        )
