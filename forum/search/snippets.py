"""Search snippets as safe HTML: escaped text, with <mark> around matches and nothing else."""

from __future__ import annotations

import re

from markupsafe import escape

SNIPPET_CHARS = 240
# Characters of context kept before and after a match in a long text.
SURROUND = 60
FRAGMENTS = 2
# Match delimiters a backend puts around matched words (PostgreSQL's ts_headline): control
# characters no stored text holds, since the backend removes them from the text first.
START, STOP = "\x02", "\x03"
_MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")


def plain_snippet(text: str, length: int = SNIPPET_CHARS) -> str:
    """The escaped start of a text, for hits whose match is not in the body."""
    if len(text) > length:
        text = text[: length - 1].rstrip() + "…"
    return str(escape(text))


def _html(plain: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out, at = [], start
    for low, high in spans:
        if low < start or high > end:
            continue
        out.append(str(escape(plain[at:low])))
        out.append(f"<mark>{escape(plain[low:high])}</mark>")
        at = high
    out.append(str(escape(plain[at:end])))
    return "".join(out).strip()


def _word_start(plain: str, at: int) -> int:
    """`at`, moved forward to the start of a word (a fragment never begins mid-word)."""
    if at <= 0:
        return 0
    space = plain.find(" ", at - 1)
    return len(plain) if space < 0 else space + 1


def _word_end(plain: str, at: int) -> int:
    if at >= len(plain):
        return len(plain)
    space = plain.rfind(" ", 0, at + 1)
    return at if space < 0 else space


def marked_snippet(marked: str) -> str:
    """The snippet of a text whose matched words are wrapped in START/STOP: a short text whole,
    a long one as up to FRAGMENTS passages around its matches, in text order, with an ellipsis
    wherever the text was cut. Without any match, the escaped start of the text."""
    spans: list[tuple[int, int]] = []
    parts: list[str] = []
    length = 0
    last = 0
    for match in _MARKED.finditer(marked):
        parts.append(marked[last : match.start()])
        length += len(parts[-1])
        spans.append((length, length + len(match.group(1))))
        parts.append(match.group(1))
        length += len(match.group(1))
        last = match.end()
    parts.append(marked[last:])
    plain = "".join(parts).replace(START, "").replace(STOP, "")
    if not spans:
        return plain_snippet(plain)
    if len(plain) <= SNIPPET_CHARS:
        return _html(plain, spans, 0, len(plain))
    fragments: list[tuple[int, int]] = []
    for low, high in spans:
        if fragments and high <= fragments[-1][1]:
            continue  # inside the passage already taken
        if len(fragments) == FRAGMENTS:
            break
        begin = _word_start(plain, low - SURROUND)
        finish = _word_end(plain, min(len(plain), high + SURROUND, begin + SNIPPET_CHARS))
        fragments.append((begin, max(finish, high)))
    text = " … ".join(_html(plain, spans, begin, finish) for begin, finish in fragments)
    if fragments[0][0] > 0:
        text = "… " + text
    if fragments[-1][1] < len(plain.rstrip()):
        text += " …"
    return text
