"""The query syntax on Whoosh: the one place where the text a person typed becomes a query.

Whoosh's parser raises whatever its internals hit on some shapes (`NOT NOT a` is an IndexError,
`a ANDMAYBE ANDMAYBE b` an AssertionError). `compile_query` first retries odd syntax as plain
words, and turns any failure left into QuerySyntaxError, which search reports as a 400 on `q`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Hashable

from whoosh import analysis, qparser
from whoosh import fields as wf
from whoosh import query as wq

from forum.search.backend import QuerySyntaxError, SearchQuery

logger = logging.getLogger(__name__)

# Query fields people may name; everything else in the index is internal. A plain word is
# looked for in each of the TEXT_FIELDS: a thread's title, its tags as words, any post's text.
TEXT_FIELDS = ("title", "tagword", "text")
KEYWORD_FIELDS = frozenset({"kind", "tag", "author", "board"})
NO_BOARD = "none"
_SYNTAX_CHARS = re.compile(r"[()\"'+\-:*?\[\]{}^~]")

LOWER_ID = analysis.IDTokenizer() | analysis.LowercaseFilter()

# What the query parser understands: the searchable fields plus `board`, which names a board by
# slug and is rewritten to the stored board id (so renaming or re-permissioning a board needs
# no reindex).
QUERY_SCHEMA = wf.Schema(
    title=wf.TEXT(analyzer=analysis.StemmingAnalyzer()),
    tagword=wf.TEXT(analyzer=analysis.StemmingAnalyzer()),
    text=wf.TEXT(analyzer=analysis.StemmingAnalyzer()),
    kind=wf.ID(analyzer=LOWER_ID),
    tag=wf.KEYWORD(lowercase=True),
    author=wf.KEYWORD(lowercase=True),
    board=wf.ID(analyzer=LOWER_ID),
)

# The same syntax with the words of titles and text only lower-cased, neither stemmed nor
# stopped: for backends that analyze the words themselves (PostgreSQL's to_tsquery).
WORDS_SCHEMA = wf.Schema(
    title=wf.TEXT(analyzer=analysis.SimpleAnalyzer()),
    tagword=wf.TEXT(analyzer=analysis.SimpleAnalyzer()),
    text=wf.TEXT(analyzer=analysis.SimpleAnalyzer()),
    kind=wf.ID(analyzer=LOWER_ID),
    tag=wf.KEYWORD(lowercase=True),
    author=wf.KEYWORD(lowercase=True),
    board=wf.ID(analyzer=LOWER_ID),
)


def naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _parser(schema: wf.Schema) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), schema)
    # `-word` excludes and `+word` requires, but only at the start of a word, so hyphenated
    # slugs and tags (`board:it-help`, `tag:social-media`) stay whole.
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    return parser


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


def _parse(text: str, schema: wf.Schema) -> wq.Query:
    """The parsed text; when Whoosh's parser chokes on odd syntax, the plain words instead."""
    try:
        return _parser(schema).parse(text)
    except Exception:
        logger.info("search: query syntax not understood; searching its words")
        return _parser(schema).parse(_SYNTAX_CHARS.sub(" ", text))


def _compile(query: SearchQuery, schema: wf.Schema) -> wq.Query | None:
    parts: list[wq.Query] = []
    slugs = {slug.lower(): board_id for slug, board_id in query.board_ids_by_slug.items()}
    if query.text.strip():
        parts.append(_parse(query.text, schema).accept(lambda node: _rewrite(node, slugs)))
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
                naive_utc(query.start) if query.start else None,
                naive_utc(query.end) if query.end else None,
                endexcl=True,
            )
        )
    if not parts:
        return None
    compiled = (parts[0] if len(parts) == 1 else wq.And(parts)).normalize()
    return None if compiled is wq.NullQuery else compiled


# Compiled queries by SearchQuery.key(): a popular search is parsed once per process, not twice per
# request (validation, then the search). Whoosh queries are not changed by searching them.
_compiled: OrderedDict[tuple[Hashable, ...], wq.Query | None] = OrderedDict()
_compiled_lock = threading.Lock()
COMPILED_MAX = 512


def compile_query(query: SearchQuery, schema: wf.Schema = QUERY_SCHEMA) -> wq.Query | None:
    """The Whoosh query for a request, or None when it asks for nothing. `schema` says how the
    words of titles and text are analyzed (the PostgreSQL backend parses with WORDS_SCHEMA and
    leaves stemming to PostgreSQL).

    Raises QuerySyntaxError when the text cannot be parsed even as plain words.
    """
    key = (id(schema), *query.key())
    with _compiled_lock:
        if key in _compiled:
            _compiled.move_to_end(key)
            return _compiled[key]
    try:
        compiled = _compile(query, schema)
    except Exception as exc:
        # Parser internals fail in many ways; none of them is the person's data being lost.
        logger.info("search: query refused by the parser (%s)", type(exc).__name__)
        raise QuerySyntaxError(type(exc).__name__) from exc
    with _compiled_lock:
        _compiled[key] = compiled
        while len(_compiled) > COMPILED_MAX:
            _compiled.popitem(last=False)
    return compiled


def is_scored(compiled: wq.Query) -> bool:
    """Whether relevance means anything: only words in titles and text score."""
    return any(getattr(leaf, "fieldname", None) in TEXT_FIELDS for leaf in compiled.leaves()) or (
        getattr(compiled, "fieldname", None) in TEXT_FIELDS
    )
