"""The rendering budget: pathological Markdown renders sane, bounded output with bounded work.

Every input below took from 0.5 s to 14 s of CPU before the budget (markdown-it-py plus bleach's
html5lib and linkify regex); `docs/security.md` has the history. The assertions use deterministic
measures only (work units, tokens, nesting depth, output size), never the clock. For the record,
on the 2-core development VM at load 9 each of these renders in 1-65 ms of CPU.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from forum.core import markup
from forum.core.markup import MAX_TOKENS, WORK_BUDGET, plain_text, render
from tests.core.test_markup import assert_inert

REALISTIC_POST = """## What happened at the launch

We saw a spike in complaints on **Facebook** after the [announcement](https://example.org/n/1).
Steps we took:

1. Paused the scheduled posts in the tool
2. Wrote a holding line with the press office, see https://www.gov.uk/guidance
3. Replied to the top *twenty* comments, with ~~templates~~ real answers

> Keep replies short and human. @omar.haddad agreed.

| Channel | Reach | Notes |
|:--|--:|---|
| Facebook | 12k | spike |
| X | 3k | quiet |

```
curl -s https://example.org/api | jq .
```

"""

PATHOLOGICAL = {
    "less-than signs": "<" * 49_000,
    "ampersand and less-than": "<&" * 24_000,
    "nested emphasis": "*" * 24_000 + "a" + "*" * 24_000,
    "unclosed emphasis": "*a " * 16_000,
    "mixed emphasis": "**a *b " * 7_000,
    "underscores": "_a_ " * 12_000,
    "strike-through": "~~a " * 12_000,
    "opening brackets": "[" * 49_000,
    "bracket words": "[a" * 24_000,
    "image openers": "![" * 24_000,
    "nested link labels": "[" * 5_000 + "a" + "](x)" * 5_000,
    "links": "[a](http://x.example) " * 2_200,
    "images": "![a](https://x.example/i.png) " * 1_600,
    "backticks": "`" * 49_000,
    "code spans": "`a ` " * 9_000,
    "quote markers": ">" * 49_000,
    "quote lines": "> a\n" * 12_000,
    "nested quotes and lists": "> - " * 12_000,
    "list items": "- a\n" * 12_000,
    "nested lists": "".join("  " * depth + "- a\n" for depth in range(180)),
    "ordered items": "1. a\n" * 10_000,
    "headings": "# a\n" * 12_000,
    "hard breaks": "a  \n" * 12_000,
    "soft breaks": "a\n" * 25_000,
    "named entities": "&amp;" * 9_800,
    "numeric entities": "&#x41;" * 8_000,
    "bare ampersands": "&" * 49_000,
    "table rows": "|a|\n|-|\n" + "|a|\n" * 12_000,
    "table that autofills": "|a" * 256 + "\n" + "|-" * 256 + "\n" + "a\n" * 256,
    "header and delimiter pairs": "|a|b\n|-|-\n" * 4_000,
    "reference definitions": "[a]: b\n" * 7_000,
    "fences": "```\na\n```\n" * 4_000,
    "linkify against dashes": "a-" * 25_000,
    "linkify against dots": "a." * 25_000,
    "linkify against parentheses": "(" * 49_000 + "a.com",
    "bare domains": "a.co " * 10_000,
    "mentions": "@omar.haddad " * 3_800,
    "many handles": " ".join(f"@u{n}" for n in range(7_000)),
    "autolinks": "<http://a.example>" * 2_700,
    "backslashes": "\\" * 49_000,
}
# Blocks nest at most markup.MAX_NESTING deep (two elements per list level) and inline
# formatting markup_policy.MAX_INLINE_DEPTH deep, inside a link and a cell at most.
MAX_DEPTH = 2 * markup.MAX_NESTING + 8 + 6


class _Shape(HTMLParser):
    """Counts elements and the deepest nesting; fails on an end tag that closes nothing."""

    VOID = frozenset({"br", "hr", "img"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.elements = 0
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1
        if tag not in self.VOID:
            self.stack.append(tag)
            self.depth = max(self.depth, len(self.stack))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def shape(html: str) -> _Shape:
    parser = _Shape()
    parser.feed(html)
    parser.close()
    assert not parser.stack, f"unclosed {parser.stack[-3:]}"
    return parser


@pytest.mark.parametrize("source", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_input_renders_within_the_budget(source: str) -> None:
    assert len(source) <= markup.MAX_SOURCE_CHARS
    rendered = render(source, mentions=["omar.haddad"])
    assert rendered.work <= WORK_BUDGET
    assert rendered.tokens <= MAX_TOKENS
    assert_inert(rendered.html)
    page = shape(rendered.html)
    assert page.depth <= MAX_DEPTH
    # Linear in the input: no table autofill or entity blow-up (worst case here: `<` -> `&lt;`).
    assert len(rendered.html) <= 5 * len(source) + 100
    assert page.elements <= len(source) // 2 + 10
    if not rendered.within_budget:
        # Over the budget the text is kept whole, as plain paragraphs.
        assert plain_text(rendered.html) == " ".join(source.split())


def test_a_long_realistic_post_keeps_its_formatting() -> None:
    source = (REALISTIC_POST * 60)[:20_000]
    rendered = render(source, mentions=["omar.haddad"])
    assert rendered.within_budget
    assert rendered.work < WORK_BUDGET
    assert rendered.html.count("<table>") >= 30
    assert '<span class="mention">@omar.haddad</span>' in rendered.html


def test_over_the_budget_the_text_shows_as_escaped_paragraphs_with_mentions() -> None:
    source = "[<b>" * 9_000 + "\n\nhi @omar.haddad\nbye"
    rendered = render(source, mentions=["omar.haddad"])
    assert not rendered.within_budget
    assert rendered.work == WORK_BUDGET
    assert rendered.html.endswith('<p>hi <span class="mention">@omar.haddad</span><br>\nbye</p>')
    assert "&lt;b&gt;" in rendered.html and "<b>" not in rendered.html
    assert rendered.mentions == ["omar.haddad"]


def test_longer_sources_than_the_limit_are_never_parsed() -> None:
    rendered = render("*a* " * 20_000)
    assert rendered.work == 0 and not rendered.within_budget
    assert "<em>" not in rendered.html


def test_emphasis_nests_at_most_eight_deep_and_long_runs_are_text() -> None:
    marks = ["*_"[level % 2] for level in range(12)]
    source = "".join(f"{m}x " for m in marks) + "y" + "".join(f" x{m}" for m in reversed(marks))
    deep = render(source).html
    assert deep.count("<em>") == 8
    assert shape(deep).depth == 1 + 8
    assert "<em>x *x _x *x _x y x_ x* x_ x* x</em>" in deep
    run = render("*" * 17 + "a" + "*" * 17).html
    assert run == "<p>" + "*" * 17 + "a" + "*" * 17 + "</p>"
    assert render("***a***").html == "<p><em><strong>a</strong></em></p>"


def test_tables_over_the_size_limits_stay_text() -> None:
    wide = "|a" * 41 + "\n" + "|-" * 41 + "\n" + "|b" * 41
    assert "<table>" not in render(wide).html
    long = "|a|b|\n|-|-|\n" + "|c|d|\n" * 1_000
    assert "<table>" not in render(long).html
    fits = "|a|b|\n|-|-|\n" + "|c|d|\n" * 400
    assert render(fits).html.count("<tr>") == 401


def test_bare_urls_and_mentions_stop_being_marked_after_five_hundred() -> None:
    out = render("a.co " * 600 + " @omar.haddad", mentions=["omar.haddad"]).html
    assert out.count("<a href=") == 500
    assert "mention" not in out


def test_only_fifty_distinct_handles_are_looked_up() -> None:
    asked: list[list[str]] = []
    render(" ".join(f"@u{n}" for n in range(200)), mentions=lambda found: asked.append(found) or ())
    assert asked == [[f"u{n}" for n in range(50)]]
