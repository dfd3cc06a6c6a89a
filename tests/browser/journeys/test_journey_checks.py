"""The journeys' checks catch what they are for: axe violations, console errors, invisible focus."""

from __future__ import annotations

import pytest

from tests.browser.journeys.journey import ConsoleEntry, Journey, is_refused_form

pytestmark = pytest.mark.browser

BROKEN_PAGE = """<!doctype html><html lang="en"><head><title>Broken</title>
<style>button:focus { outline: none; }</style></head>
<body><main><h1>Broken</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<button>No outline</button></main></body></html>"""


def test_the_checks_fail_on_a_broken_page(journey: Journey) -> None:
    page = journey.person("tester")
    page.set_content(BROKEN_PAGE)
    with pytest.raises(AssertionError, match="image-alt"):
        journey.assert_accessible(page, "broken")

    page.get_by_role("button", name="No outline").focus()
    with pytest.raises(AssertionError, match="no visible focus indicator"):
        journey.assert_visible_focus(page)

    with page.expect_console_message():
        page.evaluate("() => console.error('something broke')")
    with pytest.raises(AssertionError, match="something broke"):
        journey.assert_quiet_console("broken")


GOOD_PAGE = """<!doctype html><html lang="en"><head><title>Good</title></head>
<body><main><h1>{heading}</h1><p>Fine.</p></main></body></html>"""


def test_axe_checks_a_page_again_only_when_its_structure_changed(journey: Journey) -> None:
    page = journey.person("tester")
    page.set_content(GOOD_PAGE.format(heading="First words"))
    assert journey.assert_accessible(page, "good")
    page.set_content(GOOD_PAGE.format(heading="Other words"))  # the same structure
    assert not journey.assert_accessible(page, "same structure")
    page.set_content(
        GOOD_PAGE.format(heading='Good <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">')
    )
    with pytest.raises(AssertionError, match="image-alt"):
        journey.assert_accessible(page, "an image without alt text")


def test_only_a_refused_forms_own_status_is_expected() -> None:
    page = "http://127.0.0.1:5000/profiles/new"
    refused = "Failed to load resource: the server responded with a status of 409 (CONFLICT)"
    missing = "Failed to load resource: the server responded with a status of 404 (NOT FOUND)"
    assert is_refused_form(ConsoleEntry("p", page, refused, page))
    assert not is_refused_form(ConsoleEntry("p", page, missing, page))
    assert not is_refused_form(ConsoleEntry("p", page, refused, page + "/script.js"))
