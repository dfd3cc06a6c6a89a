"""The Whoosh index's schema: its fields, the packed `ref` column search reads for every
candidate, and the formatter that makes safe snippets. whoosh_backend reads and writes it."""

from __future__ import annotations

import struct
from typing import Any

from markupsafe import escape
from whoosh import analysis, columns, highlight
from whoosh import fields as wf
from whoosh.searching import Searcher

from forum.search.backend import DocRef, SearchDocument
from forum.search.whoosh_query import LOWER_ID, naive_utc

# 2: the `ref` column, read for every candidate when search checks the database.
SCHEMA_VERSION = 2
REF = struct.Struct("!QQQ")

SCHEMA = wf.Schema(
    key=wf.ID(unique=True, stored=True),
    doc_type=wf.ID(stored=True),
    thread_id=wf.ID(stored=True),
    post_id=wf.ID(stored=True),
    board_id=wf.ID(stored=True),
    kind=wf.ID(stored=True, analyzer=LOWER_ID),
    title=wf.TEXT(analyzer=analysis.StemmingAnalyzer(), field_boost=2.0),
    thread_title=wf.STORED(),
    text=wf.TEXT(stored=True, analyzer=analysis.StemmingAnalyzer()),
    tag=wf.KEYWORD(lowercase=True, scorable=True),
    author=wf.KEYWORD(lowercase=True),
    author_id=wf.ID(stored=True),
    author_name=wf.STORED(),
    created_at=wf.DATETIME(stored=True, sortable=True),
    # (board id, thread id, post id) packed with REF: what search reads for every candidate
    # (one fixed-size read each) to filter by board and ask the database, without stored text.
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
        "thread_title": doc.title,
        "text": doc.text,
        "tag": " ".join(doc.tags),
        "author": " ".join(doc.author_terms),
        "author_id": str(doc.author_id),
        "author_name": doc.author_name,
        "created_at": naive_utc(doc.created_at),
        "ref": REF.pack(doc.board_id, doc.thread_id, doc.post_id),
    }


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


def refs_on_boards(
    searcher: Searcher, docnums: list[int], board_ids: set[int]
) -> list[tuple[int, DocRef]]:
    """(rank, (thread_id, post_id)) of each of the ranked documents that is indexed on one of
    `board_ids`, read from the `ref` column."""
    if not docnums:
        return []  # an empty index has no column to read
    column = searcher.reader().column_reader("ref", translate=False)
    unpack = REF.unpack
    found = []
    for rank, docnum in enumerate(docnums):
        board_id, thread_id, post_id = unpack(column[docnum])
        if board_id in board_ids:
            found.append((rank, (thread_id, post_id)))
    return found
