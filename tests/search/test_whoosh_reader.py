"""Opening a Whoosh reader while another process's writer removes a merged segment."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

import pytest
from whoosh import index
from whoosh.filedb.filestore import FileStorage

from forum.search.whoosh_readers import open_reader
from forum.search.whoosh_schema import SCHEMA


def index_of_two_segments(folder: Path) -> index.FileIndex:
    # As the backend opens it: without mmap, each segment reader holds its file open.
    ix = FileStorage(str(folder), supports_mmap=False).create_index(SCHEMA)
    for key in ("post:1", "post:2"):
        writer = ix.writer()
        writer.add_document(key=key, text="A reply about the council's page.")
        writer.commit(merge=False)
    return ix


def test_a_reader_of_every_segment_reads_both(tmp_path: Path) -> None:
    ix = index_of_two_segments(tmp_path)
    reader = open_reader(ix)
    try:
        assert reader.doc_count() == 2
    finally:
        reader.close()


def test_a_segment_gone_mid_open_is_retried_then_refused_without_leaking_files(
    tmp_path: Path,
) -> None:
    ix = index_of_two_segments(tmp_path)
    last = ix._read_toc().segments[-1]
    # What a merging writer elsewhere does between our reading the TOC and opening its files.
    (tmp_path / last.make_filename(".seg")).unlink()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(FileNotFoundError):
            open_reader(ix, attempts=2)
        gc.collect()
    leaked = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaked == []
