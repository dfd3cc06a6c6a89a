"""How the live index folds its segments together as changes arrive.

Each drain of the queue commits a small Whoosh segment. Whoosh's default policy (MERGE_SMALL)
merges segments by a Fibonacci rule that sooner or later picks one of tens of thousands of
documents: at 100k posts the bench saw a commit take 17 s, and no reply became searchable
meanwhile. Live commits here fold together only the smallest segments, and only up to a
budget of documents that merges in well under a second; bigger segments are left alone until
`flask --app wsgi search rebuild` writes the index afresh as one segment (atomically, while
the forum serves: see docs/deploying.md).
"""

from __future__ import annotations

from typing import Any

from whoosh.reading import SegmentReader

# A merge reads and writes this many documents at most: a fraction of a second.
LIVE_MERGE_DOCUMENTS = 2_000
# Fewer small segments than this cost searches little; merging them would cost every commit.
LIVE_MERGE_MIN_SEGMENTS = 4


def merge_small_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """A Whoosh merge policy (`writer.commit(mergetype=...)`): merge the smallest segments
    while they add up to at most LIVE_MERGE_DOCUMENTS, once there are enough of them; returns
    the segments left as they are."""
    chosen: list[Any] = []
    total = 0
    for segment in sorted(segments, key=lambda segment: segment.doc_count_all()):
        total += segment.doc_count_all()
        if total > LIVE_MERGE_DOCUMENTS:
            break
        chosen.append(segment)
    if len(chosen) < LIVE_MERGE_MIN_SEGMENTS:
        return segments
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in segments if segment not in chosen]
