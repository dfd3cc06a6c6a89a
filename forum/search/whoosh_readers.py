"""Opening Whoosh readers and searchers without leaking files (whoosh_backend keeps them)."""

from __future__ import annotations

import logging
import time

from whoosh.index import FileIndex
from whoosh.reading import EmptyReader, IndexReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

logger = logging.getLogger(__name__)


def close_all(searchers: dict[str, Searcher]) -> None:
    for searcher in searchers.values():
        try:
            searcher.close()
        except Exception:
            logger.debug("search: closing a stale searcher failed", exc_info=True)
    searchers.clear()


def open_reader(ix: FileIndex, *, attempts: int = 10) -> IndexReader:
    """FileIndex.reader() without its file leak. Whoosh retries when a writer in another
    process deletes a merged segment while the readers are being opened, but drops the segment
    readers it had already opened for the garbage collector to close; here they are closed."""
    for attempt in range(1, attempts + 1):
        # _read_toc is private, but Whoosh 2.7 is the last release: it will not move.
        toc = ix._read_toc()
        readers: list[SegmentReader] = []
        try:
            for segment in toc.segments:
                readers.append(
                    SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
                )
        except OSError:
            for reader in readers:
                reader.close()
            if attempt == attempts:
                raise
            time.sleep(0.05)
            continue
        if not readers:
            return EmptyReader(toc.schema)
        if len(readers) == 1:
            return readers[0]
        return MultiReader(readers, generation=toc.generation)
    raise AssertionError("unreachable")


class Searchers(dict[str, Searcher]):
    """One thread's searchers, closed when the thread ends (its locals are dropped), so their
    files are not left for the garbage collector to complain about."""

    def __del__(self) -> None:
        close_all(self)
