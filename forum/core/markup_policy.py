"""The allow-list behind forum.core.markup: every token is rebuilt from it before rendering.

Nothing from the parser is trusted as-is. A token keeps only a known type, its expected tag and
the attributes listed here; URLs keep only http(s)/mailto or a relative path; images load only
from the app itself or an allowed host (anything else becomes a link a reader may follow);
emphasis nests at most MAX_INLINE_DEPTH deep; anything unknown is shown as text. markdown-it's
renderer escapes all text and attribute values, so the result needs no second HTML parse.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Collection, Iterable
from typing import Any
from urllib.parse import urlsplit

from bleach.linkifier import TLDS
from markdown_it.token import Token

from forum.core import tasklists

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
        "input",  # only the read-only checkbox of a task list item
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
# Paths of images the app serves itself (uploads, later); any host needs IMAGE_HOSTS.
APP_IMAGE_PREFIXES = ("/static/", "/uploads/")
# Emphasis, strong and strike-through nested deeper than this are shown as their markup.
MAX_INLINE_DEPTH = 8
# Bare URLs turned into links, and mention spans, per document; past it they stay text.
MAX_AUTO_SPANS = 500
LINK_REL = "nofollow noopener"
# @handles: the local part of a colleague's email address (priya.shah, j-smith, o_brien).
MENTION_RE = re.compile(r"(?<![\w.@/])@([A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?)")

_LANGUAGE = re.compile(r"[A-Za-z0-9_+#.-]{1,40}")
_ALIGN = re.compile(r"text-align:(left|center|right)")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")

# Block token types and the tags they may carry.
_BLOCK_TAGS: dict[str, frozenset[str]] = {
    "paragraph": frozenset({"p"}),
    "heading": frozenset({"h1", "h2", "h3", "h4", "h5", "h6"}),
    "blockquote": frozenset({"blockquote"}),
    "bullet_list": frozenset({"ul"}),
    "ordered_list": frozenset({"ol"}),
    "list_item": frozenset({"li"}),
    "table": frozenset({"table"}),
    "thead": frozenset({"thead"}),
    "tbody": frozenset({"tbody"}),
    "tr": frozenset({"tr"}),
    "th": frozenset({"th"}),
    "td": frozenset({"td"}),
}
_FORMATTING = {"em": "em", "strong": "strong", "s": "s"}

# Bare URLs become links where bleach's linkifier made them (protocol optional, a known TLD),
# found in linear time. Its one regex, tried at every word boundary with a 274-way TLD
# alternation, made each attempt in `a-a-a-…` scan to the end: 14 s of CPU for 50 KB.
_TLDS = frozenset(TLDS)
_HOST = re.compile(
    r"""(?<![\w.@-])\b  # where a word starts
    (?:https?:/{0,3}(?:(?:\w+:)?\w+@)?)?  # http://user@
    (?:[\w-]+\.)+(?P<tld>[\w-]+)(?::[0-9]+)?(?!\.\w)\b  # xx.yy.tld:port
    """,
    re.IGNORECASE | re.VERBOSE | re.UNICODE,
)
# The path, once the host is known good (no "unsafe" RFC 3986 characters but # and ~).
_PATH = re.compile(r"""[/?][^\s{}|\\^`<>"]*""")
_HAS_PROTOCOL = re.compile(r"^[\w-]+:/{0,3}", re.IGNORECASE)


def normalize_hosts(hosts: Iterable[str]) -> frozenset[str]:
    """IMAGE_HOSTS entries as hostnames compare: lower-case IDNA, `*.` kept for subdomains."""
    normalized = set()
    for raw in hosts:
        host = str(raw).strip().lower().rstrip(".")
        wildcard = host.startswith("*.")
        host = host.removeprefix("*.")
        if not host:
            continue
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            continue
        normalized.add(("*." if wildcard else "") + host)
    return frozenset(normalized)


def url_scheme(url: str) -> str:
    """The scheme a browser would see: control characters and whitespace are ignored in it."""
    cleaned = _IGNORED_IN_SCHEME.sub("", html_lib.unescape(url)).lower()
    match = _SCHEME.match(cleaned)
    return match.group(1) if match else ""


def safe_href(url: str) -> bool:
    """http(s), mailto, or a relative URL."""
    scheme = url_scheme(url)
    return scheme == "" or scheme in ALLOWED_PROTOCOLS


def image_allowed(src: str, hosts: frozenset[str]) -> bool:
    """An image loads when the app serves it or its https host is allowed (IMAGE_HOSTS)."""
    if src.startswith(APP_IMAGE_PREFIXES) and not url_scheme(src):
        return True
    try:
        parts = urlsplit(src)
    except ValueError:
        return False
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme.lower() != "https" or not host:
        return False
    if host in hosts:
        return True
    return any(h.startswith("*.") and host.endswith(h[1:]) for h in hosts)


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _link(href: str, label: str) -> list[Token]:
    opening = Token("link_open", "a", 1)
    opening.attrs = {"href": href, "rel": LINK_REL}
    return [opening, _text(label), Token("link_close", "a", -1)]


def _mention(handle: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = f'<span class="mention">@{html_lib.escape(handle)}</span>'
    return token


def split_mentions(text: str, wanted: Collection[str], limit: int = MAX_AUTO_SPANS) -> list[Token]:
    """Text with each known @handle in it (the first `limit`) wrapped in a mention span."""
    if not wanted or "@" not in text:
        return [_text(text)]
    tokens: list[Token] = []
    position = 0
    for match in MENTION_RE.finditer(text):
        if match.group(1).lower() not in wanted:
            continue
        if limit <= 0:
            break
        limit -= 1
        if match.start() > position:
            tokens.append(_text(text[position : match.start()]))
        tokens.append(_mention(match.group(1)))
        position = match.end()
    if position < len(text):
        tokens.append(_text(text[position:]))
    return tokens


def _trim_url(fragment: str, parens: int) -> tuple[str, str]:
    """The URL and the text after it: a `)` closing one of the `parens` opened just before
    the URL, an unbalanced `)`, and trailing commas and full stops are not part of it."""
    suffix = ""
    while fragment:
        if parens and fragment.endswith(")"):
            parens -= 1
        elif not (fragment.endswith(")") and "(" not in fragment) and not fragment.endswith(
            (",", ".")
        ):
            break
        suffix, fragment = fragment[-1] + suffix, fragment[:-1]
    return fragment, suffix


def plain_paragraphs(source: str, mentions: Collection[str]) -> str:
    """The source as escaped paragraphs and line breaks: the cheap path over the budget."""

    def line_html(line: str) -> str:
        if not mentions or "@" not in line:
            return html_lib.escape(line)
        return "".join(
            t.content if t.type == "html_inline" else html_lib.escape(t.content)
            for t in split_mentions(line, mentions)
        )

    paragraphs = re.split(r"\n[ \t]*\n", source.replace("\r\n", "\n"))
    return "\n".join(
        "<p>" + "<br>\n".join(line_html(line) for line in p.strip("\n").split("\n")) + "</p>"
        for p in paragraphs
        if p.strip()
    )


class Policy:
    """Rebuilds one document's tokens from the allow-list (see the module docstring)."""

    def __init__(
        self,
        *,
        renderer: Any,
        options: Any,
        env: dict[str, Any],
        mentions: Collection[str],
        image_hosts: frozenset[str],
    ) -> None:
        self.renderer, self.options, self.env = renderer, options, env
        self.mentions = mentions
        self.image_hosts = image_hosts
        self.spans_left = MAX_AUTO_SPANS

    def clean_blocks(self, tokens: list[Token]) -> list[Token]:
        out: list[Token] = []
        for index, token in enumerate(tokens):
            kind = token.type
            base = kind.removesuffix("_open").removesuffix("_close")
            if kind == "list_item_open":
                tasklists.mark_task(token, tokens[index + 1 : index + 3])
            if kind == "inline":
                task = tasklists.task_of(tokens[index - 2] if index >= 2 else None)
                if task is not None:
                    tasklists.strip_marker(token)
                token.children = self.clean_inline(token.children or [])
                if task is not None:
                    token.children.insert(0, tasklists.checkbox(done=task))
                out.append(token)
            elif kind in {"fence", "code_block"}:
                language = (token.info or "").strip().split(maxsplit=1)
                token.info = language[0] if language and _LANGUAGE.fullmatch(language[0]) else ""
                token.attrs = {}
                out.append(token)
            elif kind == "hr" and token.tag == "hr":
                token.attrs = {}
                out.append(token)
            elif base in _BLOCK_TAGS and base != kind and token.tag in _BLOCK_TAGS[base]:
                token.attrs = self._block_attributes(token) if kind.endswith("_open") else {}
                out.append(token)
            else:
                out.append(_text(token.content))
        return out

    @staticmethod
    def _block_attributes(token: Token) -> dict[str, str | int | float]:
        if token.type == "list_item_open" and tasklists.task_of(token) is not None:
            return {"class": "task-item"}
        if token.type == "ordered_list_open":
            start = token.attrs.get("start")
            if isinstance(start, int) and 0 <= start < 10**9:
                return {"start": start}
        elif token.type in {"th_open", "td_open"}:
            match = _ALIGN.fullmatch(str(token.attrs.get("style", "")).replace(" ", ""))
            if match:
                return {"class": "align-" + match.group(1)}
        return {}

    def clean_inline(self, children: list[Token]) -> list[Token]:
        out: list[Token] = []
        formatting: list[bool] = []  # for each open em/strong/s: was it kept?
        depth = 0  # how many of those were kept
        links: list[bool] = []  # for each open link: was it kept?
        in_link = 0  # how many of those were kept
        for token in children:
            kind = token.type
            base = kind.removesuffix("_open").removesuffix("_close")
            if kind == "text":
                out.extend(self._text_with_links(token) if not in_link else [token])
            elif kind in {"softbreak", "hardbreak", "code_inline"}:
                token.attrs = {}
                out.append(token)
            elif base in _FORMATTING and token.tag == _FORMATTING[base]:
                if kind.endswith("_open"):
                    keep = depth < MAX_INLINE_DEPTH
                    formatting.append(keep)
                else:
                    keep = formatting.pop() if formatting else False
                depth += (1 if kind.endswith("_open") else -1) if keep else 0
                token.attrs = {}
                out.append(token if keep else _text(token.markup))
            elif kind == "link_open":
                href = str(token.attrs.get("href", ""))
                keep = safe_href(href) and not in_link
                links.append(keep)
                in_link += keep
                if keep:
                    title = token.attrs.get("title")
                    token.attrs = {"href": href, "rel": LINK_REL}
                    if title:
                        token.attrs = {"href": href, "title": str(title), "rel": LINK_REL}
                    out.append(token)
            elif kind == "link_close":
                if links and links.pop():
                    in_link -= 1
                    token.attrs = {}
                    out.append(token)
            elif kind == "image":
                out.extend(self._image(token, inside_link=bool(in_link)))
            else:
                out.append(_text(token.content))
        return out

    def _text_with_links(self, token: Token) -> list[Token]:
        """Bare URLs become links, known @handles mention spans."""
        text = token.content
        if self.spans_left <= 0:
            return [token]
        has_mention = bool(self.mentions) and "@" in text
        if "." not in text:
            return self._mentions(text) if has_mention else [token]
        out: list[Token] = []
        position = search = 0
        while self.spans_left > 0:
            match = _HOST.search(text, search)
            if match is None:
                break
            search = match.end()
            if match.group("tld").lower() not in _TLDS:
                continue
            path = _PATH.match(text, match.end())
            end = path.end() if path else match.end()
            start = match.start()
            before = text[max(0, start - 8) : start]
            parens = len(before) - len(before.rstrip("("))  # opened just before it (up to 8)
            url, suffix = _trim_url(text[start:end], parens)
            href = url if _HAS_PROTOCOL.search(url) else f"http://{url}"
            search = end
            if not url or not safe_href(href):
                continue
            out.extend(self._mentions(text[position:start]))
            out.extend(_link(href, url))
            if suffix:
                out.append(_text(suffix))
            position = end
            self.spans_left -= 1
        if position == 0 and not has_mention:
            return [token]
        if position < len(text):
            out.extend(self._mentions(text[position:]))
        return [t for t in out if t.type != "text" or t.content]

    def _mentions(self, text: str) -> list[Token]:
        if self.spans_left <= 0:
            return [_text(text)]
        tokens = split_mentions(text, self.mentions, self.spans_left)
        self.spans_left -= sum(1 for t in tokens if t.type == "html_inline")
        return tokens

    def _image(self, token: Token, *, inside_link: bool) -> list[Token]:
        """An allowed image stays; any other becomes a link showing its alt text and address
        (or just its alt text inside a link, or for an address no link may carry)."""
        src = str(token.attrs.get("src", ""))
        alt = self.renderer.renderInlineAsText(token.children or [], self.options, self.env)
        if image_allowed(src, self.image_hosts):
            title = token.attrs.get("title")
            token.attrs = {"src": src, "alt": ""}
            if title:
                token.attrs["title"] = str(title)
            token.children = [_text(alt)]
            return [token]
        scheme = url_scheme(src)
        if inside_link or scheme not in {"", "http", "https"}:
            return [_text(alt)] if alt else []
        return _link(src, f"{alt} ({src})" if alt else src)
