"""The Markdown pipeline: what renders, and a broad set of XSS vectors that must come out inert.

Vectors are collected from the OWASP XSS Filter Evasion Cheat Sheet, the PortSwigger XSS cheat
sheet and well-known Markdown-specific payloads (link/image destinations, autolinks, reference
links, entity tricks). Each output is parsed and every tag, attribute and URL checked against
the allow-list, so a new bypass shows up as a failure whatever shape it takes.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import bleach
import pytest
from flask import Flask

from forum.core.markup import (
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    find_mentions,
    plain_text,
    render_markdown,
)

SAFE_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "th": {"class"},
    "td": {"class"},
    "ol": {"start"},
    "span": {"class"},
    "li": {"class"},
    "input": {"type", "class", "disabled", "checked"},
}
# Classes the renderer may write, and the only checkbox it may write (a task list's).
CLASSES = r"language-[\w+#.-]+|align-(left|center|right)|mention|task-item|task-box"
URL_ATTRIBUTES = {"href", "src"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag


def _scheme(url: str) -> str:
    # Browsers ignore control characters and whitespace inside the scheme; so must we.
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url)).lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else ""


def assert_inert(output: str) -> None:
    parser = _Collector()
    parser.feed(output)
    parser.close()
    for tag, attrs in parser.elements:
        assert tag in ALLOWED_TAGS, f"tag <{tag}> escaped the allow-list: {output!r}"
        for name, value in attrs:
            assert name in SAFE_ATTRIBUTES.get(tag, set()), f"{tag}[{name}] in {output!r}"
            if name in URL_ATTRIBUTES:
                scheme = _scheme(value or "")
                assert scheme in {"", "http", "https", "mailto"}, f"{scheme}: in {output!r}"
                if tag == "img":
                    # No host is allowed in these tests: only images the app serves load.
                    assert scheme == "" and (value or "").startswith(("/static/", "/uploads/"))
            if name == "class":
                assert re.fullmatch(CLASSES, value or ""), output
        if tag == "input":
            assert ("type", "checkbox") in attrs and ("disabled", None) in attrs, output
    # Event handlers and style attributes are caught above (no such attribute is allowed);
    # text that merely looks like one inside a quoted value is harmless.
    assert "<script" not in output.lower()


XSS_VECTORS = [
    # OWASP: basic and obfuscated script tags
    "<script>alert('XSS')</script>",
    "<SCRIPT SRC=https://xss.rocks/xss.js></SCRIPT>",
    '<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=http://xss.rocks/xss.js?< B >",
    "<SCRIPT SRC=//xss.rocks/.j>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    "<IMG onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114'
    "&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116"
    '&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;"
    "&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72"
    "&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<TD BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>",
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,'
    'PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">',
    '<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.rocks/scriptlet.html"></OBJECT>',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIw'
    'MDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv" type="image/svg+xml" '
    'AllowScriptAccess="always"></EMBED>',
    "<svg/onload=alert('XSS')>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="jAvAsCrIpT&colon;alert(1)">x</a>',
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)">',
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<x onclick=alert(1)>click</x>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '"><script>alert(document.cookie)</script>',
    "'';!--\"<XSS>=&{()}",
    # Markdown-specific: destinations, autolinks, references, titles, entity tricks
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](&#x6A;avascript:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](file:///etc/passwd)",
    "[click](java\nscript:alert(1))",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    '[click](https://example.org "title" onmouseover="alert(1)")',
    '[click](https://example.org"onmouseover="alert(1))',
    "<javascript:alert(1)>",
    "<vbscript:alert(1)>",
    "![x](javascript:alert(1))",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+)",
    "![x](http://insecure.example.org/i.png)",
    '![x" onerror="alert(1)](https://example.org/i.png)',
    '![x](https://example.org/i.png"onerror="alert(1))',
    '```"><script>alert(1)</script>\ncode\n```',
    "```js onload=alert(1)\ncode\n```",
    "`<script>alert(1)</script>`",
    "> <script>alert(1)</script>",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "* <iframe src=javascript:alert(1)>",
    'www.example.org/"onmouseover="alert(1)',
    "https://example.org/<script>alert(1)</script>",
    "@omar.haddad<script>alert(1)</script>",
]


def _bleach_allows(tag: str, name: str, value: str) -> bool:
    """The allow-list as a bleach attribute filter (bleach checks URL schemes itself)."""
    if name == "class":
        return tag in {"code", "th", "td", "span", "li", "input"} and bool(
            re.fullmatch(CLASSES, value)
        )
    if tag == "input" and name == "type":
        return value == "checkbox"
    if tag == "img" and name == "src":
        return value.startswith(("/static/", "/uploads/"))
    return name in SAFE_ATTRIBUTES.get(tag, set())


# An independent second opinion: bleach (html5lib) with the same policy must find nothing to
# remove from what the renderer wrote.
BLEACH = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_bleach_allows,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


def elements(output: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Collector()
    parser.feed(output)
    parser.close()
    return [(tag, sorted(attrs)) for tag, attrs in parser.elements]


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_xss_vector_is_inert(vector: str) -> None:
    for output in (render_markdown(vector), render_markdown(vector, mentions=["omar.haddad"])):
        assert_inert(output)
        assert elements(BLEACH.clean(output)) == elements(output)
        assert plain_text(BLEACH.clean(output)) == plain_text(output)


@pytest.mark.parametrize("vector", XSS_VECTORS[:10])
def test_vector_inside_a_list_or_quote_is_inert(vector: str) -> None:
    assert_inert(render_markdown(f"- {vector}\n\n> {vector}"))


def test_raw_html_is_shown_as_text() -> None:
    assert render_markdown("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>"


def test_links_get_nofollow_noopener_and_bare_urls_are_linked() -> None:
    out = render_markdown("[site](https://example.org) and https://www.gov.uk/path")
    assert '<a href="https://example.org" rel="nofollow noopener">site</a>' in out
    assert '<a href="https://www.gov.uk/path" rel="nofollow noopener">' in out


def test_script_urls_never_become_links() -> None:
    for source in ("[x](javascript:alert(1))", "[x](data:text/html,hi)", "[x](vbscript:msgbox(1))"):
        assert "href" not in render_markdown(source)


def test_images_from_other_hosts_are_links_showing_alt_text_and_address() -> None:
    out = render_markdown("![chart](https://tracker.example/p.png)")
    assert "<img" not in out
    assert (
        '<a href="https://tracker.example/p.png" rel="nofollow noopener">'
        "chart (https://tracker.example/p.png)</a>"
    ) in out
    # http: images are links too, not broken images.
    out = render_markdown("![chart](http://example.org/a.png)")
    assert "<img" not in out and '<a href="http://example.org/a.png"' in out
    # No link may carry data: (or any other scheme); the alt text stays.
    assert render_markdown("![chart](data:image/png;base64,AAAA)") == "<p>chart</p>"


def test_images_load_only_from_the_app_and_allowed_hosts() -> None:
    hosts = ["img.example.org", "*.cdn.example"]
    for allowed in (
        "/uploads/a.png",
        "/static/img/logo.png",
        "https://img.example.org/a.png",
        "https://IMG.example.org./a.png",
        "https://a.cdn.example/a.png",
    ):
        assert "<img src=" in render_markdown(f"![x]({allowed})", image_hosts=hosts), allowed
    for refused in (
        "http://img.example.org/a.png",
        "https://img.example.org@evil.example/a.png",
        "https://img.example.org.evil.example/a.png",
        "https://evil.example/img.example.org/a.png",
        "https://cdn.example/a.png",
        "//img.example.org/a.png",
        "/t/12",
        "a.png",
    ):
        out = render_markdown(f"![x]({refused})", image_hosts=hosts)
        assert "<img" not in out, refused


def test_an_image_inside_a_link_that_may_not_load_leaves_its_alt_text() -> None:
    out = render_markdown("[![badge](https://evil.example/b.svg)](https://example.org)")
    assert out == '<p><a href="https://example.org" rel="nofollow noopener">badge</a></p>'


def test_image_hosts_come_from_the_setting(app: Flask) -> None:
    app.config["IMAGE_HOSTS"] = ["img.example.org"]
    assert "<img" in render_markdown("![x](https://img.example.org/a.png)")
    assert "<img" not in render_markdown("![x](https://other.example/a.png)")


def test_code_blocks_lists_quotes_and_tables_render() -> None:
    out = render_markdown(
        "```python\nprint('<hi>')\n```\n\n1. one\n2. two\n\n- a\n- b\n\n> quoted\n\n"
        "| Channel | Reach |\n|:--|--:|\n| Facebook | 12k |\n\n~~old~~ **new** *em* `x`"
    )
    assert "<pre><code class=\"language-python\">print('&lt;hi&gt;')" in out
    assert "<ol>" in out and "<ul>" in out and "<blockquote>" in out
    assert '<th class="align-left">Channel</th>' in out
    assert '<td class="align-right">12k</td>' in out
    assert "<s>old</s>" in out and "<strong>new</strong>" in out and "<em>em</em>" in out
    assert_inert(out)


def test_mentions_are_marked_only_for_known_handles_and_never_in_code() -> None:
    out = render_markdown("@omar.haddad and @nobody, `@omar.haddad`", mentions=["omar.haddad"])
    assert out.count('<span class="mention">@omar.haddad</span>') == 1
    assert "@nobody" in out
    assert find_mentions("Hi @Omar.Haddad, email me@example.org `@code`") == ["omar.haddad"]


def test_plain_text_strips_tags_and_entities() -> None:
    assert plain_text(render_markdown("**Bold** & <b>raw</b>")) == "Bold & <b>raw</b>"


def test_task_list_items_are_read_only_checkboxes() -> None:
    output = render_markdown("- [ ] ring the press office\n- [x] **draft** reply\n- plain\n")
    assert output == (
        "<ul>\n"
        '<li class="task-item"><input type="checkbox" class="task-box" disabled> '
        "ring the press office</li>\n"
        '<li class="task-item"><input type="checkbox" class="task-box" disabled checked> '
        "<strong>draft</strong> reply</li>\n"
        "<li>plain</li>\n"
        "</ul>"
    )
    assert_inert(output)
    assert elements(BLEACH.clean(output)) == elements(output)


@pytest.mark.parametrize(
    "source",
    ["[ ] not in a list", "- [y] not a task", "- [ ]", "- [x]<script>alert(1)</script>"],
)
def test_only_a_marker_and_a_space_in_a_list_item_make_a_task(source: str) -> None:
    output = render_markdown(source)
    assert "<input" not in output
    assert_inert(output)
