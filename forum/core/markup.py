"""Markdown to sanitized HTML: the one place user text becomes markup (and the only bleach import).

CommonMark (markdown-it-py, raw HTML disabled, tables and strikethrough on) renders the source;
bleach then keeps only an allow-list of tags, attributes and URL schemes, so even a parser bug
cannot smuggle script into a page. Render once, on write, and store the result as `*_html`.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Collection
from functools import partial
from typing import Any

import bleach
from bleach.linkifier import LinkifyFilter, build_url_re
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

ALLOWED_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "span",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
_LANGUAGE_CLASS = re.compile(r"^language-[A-Za-z0-9_+#.-]{1,40}$")
_ALIGN_CLASS = re.compile(r"^align-(left|center|right)$")
# @handles: the local part of a colleague's email address (priya.shah, j-smith, o_brien).
MENTION_RE = re.compile(r"(?<![\w.@/])@([A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?)")


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a":
        return name in {"href", "title"}
    if tag == "img":
        if name == "src":
            # Only https images: no mixed content, no data: or javascript: smuggled as images.
            return value.lower().startswith("https://")
        return name in {"alt", "title"}
    if tag == "code" and name == "class":
        return bool(_LANGUAGE_CLASS.match(value))
    if tag in {"th", "td"} and name == "class":
        return bool(_ALIGN_CLASS.match(value))
    if tag == "ol":
        return name == "start" and value.isdigit()
    if tag == "span":
        return name == "class" and value == "mention"
    return False


def _link_rel(attrs: dict[Any, str], new: bool = False) -> dict[Any, str] | None:
    """Every link, written or auto-linked, gets rel="nofollow noopener"."""
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[
        partial(
            LinkifyFilter,
            callbacks=[_link_rel],
            skip_tags={"pre", "code"},
            url_re=build_url_re(protocols=["http", "https"]),
            parse_email=False,
        )
    ],
)


def _table_alignment_to_class(state: StateCore) -> None:
    """markdown-it aligns cells with style=""; the CSP forbids inline styles, so use classes."""
    for token in state.tokens:
        if token.type in {"th_open", "td_open"}:
            style = str(token.attrGet("style") or "")
            if style.startswith("text-align:"):
                token.attrs.pop("style", None)
                token.attrSet("class", "align-" + style.split(":", 1)[1].strip())


def _mention_rule(names: Collection[str]) -> Any:
    """A core rule wrapping known @handles in text (never in code) in <span class="mention">."""
    wanted = {name.lower() for name in names}

    def rule(state: StateCore) -> None:
        for block in state.tokens:
            if block.type != "inline" or not block.children:
                continue
            children: list[Token] = []
            inside_link = 0
            for token in block.children:
                if token.type == "link_open":
                    inside_link += 1
                elif token.type == "link_close":
                    inside_link -= 1
                if token.type != "text" or inside_link or "@" not in token.content:
                    children.append(token)
                    continue
                children.extend(_split_mentions(token.content, wanted))
            block.children = children

    return rule


def _split_mentions(text: str, wanted: set[str]) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    for match in MENTION_RE.finditer(text):
        if match.group(1).lower() not in wanted:
            continue
        if match.start() > position:
            tokens.append(_text_token(text[position : match.start()]))
        span = Token("html_inline", "", 0)
        span.content = f'<span class="mention">@{match.group(1)}</span>'
        tokens.append(span)
        position = match.end()
    if position < len(text):
        tokens.append(_text_token(text[position:]))
    return tokens


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _parser(mentions: Collection[str]) -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False})
    parser.enable(["table", "strikethrough"])
    parser.core.ruler.push("table_alignment_to_class", _table_alignment_to_class)
    if mentions:
        parser.core.ruler.push("mentions", _mention_rule(mentions))
    return parser


_default_parser = _parser(())


def render_markdown(source: str, *, mentions: Collection[str] = ()) -> str:
    """Render CommonMark to HTML that is safe to show with |safe.

    `mentions` are the @handles known to exist; they are wrapped in <span class="mention">.
    Raw HTML in the source is shown as text; links get rel="nofollow noopener"; URLs other than
    http(s)/mailto (and non-https images) are dropped.
    """
    parser = _parser(mentions) if mentions else _default_parser
    html = parser.render(source or "")
    return _cleaner.clean(html).strip()


def find_mentions(source: str) -> list[str]:
    """The distinct @handles in a Markdown source, lower-cased, outside code spans and blocks."""
    tokens = _default_parser.parse(source or "")
    found: list[str] = []
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
                for match in MENTION_RE.finditer(token.content):
                    name = match.group(1).lower()
                    if name not in found:
                        found.append(name)
    return found


def plain_text(html: str) -> str:
    """Visible text of sanitized HTML (for excerpts, email bodies and search)."""
    text = html_lib.unescape(bleach.clean(html, tags=set(), strip=True))
    return re.sub(r"\s+", " ", text).strip()
