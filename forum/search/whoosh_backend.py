"""The Whoosh search backend: schema, query syntax, safe snippets, locked writes, atomic rebuilds.

Layout of SEARCH_INDEX_DIR:

    CURRENT          the name of the live index directory (replaced atomically by a rebuild)
    v<schema>-<hex>/ one complete Whoosh index per rebuild (the previous one is kept for readers)
    write.lock       held by whichever process is applying queued changes
    rebuild.lock     held for the whole of a rebuild

An index built with another schema version counts as missing, so a deploy that changes the
schema rebuilds instead of failing.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from markupsafe import escape
from whoosh import analysis, highlight, index, qparser
from whoosh import fields as wf
from whoosh import query as wq
from whoosh.index import FileIndex

from forum.search.backend import (
    IndexBatch,
    IndexState,
    IndexUnavailable,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResults,
)
from forum.search.locks import FileLock, held

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
POINTER = "CURRENT"
SNIPPET_CHARS = 240
# Query fields people may name; everything else in the index is internal.
TEXT_FIELDS = ("title", "text")
KEYWORD_FIELDS = frozenset({"kind", "tag", "author", "board"})
NO_BOARD = "none"
_SYNTAX_CHARS = re.compile(r"[()\"'+\-:*?\[\]{}^~]")

_lower_id = analysis.IDTokenizer() | analysis.LowercaseFilter()

SCHEMA = wf.Schema(
    key=wf.ID(unique=True, stored=True),
    doc_type=wf.ID(stored=True),
    thread_id=wf.ID(stored=True),
    post_id=wf.ID(stored=True),
    board_id=wf.ID(stored=True),
    kind=wf.ID(stored=True, analyzer=_lower_id),
    title=wf.TEXT(analyzer=analysis.StemmingAnalyzer(), field_boost=2.0),
    thread_title=wf.STORED(),
    text=wf.TEXT(stored=True, analyzer=analysis.StemmingAnalyzer()),
    tag=wf.KEYWORD(lowercase=True, scorable=True),
    author=wf.KEYWORD(lowercase=True),
    author_id=wf.ID(stored=True),
    author_name=wf.STORED(),
    created_at=wf.DATETIME(stored=True, sortable=True),
)

# What the query parser understands: the searchable fields plus `board`, which names a board by
# slug and is rewritten to the stored board id (so renaming or re-permissioning a board needs
# no reindex).
QUERY_SCHEMA = wf.Schema(
    title=wf.TEXT(analyzer=analysis.StemmingAnalyzer()),
    text=wf.TEXT(analyzer=analysis.StemmingAnalyzer()),
    kind=wf.ID(analyzer=_lower_id),
    tag=wf.KEYWORD(lowercase=True),
    author=wf.KEYWORD(lowercase=True),
    board=wf.ID(analyzer=_lower_id),
)


class QuerySyntaxError(ValueError):
    """The query cannot be run (Whoosh refused it)."""


def _parser() -> qparser.QueryParser:
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), QUERY_SCHEMA)
    # `-word` excludes and `+word` requires, but only at the start of a word, so hyphenated
    # slugs and tags (`board:it-help`, `tag:social-media`) stay whole.
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    return parser


def _naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _fields(doc: SearchDocument) -> dict[str, Any]:
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
        "created_at": _naive_utc(doc.created_at),
    }


class _MarkFormatter(highlight.Formatter):
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


def plain_snippet(text: str, length: int = SNIPPET_CHARS) -> str:
    """The escaped start of a text, for hits whose match is not in the body."""
    if len(text) > length:
        text = text[: length - 1].rstrip() + "…"
    return str(escape(text))


def _rewrite(node: wq.Query, board_ids_by_slug: dict[str, int]) -> wq.Query:
    fieldname = getattr(node, "fieldname", None)
    if fieldname not in KEYWORD_FIELDS:
        return node
    if fieldname == "board":
        board_id = (
            board_ids_by_slug.get(str(node.text).lower()) if isinstance(node, wq.Term) else None
        )
        # An unknown or hidden board matches nothing (a NullQuery would be dropped from an AND).
        return wq.Term("board_id", str(board_id) if board_id is not None else NO_BOARD)
    if isinstance(node, wq.Phrase):
        # Keyword fields keep no positions: `author:"Priya Shah"` means both words.
        return wq.And([wq.Term(fieldname, word) for word in node.words])
    return node


def _parse(text: str) -> wq.Query:
    """The parsed text; when Whoosh's parser chokes on odd syntax, the plain words instead."""
    try:
        return _parser().parse(text)
    except Exception:
        logger.info("search: query syntax not understood; searching its words")
        return _parser().parse(_SYNTAX_CHARS.sub(" ", text))


def compile_query(query: SearchQuery) -> wq.Query | None:
    """The Whoosh query for a request, or None when it asks for nothing."""
    parts: list[wq.Query] = []
    slugs = {slug.lower(): board_id for slug, board_id in query.board_ids_by_slug.items()}
    if query.text.strip():
        parts.append(_parse(query.text).accept(lambda node: _rewrite(node, slugs)))
    if query.kind:
        parts.append(wq.Term("kind", query.kind.lower()))
    if query.board_id is not None:
        parts.append(wq.Term("board_id", str(query.board_id)))
    if query.tag:
        parts.append(wq.Term("tag", query.tag.lower()))
    if query.author:
        parts.extend(wq.Term("author", word) for word in query.author.lower().split())
    if query.start is not None or query.end is not None:
        parts.append(
            wq.DateRange(
                "created_at",
                _naive_utc(query.start) if query.start else None,
                _naive_utc(query.end) if query.end else None,
                endexcl=True,
            )
        )
    if not parts:
        return None
    compiled = (parts[0] if len(parts) == 1 else wq.And(parts)).normalize()
    return None if compiled is wq.NullQuery else compiled


def _is_scored(compiled: wq.Query) -> bool:
    """Whether relevance means anything: only words in titles and text score."""
    return any(getattr(leaf, "fieldname", None) in TEXT_FIELDS for leaf in compiled.leaves()) or (
        getattr(compiled, "fieldname", None) in TEXT_FIELDS
    )


_open_lock = threading.Lock()
_open_indexes: dict[str, FileIndex] = {}


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
                    ix = index.open_dir(path)
                except Exception as exc:
                    raise IndexUnavailable(f"cannot open the search index: {exc!r}") from exc
                _open_indexes[path] = ix
        return ix

    def _forget(self) -> None:
        with _open_lock:
            for path in [p for p in _open_indexes if Path(p).parent == self.root]:
                del _open_indexes[path]

    def state(self) -> IndexState:
        if self._current_name() is None:
            return IndexState.MISSING
        try:
            ix = self._open()
            with ix.searcher() as searcher:
                searcher.doc_count_all()
                # Reading one stored document touches the segment files, not just the TOC.
                if searcher.doc_count_all():
                    searcher.stored_fields(0)
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
                    writer.add_document(**_fields(doc))
            for doc in batch.upserts:
                writer.update_document(**_fields(doc))
            for key in batch.deletes:
                writer.delete_by_term("key", key)
            writer.commit()
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
                    writer.add_document(**_fields(doc))
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

    def search(
        self, query: SearchQuery, *, board_ids: Iterable[int], page: int, per_page: int
    ) -> SearchResults:
        allowed = sorted(set(board_ids))
        compiled = compile_query(query)
        if compiled is None or not allowed:
            return SearchResults(hits=[], total=0)
        ix = self._open()
        visible = wq.Or([wq.Term("board_id", str(board_id)) for board_id in allowed])
        options: dict[str, Any] = {"limit": page * per_page, "filter": visible, "terms": True}
        if not _is_scored(compiled):
            options.update(sortedby="created_at", reverse=True)
        try:
            with ix.searcher() as searcher:
                results = searcher.search(compiled, **options)
                total = len(results)
                hits = [self._hit(hit) for hit in results[(page - 1) * per_page : page * per_page]]
        except wq.QueryError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except Exception as exc:
            self._forget()
            raise IndexUnavailable(f"cannot read the search index: {exc!r}") from exc
        return SearchResults(hits=hits, total=total)

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
        highlighter = highlight.Highlighter(fragmenter=fragmenter, formatter=_MarkFormatter())
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
