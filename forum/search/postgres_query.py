"""The query syntax on PostgreSQL: the Whoosh parser's tree (the one place the syntax is defined,
forum.search.whoosh_query) translated into a WHERE clause over `search_documents`.

Words, prefixes and phrases become one `to_tsquery` text in the 'english' configuration, with
weights that say where a word may match: A (the thread's title, on thread documents), C (the
text); bare words match both, as on Whoosh, and never the tags (B). Field filters become plain
column conditions (`kind:`, `board:`, `tag:` and `author:` word for word, dates as a range), and
AND/OR/NOT combine the two. The parser sees the words unstemmed (WORDS_SCHEMA) and PostgreSQL
stems them as it stemmed the documents.

Two shapes have no tsquery counterpart: a word with `*` or `?` inside matches as a prefix up to
its first wildcard (a leading wildcard matches every document), and a range of words
(`[a TO b]`) matches nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, any_, false, func, literal, literal_column, not_, or_
from sqlalchemy import true as sql_true
from whoosh import query as wq

from forum.search.backend import QuerySyntaxError, SearchQuery
from forum.search.models import TS_CONFIG, VECTOR_COLUMN, SearchDocumentRow
from forum.search.whoosh_query import WORDS_SCHEMA, compile_query

WEIGHTS = {"title": "A", "tagword": "B", "text": "C"}
CONFIG: ColumnElement[Any] = literal_column(f"'{TS_CONFIG}'::regconfig")
VECTOR: ColumnElement[Any] = literal_column(f"search_documents.{VECTOR_COLUMN}")
_WILDCARD = re.compile(r"[*?]")


@dataclass(frozen=True)
class CompiledSearch:
    where: ColumnElement[bool]
    # The words that rank hits and are marked in snippets, as tsquery text; None when the
    # query has none (filters only: hits are listed newest first).
    words: str | None


@dataclass(frozen=True)
class _Ts:
    """A part of the query that is tsquery text."""

    text: str


_Part = _Ts | ColumnElement[bool]


def _quote(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _matches(tsquery: str) -> ColumnElement[bool]:
    return VECTOR.op("@@")(func.to_tsquery(CONFIG, tsquery))


def _sql(part: _Part) -> ColumnElement[bool]:
    return _matches(part.text) if isinstance(part, _Ts) else part


def _words_column(column: ColumnElement[Any], word: str) -> ColumnElement[bool]:
    """`word` is one of the space-separated words of `column`."""
    return literal(word) == any_(func.string_to_array(column, " "))


def _pattern_column(column: ColumnElement[Any], pattern: str) -> ColumnElement[bool]:
    """One of the space-separated words of `column` matches a Whoosh wildcard pattern."""
    regex = "".join(
        "[^ ]*" if char == "*" else "[^ ]" if char == "?" else re.escape(char) for char in pattern
    )
    return column.regexp_match(f"(^| ){regex}( |$)")


def _keyword_column(fieldname: str) -> ColumnElement[Any] | None:
    columns: dict[str, Any] = {
        "tag": SearchDocumentRow.tags,
        "author": SearchDocumentRow.author_terms,
        "kind": SearchDocumentRow.kind,
    }
    return columns.get(fieldname)


def _date_range(node: wq.DateRange) -> ColumnElement[bool]:
    def aware(value: dt.datetime) -> dt.datetime:
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)

    column = SearchDocumentRow.created_at
    conditions = []
    if node.startdate is not None:
        start = aware(node.startdate)
        conditions.append(column > start if node.startexcl else column >= start)
    if node.enddate is not None:
        end = aware(node.enddate)
        conditions.append(column < end if node.endexcl else column <= end)
    return and_(sql_true(), *conditions)


@dataclass
class _Translator:
    # Every word, prefix and phrase not under a NOT, as tsquery text.
    positive: list[str] = field(default_factory=list)

    def leaf(self, node: wq.Query, *, negated: bool) -> _Part:
        fieldname = getattr(node, "fieldname", None)
        weight = WEIGHTS.get(fieldname or "")
        if weight is not None:
            if isinstance(node, wq.Every):
                return sql_true()
            if isinstance(node, wq.Phrase):
                words = [word for word in node.words if word]
                text = "(" + " <-> ".join(f"{_quote(w)}:{weight}" for w in words) + ")"
            elif isinstance(node, wq.Term):
                text = f"{_quote(str(node.text))}:{weight}"
            elif isinstance(node, wq.Prefix | wq.Wildcard):
                stem = _WILDCARD.split(str(node.text), maxsplit=1)[0]
                if not stem:
                    return sql_true()
                text = f"{_quote(stem)}:*{weight}"
            elif isinstance(node, wq.TermRange):
                return false()
            else:
                raise QuerySyntaxError(type(node).__name__)
            if not words_in(text):
                return false()
            if not negated:
                self.positive.append(text)
            return _Ts(text)
        if isinstance(node, wq.DateRange) and fieldname == "created_at":
            return _date_range(node)
        if fieldname == "board_id" and isinstance(node, wq.Term):
            value = str(node.text)
            return SearchDocumentRow.board_id == int(value) if value.isdigit() else false()
        column = _keyword_column(fieldname or "")
        if column is None:
            raise QuerySyntaxError(f"{type(node).__name__} on {fieldname}")
        if isinstance(node, wq.Term):
            if fieldname == "kind":
                return column == str(node.text).lower()
            return _words_column(column, str(node.text))
        if isinstance(node, wq.Prefix):
            return _pattern_column(column, f"{node.text}*")
        if isinstance(node, wq.Wildcard):
            return _pattern_column(column, str(node.text))
        if isinstance(node, wq.Every):
            return sql_true()
        raise QuerySyntaxError(f"{type(node).__name__} on {fieldname}")

    def combine(self, parts: list[_Part], operator: str) -> _Part:
        if all(isinstance(part, _Ts) for part in parts):
            return _Ts("(" + f" {operator} ".join(part.text for part in parts) + ")")  # type: ignore[union-attr]
        sql = [_sql(part) for part in parts]
        return and_(*sql) if operator == "&" else or_(*sql)

    def negate(self, part: _Part) -> _Part:
        return _Ts(f"!{part.text}") if isinstance(part, _Ts) else not_(part)

    def node(self, node: wq.Query, *, negated: bool = False) -> _Part:
        if node is wq.NullQuery:
            return false()
        if isinstance(node, wq.Not):
            return self.negate(self.node(node.query, negated=not negated))
        if isinstance(node, wq.AndNot):
            return self.combine(
                [self.node(node.a, negated=negated), self.negate(self.node(node.b, negated=True))],
                "&",
            )
        if isinstance(node, wq.AndMaybe):
            self.node(node.b, negated=negated)  # ranks and marks, but does not filter
            return self.node(node.a, negated=negated)
        if isinstance(node, wq.Require):
            return self.combine(
                [self.node(node.a, negated=negated), self.node(node.b, negated=negated)], "&"
            )
        if isinstance(node, wq.And | wq.Or | wq.DisjunctionMax):
            parts = [self.node(child, negated=negated) for child in node.subqueries]
            if not parts:
                return false()
            return self.combine(parts, "&" if isinstance(node, wq.And) else "|")
        if isinstance(node, wq.ConstantScoreQuery | wq.WrappingQuery):
            return self.node(node.child, negated=negated)
        return self.leaf(node, negated=negated)


def words_in(tsquery: str) -> bool:
    """Whether a tsquery text names any word at all (a phrase of no words does not)."""
    return "'" in tsquery


def compile_search(query: SearchQuery) -> CompiledSearch | None:
    """The WHERE clause and ranking words for a request, or None when it asks for nothing.

    Raises QuerySyntaxError for text the parser refuses (as on Whoosh) or a shape this
    translation does not know.
    """
    parsed = compile_query(query, WORDS_SCHEMA)
    if parsed is None:
        return None
    translator = _Translator()
    where = _sql(translator.node(parsed))
    words = " | ".join(translator.positive) or None
    return CompiledSearch(where=where, words=words)
