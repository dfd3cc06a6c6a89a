"""The Whoosh index's schema: its fields, the packed `ref` column search reads for every
candidate, and the formatter that makes safe snippets. whoosh_backend reads and writes it."""

from __future__ import annotations

import datetime as dt
import struct
from typing import Any, NamedTuple

from markupsafe import escape
from whoosh import analysis, columns, highlight
from whoosh import fields as wf
from whoosh.searching import Searcher

from forum.search.backend import SearchDocument
from forum.search.whoosh_query import LOWER_ID, naive_utc

# 2: the `ref` column, read for every candidate when search checks the database.
# 3: `tagword` (a thread's tags as words, so a plain word finds them) and the creation time in
#    `ref` (so results grouped by thread can be ordered newest first without stored fields).
SCHEMA_VERSION = 3
REF = struct.Struct("!QQQq")
_EPOCH = dt.datetime(1970, 1, 1)

SCHEMA = wf.Schema(
    key=wf.ID(unique=True, stored=True),
    doc_type=wf.ID(stored=True),
    thread_id=wf.ID(stored=True),
    post_id=wf.ID(stored=True),
    board_id=wf.ID(stored=True),
    kind=wf.ID(stored=True, analyzer=LOWER_ID),
    title=wf.TEXT(analyzer=analysis.StemmingAnalyzer(), field_boost=2.0),
    # The thread's tags as plain words, on thread documents only: `facebook` finds #facebook.
    tagword=wf.TEXT(analyzer=analysis.StemmingAnalyzer(), field_boost=1.5),
    thread_title=wf.STORED(),
    text=wf.TEXT(stored=True, analyzer=analysis.StemmingAnalyzer()),
    tag=wf.KEYWORD(lowercase=True, scorable=True),
    author=wf.KEYWORD(lowercase=True),
    author_id=wf.ID(stored=True),
    author_name=wf.STORED(),
    created_at=wf.DATETIME(stored=True, sortable=True),
    # (board id, thread id, post id, created at in microseconds) packed with REF: what search
    # reads for every candidate (one fixed-size read each) to filter by board, group by thread
    # and ask the database, without stored text.
    ref=wf.COLUMN(columns.FixedBytesColumn(REF.size)),
)


def document_fields(doc: SearchDocument) -> dict[str, Any]:
    return {
        "key": doc.key,
        "doc_type": doc.doc_type,
        "thread_id": str(doc.thread_id),
        "post_id": str(doc.post_id),
        "board_id": str(doc.board_id),
        "kind": doc.kind,
        "title": doc.title if doc.doc_type == "thread" else "",
        "tagword": " ".join(doc.tags) if doc.doc_type == "thread" else "",
        "thread_title": doc.title,
        "text": doc.text,
        "tag": " ".join(doc.tags),
        "author": " ".join(doc.author_terms),
        "author_id": str(doc.author_id),
        "author_name": doc.author_name,
        "created_at": naive_utc(doc.created_at),
        "ref": REF.pack(doc.board_id, doc.thread_id, doc.post_id, _micros(doc.created_at)),
    }


def _micros(value: dt.datetime) -> int:
    return (naive_utc(value) - _EPOCH) // dt.timedelta(microseconds=1)


class MarkFormatter(highlight.Formatter):
    """Escapes every character of the text and wraps matches in <mark>: nothing else is emitted,
    so a post containing markup can never put raw HTML into a snippet."""

    def _text(self, text: str) -> str:
        return str(escape(text))

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return "<mark>" + str(escape(highlight.get_text(text, token, replace))) + "</mark>"

    def format(self, fragments: list[Any], replace: bool = False) -> str:
        """Passages in text order, with an ellipsis wherever the text was cut."""
        if not fragments:
            return ""
        passages = [
            self.format_fragment(fragment, replace=replace).strip() for fragment in fragments
        ]
        text = " … ".join(passages)
        if fragments[0].startchar > 0:
            text = "… " + text
        if fragments[-1].endchar < len(fragments[-1].text.rstrip()):
            text += " …"
        return text


class Candidate(NamedTuple):
    """One ranked document indexed on a reader's board, as its `ref` column tells (a tuple:
    tens of thousands are made for a common word)."""

    rank: int
    thread_id: int
    post_id: int
    # Microseconds since the epoch (UTC): orders documents newest first.
    created: int


def refs_on_boards(searcher: Searcher, docnums: list[int], board_ids: set[int]) -> list[Candidate]:
    """Each of the ranked documents that is indexed on one of `board_ids`, read from the `ref`
    column (one fixed-size read per document, no stored fields)."""
    if not docnums:
        return []  # an empty index has no column to read
    column = searcher.reader().column_reader("ref", translate=False)
    unpack = REF.unpack
    found = []
    for rank, docnum in enumerate(docnums):
        board_id, thread_id, post_id, created = unpack(column[docnum])
        if board_id in board_ids:
            found.append(Candidate(rank, thread_id, post_id, created))
    return found
