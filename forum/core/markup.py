"""Markdown to safe HTML: the one place user text becomes markup, within a fixed work budget.

CommonMark (markdown-it-py, raw HTML off, tables and strikethrough on) parses the source while
a meter counts parser steps; forum.core.markup_policy then rebuilds every token from an
allow-list (tags, attributes, URL schemes, image hosts) before markdown-it's escaping renderer
writes the HTML. Render once, on write, and store the result as `*_html`.

Why a budget: markdown-it-py (and bleach's html5lib, which sanitized here before) are pure
Python, and some 50 KB inputs (runs of `[`, tables that autofill 65k cells, 5,000-deep
emphasis, `a-a-a-…` against the linkify regex) took seconds of CPU. Now a render spends at most
WORK_BUDGET units and makes at most MAX_TOKENS tokens; past either limit the text is shown as
plain paragraphs, which costs one linear pass. Nothing else in the pipeline is worse than
linear in the input.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Iterator
from contextvars import ContextVar
from html.parser import HTMLParser
from typing import Any

from flask import current_app, has_app_context
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from forum.core import markup_policy
from forum.core.markup_policy import ALLOWED_PROTOCOLS, ALLOWED_TAGS, MENTION_RE

__all__ = [
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "MAX_SOURCE_CHARS",
    "MENTION_RE",
    "Rendered",
    "find_mentions",
    "plain_text",
    "render",
    "render_markdown",
]

# Longer sources are shown as plain text whatever their formatting (forms refuse them first).
MAX_SOURCE_CHARS = 50_000
# Work units (see _Meter) one render may spend: a richly formatted 20 KB post needs ~22,000.
# Measured on the 2-core development VM at load 9: no render of tests/core/test_markup_budget's
# 50 KB inputs took over 65 ms of CPU (fallback included), that 20 KB post 25 ms, 2 KB 3 ms.
WORK_BUDGET = 32_000
# Tokens one render may produce (what the sanitizer and renderer walk).
MAX_TOKENS = 10_000
# Distinct @handles looked up per render.
MAX_MENTIONS = 50
# markdown-it's own recursion limit: list/quote depth and nested link labels (default 20).
MAX_NESTING = 10
# A run of more `*`, `_` or `~` than this is literal text (each would be a token and a delimiter).
MAX_DELIMITER_RUN = 16
# A table wider than this, or with more cells, stays a paragraph of text.
MAX_TABLE_COLUMNS = 40
MAX_TABLE_CELLS = 2_000

MentionsArg = Collection[str] | Callable[[list[str]], Collection[str]]


class _OverBudget(Exception):
    """Raised from inside the parser when the meter runs out."""


class _Meter:
    """Work units left for one render (see _build_parser for what costs what)."""

    __slots__ = ("left", "seen")

    def __init__(self, left: int) -> None:
        self.left = left
        self.seen: dict[int, int] = {}  # id of a token list -> how many of its tokens were paid

    def charge(self, units: int) -> None:
        self.left -= units
        if self.left < 0:
            raise _OverBudget

    def charge_tokens(self, tokens: list[Token]) -> None:
        """Pay TOKEN_COST for each token added to `tokens` since the last call."""
        paid = self.seen.get(id(tokens), 0)
        self.seen[id(tokens)] = len(tokens)
        if len(tokens) > paid:
            self.charge(TOKEN_COST * (len(tokens) - paid))


# The meter of the render running in this thread or task (rules get no handle of their own).
_meter: ContextVar[_Meter | None] = ContextVar("forum_markup_meter", default=None)
# A block-level step (trying the rules at a line) does about three inline steps' work.
BLOCK_STEP_COST = 3
# A token costs more than a step: it is made, sanitized and rendered.
TOKEN_COST = 4
# Normalizing a link destination (percent-encoding, punycode) costs as much as a dozen steps.
LINK_COST = 12
_DELIMITER_RUN = re.compile(r"\*+|_+|~+")


def _block_step(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap the first rule of a block chain: markdown-it tries a chain's rules in order at a
    line until one matches, so this counts those attempts (each a few rule calls) at a
    fraction of the cost of wrapping every rule."""

    def rule(state: Any, *args: Any) -> Any:
        meter = _meter.get()
        if meter is not None:
            meter.charge(BLOCK_STEP_COST)
            meter.charge_tokens(state.tokens)
        return fn(state, *args)

    return rule


def _inline_step(text_rule: Callable[..., bool]) -> Callable[..., bool]:
    """The first inline rule, metered (a unit, two where the text is markup). It also takes
    a run of more than MAX_DELIMITER_RUN `*`, `_` or `~` as plain text: emphasis would make a
    token and a delimiter of each."""

    def rule(state: StateInline, silent: bool) -> bool:
        meter = _meter.get()
        if meter is not None:
            meter.charge(1)
            meter.charge_tokens(state.tokens)
        if state.src[state.pos] in "*_~":
            run = _DELIMITER_RUN.match(state.src, state.pos, state.posMax)
            if run is not None and run.end() - run.start() > MAX_DELIMITER_RUN:
                if not silent:
                    state.append_pending(run.group())
                state.pos = run.end()
                return True
        if text_rule(state, silent):
            return True
        # Markup, not text: the other rules are tried here, at about twice the cost.
        if meter is not None:
            meter.charge(1)
        return False

    return rule


def _attempt_charged(fn: Callable[..., bool], marker: str, units: int) -> Callable[..., bool]:
    """Charge extra for an inline rule that does real work where its marker is: link labels
    are scanned with nested parses, entities looked up."""

    def rule(state: StateInline, silent: bool) -> bool:
        if state.src[state.pos] == marker:
            meter = _meter.get()
            if meter is not None:
                meter.charge(units)
        return fn(state, silent)

    return rule


def _tokens_charged(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Pay for the tokens of a finished parse not paid for yet, before going on."""

    def rule(state: Any, *args: Any) -> Any:
        meter = _meter.get()
        if meter is not None:
            meter.charge_tokens(state.tokens)
        return fn(state, *args)

    return rule


def _charged(fn: Callable[[str], str], units: int) -> Callable[[str], str]:
    def call(url: str) -> str:
        meter = _meter.get()
        if meter is not None:
            meter.charge(units)
        return fn(url)

    return call


def _bounded_table(table_rule: Callable[..., bool]) -> Callable[..., bool]:
    """GFM tables pad every row to the header's width (up to 65k empty cells from 2 KB): a
    table wider than MAX_TABLE_COLUMNS or larger than MAX_TABLE_CELLS stays text."""

    def table(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        header = state.src[
            state.bMarks[start_line] + state.tShift[start_line] : state.eMarks[start_line]
        ].rstrip()
        # Cells: pipes + 1, less the optional outer pipes (escaped pipes only overcount).
        columns = header.count("|") + 1 - header.startswith("|") - header.endswith("|")
        if columns > MAX_TABLE_COLUMNS:
            return False
        if silent or not table_rule(state, start_line, end_line, True):
            return table_rule(state, start_line, end_line, silent)
        meter = _meter.get()
        line, rows = start_line + 2, 1
        while line < end_line and state.bMarks[line] + state.tShift[line] < state.eMarks[line]:
            rows, line = rows + 1, line + 1
            if meter is not None:
                meter.charge(1)
            if rows * columns > MAX_TABLE_CELLS:
                return False
        return table_rule(state, start_line, end_line, False)

    return table


def _build_parser() -> MarkdownIt:
    """CommonMark plus tables and strike-through, metered: each block-level line attempt and
    inline position attempt costs a unit (two where inline markup is tried), each token
    TOKEN_COST, paid as the parse goes; link labels, images, entities and URLs cost extra."""
    parser = MarkdownIt(
        "commonmark",
        {"html": False, "linkify": False, "xhtmlOut": False, "maxNesting": MAX_NESTING},
    )
    parser.enable(["table", "strikethrough"])
    block, inline = parser.block.ruler, parser.inline.ruler

    def replace(ruler: Any, name: str, wrap: Callable[..., Any]) -> None:
        rule = ruler.__rules__[ruler.__find__(name)]
        ruler.at(name, wrap(rule.fn), {"alt": list(rule.alt)})

    # `table` starts the main, paragraph and reference chains; `fence` the quote and list ones.
    replace(block, "table", lambda fn: _block_step(_bounded_table(fn)))
    replace(block, "fence", _block_step)
    replace(inline, "text", _inline_step)
    replace(inline, "link", lambda fn: _attempt_charged(fn, "[", 4))
    replace(inline, "image", lambda fn: _attempt_charged(fn, "!", 6))
    replace(inline, "entity", lambda fn: _attempt_charged(fn, "&", 2))
    replace(parser.inline.ruler2, "balance_pairs", _tokens_charged)
    replace(parser.core.ruler, "inline", _tokens_charged)
    link, text = parser.normalizeLink, parser.normalizeLinkText
    parser.normalizeLink = _charged(link, LINK_COST)  # type: ignore[method-assign,assignment]
    parser.normalizeLinkText = _charged(text, LINK_COST)  # type: ignore[method-assign,assignment]
    for ruler in (block, inline):
        metered = {id(r.fn) for r in ruler.__rules__ if r.name in {"table", "fence", "text"}}
        chains = {""} | {name for rule in ruler.__rules__ for name in rule.alt}
        if any(id(ruler.getRules(chain)[0]) not in metered for chain in chains):
            # A markdown-it upgrade reordered its rules: the budget would miss some steps.
            raise RuntimeError("markdown-it rule chains changed; update forum.core.markup")
    return parser


_parser = _build_parser()


@dataclasses.dataclass(frozen=True)
class Rendered:
    """One render: the HTML, the @handles found, and what it cost (deterministic measures)."""

    html: str
    mentions: list[str]
    work: int
    tokens: int
    within_budget: bool


def _parse(source: str) -> tuple[list[Token] | None, int]:
    """Tokens and the work spent, or None when the source is over a limit."""
    if len(source) > MAX_SOURCE_CHARS:
        return None, 0
    meter = _Meter(WORK_BUDGET)
    active = _meter.set(meter)
    try:
        tokens = _parser.parse(source)
    except _OverBudget:
        return None, WORK_BUDGET
    finally:
        _meter.reset(active)
    if _count(tokens) > MAX_TOKENS:
        return None, WORK_BUDGET - meter.left
    return tokens, WORK_BUDGET - meter.left


def _count(tokens: list[Token]) -> int:
    return len(tokens) + sum(len(t.children or ()) for t in tokens)


def _walk_text(tokens: list[Token]) -> Iterator[str]:
    """Text of inline tokens outside links and code, where @handles and bare URLs count."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        inside_link = 0
        for token in block.children:
            if token.type == "link_open":
                inside_link += 1
            elif token.type == "link_close":
                inside_link -= 1
            elif token.type == "text" and not inside_link:
                yield token.content


def _handles_in(texts: Iterator[str] | list[str]) -> list[str]:
    found: dict[str, None] = {}
    for text in texts:
        for match in MENTION_RE.finditer(text):
            found.setdefault(match.group(1).lower())
            if len(found) >= MAX_MENTIONS:
                return list(found)
    return list(found)


def _image_hosts(image_hosts: Collection[str] | None) -> frozenset[str]:
    if image_hosts is None:
        image_hosts = current_app.config.get("IMAGE_HOSTS", ()) if has_app_context() else ()
    return markup_policy.normalize_hosts(image_hosts)


def render(
    source: str,
    *,
    mentions: MentionsArg = (),
    image_hosts: Collection[str] | None = None,
) -> Rendered:
    """Render Markdown to HTML that is safe to show with |safe, within the work budget.

    `mentions` is the set of @handles known to exist, or a function given the handles found
    (lower-case) that returns the known ones; those are wrapped in <span class="mention">.
    Images load only from the app itself or `image_hosts` (default: the IMAGE_HOSTS setting);
    any other image becomes a link. Over a limit, the text is shown as plain paragraphs.
    """
    source = source or ""
    tokens, work = _parse(source)
    found = _handles_in(_walk_text(tokens) if tokens is not None else [source])
    known = mentions(found) if callable(mentions) else mentions
    wanted = {name.lower() for name in known} & set(found)
    if tokens is None:
        body = markup_policy.plain_paragraphs(source, wanted)
        return Rendered(body, found, work, 0, within_budget=False)
    env: dict[str, Any] = {}
    policy = markup_policy.Policy(
        renderer=_parser.renderer,
        options=_parser.options,
        env=env,
        mentions=wanted,
        image_hosts=_image_hosts(image_hosts),
    )
    clean = policy.clean_blocks(tokens)
    body = _parser.renderer.render(clean, _parser.options, env).strip()
    return Rendered(body, found, work, _count(clean), within_budget=True)


def render_markdown(
    source: str, *, mentions: MentionsArg = (), image_hosts: Collection[str] | None = None
) -> str:
    """The HTML of `render` (see there)."""
    return render(source, mentions=mentions, image_hosts=image_hosts).html


def find_mentions(source: str) -> list[str]:
    """The distinct @handles in a Markdown source, lower-cased, outside code and links."""
    tokens, _work = _parse(source or "")
    return _handles_in(_walk_text(tokens) if tokens is not None else [source or ""])


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """Visible text of sanitized HTML (for excerpts, email bodies and search), in linear time."""
    parser = _TextOnly()
    parser.feed(html or "")
    parser.close()
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()
