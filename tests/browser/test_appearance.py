"""Dark mode follows the system setting, keeping text readable against its background."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser

COLOURS = """() => {
  const rgb = (value) => value.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const of = (selector, property) => rgb(getComputedStyle(document.querySelector(selector))[property]);
  return {
    page: of("body", "backgroundColor"), text: of("body", "color"),
    header: of(".site-header", "backgroundColor"), brand: of(".brand", "color"),
    field: of("select", "backgroundColor"), fieldText: of("select", "color"),
  };
}"""


def luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one: list[float], other: list[float]) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_each_scheme_keeps_text_readable(browser: Any, live_server: str, scheme: str) -> None:
    user = make_user()
    context = browser.new_context(color_scheme=scheme, viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        sign_in(page, live_server, user.email, PASSWORD)
        page.goto(live_server + "/settings")
        colours = page.evaluate(COLOURS)
    finally:
        context.close()
    is_dark = luminance(colours["page"]) < 0.05
    assert is_dark == (scheme == "dark")
    for text, background in [("text", "page"), ("brand", "header"), ("fieldText", "field")]:
        assert contrast(colours[text], colours[background]) >= 4.5, (scheme, text, colours)
