"""A journey through the app as people would take it, checked at every step.

`Journey` opens one browser context per person (each signs in on their own "device"). At each
`step`, the current page is photographed at 1280 px and at 375 px wide (saved under
test-results/journeys/, git-ignored), must not scroll sideways at 375 px, and must pass
axe-core with no serious or critical violation. axe-core runs once per distinct page: the same
address with the same structure (elements, their classes, roles, attribute names and whether
they hold text) was already checked, in this journey or an earlier one of the session, so it
is not checked again; any change to the structure (a new post, an error message) checks anew. Any console error, uncaught exception or CSP
violation on any page visited fails the test, except the KNOWN_ROUGH_EDGES listed below.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.fixtures import assert_no_horizontal_scroll

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-results" / "journeys"
AXE_SCRIPT = (
    Path(__file__).resolve().parents[1] / "node" / "node_modules" / "axe-core" / "axe.min.js"
)
AXE_INSTALL = "npm ci --prefix tests/browser/node"
PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
BLOCKING_IMPACTS = ("serious", "critical")


@dataclasses.dataclass(frozen=True)
class ConsoleEntry:
    person: str
    url: str
    text: str
    resource_url: str


# A refused form is shown again with the status that says why (400 invalid, 409 conflict, 422),
# by design; Chromium logs the page's own status as "Failed to load resource". Any other status
# of the page itself (404, 500...) and every failed subresource still fail the journey.
_REFUSED_FORM = re.compile(r"status of (400|409|422) ")


def is_refused_form(entry: ConsoleEntry) -> bool:
    return entry.resource_url == entry.url and bool(_REFUSED_FORM.search(entry.text))


# Console errors caused by a known rough edge of issue 14 that someone else is fixing. Each
# entry names the rough edge; remove it when the fix lands (the journeys then prove it).
KNOWN_ROUGH_EDGES: dict[str, Callable[[ConsoleEntry], bool]] = {}


def axe_source() -> str:
    """axe-core's script, installed from the pinned tests/browser/node/package-lock.json."""
    if not AXE_SCRIPT.exists():
        message = f"axe-core is not installed: run `{AXE_INSTALL}` (needs Node.js and npm)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE_SCRIPT.read_text(encoding="utf-8")


_AXE_RUN = """async (impacts) => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter(v => impacts.includes(v.impact))
    .map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + n.failureSummary),
    }));
}"""

# A digest of what axe-core's rules look at on the page, without the words themselves: two
# pages with the same address and digest get the same verdict.
_STRUCTURE = """() => {
  let hash = 5381;
  const add = (text) => {
    for (let i = 0; i < text.length; i++) { hash = ((hash * 33) ^ text.charCodeAt(i)) >>> 0; }
  };
  for (const el of document.querySelectorAll("*")) {
    add(el.tagName);
    for (const name of el.getAttributeNames().sort()) {
      add(" " + name);
      if (["class", "role", "type", "lang", "tabindex", "hidden"].includes(name)) {
        add("=" + el.getAttribute(name));
      }
    }
    add(el.childElementCount === 0 && el.textContent.trim() ? "+" : "-");
  }
  return hash.toString(16) + ":" + document.querySelectorAll("*").length;
}"""

# Pages axe-core passed this session: (address without host or fragment, structure digest).
_CHECKED: set[tuple[str, str]] = set()

# The outline or box shadow that shows where the keyboard is, on the focused element.
_FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return {
    visible: outline || shadow,
    element: el.tagName.toLowerCase() + (el.name ? `[name=${el.name}]` : "")
      + " " + (el.innerText || el.value || el.getAttribute("aria-label") || "").slice(0, 40),
  };
}"""


class Journey:
    """One journey: its people, its steps, and the checks every step passes."""

    def __init__(self, browser: Any, base_url: str, name: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.name = name
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.axe = axe_source()
        self.steps = 0
        self.console: list[ConsoleEntry] = []
        self._reported = 0
        self.signed_in_once = False
        self._contexts: list[Any] = []

    def person(self, name: str) -> Any:
        """A new browser (context) for one person, phone-sized, watched for console errors."""
        context = self.browser.new_context(viewport=PHONE, accept_downloads=True)
        self._contexts.append(context)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.person = name  # type: ignore[attr-defined]

        def on_console(message: Any) -> None:
            if message.type == "error":
                location = message.location or {}
                self._record(page, message.text, location.get("url", ""))

        page.on("console", on_console)
        page.on("pageerror", lambda error: self._record(page, f"uncaught {error}", ""))
        return page

    def _record(self, page: Any, text: str, resource_url: str) -> None:
        entry = ConsoleEntry(page.person, page.url, text, resource_url)
        if is_refused_form(entry):
            return
        if not any(allowed(entry) for allowed in KNOWN_ROUGH_EDGES.values()):
            self.console.append(entry)

    def url(self, path: str) -> str:
        return self.base_url + path

    def step(self, page: Any, label: str) -> None:
        """Check the page as it is now, and photograph it at both widths."""
        page.wait_for_load_state()
        self.steps += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        stem = f"{self.steps:02d}-{page.person}-{slug}"  # type: ignore[attr-defined]
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(self.folder / f"{stem}-1280.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(self.folder / f"{stem}-375.png"), full_page=True)
        assert_no_horizontal_scroll(page)
        self.assert_accessible(page, label)
        self.assert_quiet_console(label)

    def assert_accessible(self, page: Any, label: str) -> bool:
        """axe-core finds no serious or critical violation; False if this very page (address
        and structure) already passed, so it was not checked again."""
        parts = urlsplit(page.url)
        key = (parts.path + ("?" + parts.query if parts.query else ""), page.evaluate(_STRUCTURE))
        if key in _CHECKED:
            return False
        # page.evaluate is not subject to the page's CSP, unlike an injected <script>.
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.axe)
        violations = page.evaluate(_AXE_RUN, list(BLOCKING_IMPACTS))
        assert violations == [], f"axe-core at step {label!r} ({page.url}): {violations}"
        _CHECKED.add(key)
        return True

    def assert_quiet_console(self, label: str = "the end") -> None:
        unreported = self.console[self._reported :]
        self._reported = len(self.console)
        assert unreported == [], f"console errors up to {label!r}: {unreported}"

    def assert_visible_focus(self, page: Any, *, may_leave_page: bool = False) -> str | None:
        """The keyboard's position is visible; returns a description of the focused element.

        With `may_leave_page`, the focus may also have left the page (Tab past the last
        element goes to the browser's own controls, then comes back to the top): None.
        """
        focus = page.evaluate(_FOCUS_STYLE)
        if focus is None and may_leave_page:
            return None
        assert focus is not None, f"nothing has the focus on {page.url}"
        assert focus["visible"], f"no visible focus indicator on {focus['element']} ({page.url})"
        return str(focus["element"])

    def close(self) -> None:
        for context in self._contexts:
            context.close()


@pytest.fixture
def journey(browser: Any, live_server: str, request: pytest.FixtureRequest) -> Iterator[Journey]:
    """A Journey named after the test; its console must stay clean to the end."""
    name = request.node.name.removeprefix("test_")
    trip = Journey(browser, live_server, name)
    try:
        yield trip
        trip.assert_quiet_console()
    finally:
        trip.close()


def sign_in_as(page: Any, journey: Journey, email: str, password: str) -> None:
    """Sign in through the form, as a person would, checking the sign-in page on the way."""
    page.goto(journey.url("/login"))
    if not journey.signed_in_once:  # the same page for everyone: check it once per journey
        journey.step(page, "sign in")
        journey.signed_in_once = True
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
