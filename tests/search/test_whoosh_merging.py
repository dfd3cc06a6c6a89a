"""forum.search.whoosh_merging: live commits fold small segments together and never a big one."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import fields
from whoosh.filedb.filestore import FileStorage

from forum.search import whoosh_merging
from forum.search.whoosh_merging import merge_small_segments

SCHEMA = fields.Schema(key=fields.ID(stored=True, unique=True), body=fields.TEXT)


def test_small_segments_merge_and_the_big_one_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whoosh_merging, "LIVE_MERGE_DOCUMENTS", 12)
    ix = FileStorage(str(tmp_path)).create_index(SCHEMA)
    writer = ix.writer()
    for number in range(50):
        writer.add_document(key=f"base-{number}", body="an old post")
    writer.commit()
    (big,) = ix._segments()

    for commit in range(12):  # a drain of two replies at a time
        writer = ix.writer()
        for number in range(2):
            writer.add_document(key=f"reply-{commit}-{number}", body="a new reply")
        writer.commit(mergetype=merge_small_segments)
        segments = ix._segments()
        assert big.segment_id() in {segment.segment_id() for segment in segments}
        small = [segment for segment in segments if segment.segment_id() != big.segment_id()]
        assert all(segment.doc_count_all() <= 12 for segment in small)  # never past budget
    assert len(ix._segments()) < 1 + 12 / 2  # the twelve drains were folded together

    with ix.searcher() as searcher:
        assert searcher.doc_count() == 50 + 24
        assert {hit["key"] for hit in searcher.documents(key="reply-11-1")} == {"reply-11-1"}


def test_too_few_small_segments_are_not_merged(tmp_path: Path) -> None:
    ix = FileStorage(str(tmp_path)).create_index(SCHEMA)
    for commit in range(whoosh_merging.LIVE_MERGE_MIN_SEGMENTS - 1):
        writer = ix.writer()
        writer.add_document(key=f"post-{commit}", body="text")
        writer.commit(mergetype=merge_small_segments)
    assert len(ix._segments()) == whoosh_merging.LIVE_MERGE_MIN_SEGMENTS - 1
