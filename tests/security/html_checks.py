"""Is a whole page free of script-capable markup? Parse it and look at every element.

What the forum itself writes is allowed: scripts and stylesheets from /static/, `<meta>` with
charset/name/content, forms posting to the site. Anything else that can run script is a finding:
an `on*` attribute, a `javascript:`/`vbscript:`/`data:` URL in any URL-bearing attribute, a
`srcdoc`, a `style` attribute or element, and elements that load or run content (iframe, object,
embed, base, svg, math...). Text that merely looks like markup (escaped) is fine by definition:
the parser sees it as text.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

FORBIDDEN_TAGS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "svg",
    "math",
    "style",
    "xml",
    "bgsound",
    "isindex",
    "keygen",
    "portal",
    "template",
    "noembed",
    "noframes",
    "xmp",
    "plaintext",
    "marquee",
    "xss",
    "animate",
    "set",
    "use",
    "image",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "background",
    "poster",
    "data",
    "codebase",
    "dynsrc",
    "lowsrc",
    "srcset",
    "ping",
    "manifest",
    "cite",
    "longdesc",
    "usemap",
    "profile",
}
SAFE_SCHEMES = {"", "http", "https", "mailto"}


def url_scheme(url: str) -> str:
    # Browsers drop control characters and whitespace inside a scheme; so must the check.
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url)).lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else ""


def _own_svg(values: dict[str, str]) -> bool:
    """The forum's own icons and charts (templates/alerts/_bell.html, insights/_charts.html)."""
    return bool(re.match(r"(bell-icon|chart-)", values.get("class", "")))


class _PageScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = self.findings
        values = {name: value or "" for name, value in attrs}
        if tag in FORBIDDEN_TAGS and not (tag == "svg" and _own_svg(values)):
            found.append(f"<{tag}>")
        if tag == "script":
            self._in_script = True
            if not values.get("src", "").startswith("/static/"):
                found.append(f"<script src={values.get('src')!r}>")
        if tag == "link" and not values.get("href", "").startswith("/"):
            found.append(f"<link href={values.get('href')!r}>")
        if tag == "link" and values.get("href", "").startswith("//"):
            found.append(f"<link href={values.get('href')!r}>")
        if tag == "meta" and "http-equiv" in values:
            found.append("<meta http-equiv>")
        for name, value in values.items():
            if name.startswith("on") or name in {"srcdoc", "style"}:
                found.append(f"<{tag} {name}>")
            elif name in URL_ATTRIBUTES and url_scheme(value) not in SAFE_SCHEMES:
                found.append(f"<{tag} {name}={value!r}>")
            elif tag == "form" and name == "action" and value.startswith("//"):
                found.append(f"<form action={value!r}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.findings.append(f"inline script {data[:40]!r}")


def script_capable_markup(page: str) -> list[str]:
    """Everything on `page` that could run script (empty for a safe page)."""
    scanner = _PageScanner()
    scanner.feed(page)
    scanner.close()
    return scanner.findings
