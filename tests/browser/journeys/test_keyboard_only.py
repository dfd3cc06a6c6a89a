"""Journey 6: journey 1 without a mouse. Every Tab lands on an element with a visible focus
indicator (outline or box shadow); links and buttons are pressed with Enter or Space."""

from __future__ import annotations

from typing import Any

import pytest

from forum.accounts.models import Role
from tests.boards.factories import make_board
from tests.browser.journeys.journey import Journey
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser

MAX_TABS = 60
TITLE = "Bin collection post published twice"

# The accessible name of the focused element, simply: a field's label, else its text.
_FOCUSED_NAME = """() => {
  const el = document.activeElement;
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return (label || el.getAttribute("aria-label") || el.innerText || el.value || "").trim();
}"""


def tab_to(journey: Journey, page: Any, name: str, *, backwards: bool = False) -> None:
    """Press Tab until the element called `name` has the focus, checking at every stop that
    the focus is visible."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if journey.assert_visible_focus(page, may_leave_page=True) is None:
            seen.append("(outside the page)")
            continue
        focused = page.evaluate(_FOCUSED_NAME)
        if focused == name or focused.startswith(name + "\n"):
            return
        seen.append(focused)
    raise AssertionError(f"{name!r} not reached with Tab on {page.url}; passed {seen}")


def skip_to_content(journey: Journey, page: Any) -> None:
    """The first Tab stop is the skip link: take it, as keyboard users do on every page."""
    page.bring_to_front()  # this person's window has the keyboard
    tab_to(journey, page, "Skip to content")
    page.keyboard.press("Enter")


def sign_in(journey: Journey, page: Any, email: str) -> None:
    page.goto(journey.url("/login"))
    if not journey.signed_in_once:
        journey.step(page, "sign in")
        journey.signed_in_once = True
    tab_to(journey, page, "Email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    journey.assert_visible_focus(page)
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_failure_to_fix_with_the_keyboard_only(journey: Journey) -> None:
    make_board(name="Social media", slug="social")
    author = make_user(Role.ENTHUSIAST, display_name="Ada Enthusiast")
    colleague = make_user(Role.MEMBER, display_name="Ben Colleague")

    ada = journey.person("ada")
    sign_in(journey, ada, author.email)
    journey.step(ada, "boards")
    skip_to_content(journey, ada)
    tab_to(journey, ada, "Social media")
    with ada.expect_navigation():
        ada.keyboard.press("Enter")
    skip_to_content(journey, ada)
    tab_to(journey, ada, "New thread")
    with ada.expect_navigation():
        ada.keyboard.press("Enter")
    journey.step(ada, "new thread")
    tab_to(journey, ada, "What kind of post is this?")
    ada.keyboard.type("Failure")
    assert ada.get_by_label("What kind of post is this?").input_value() == "failure"
    tab_to(journey, ada, "Title")
    ada.keyboard.type(TITLE)
    tab_to(journey, ada, "What happened?")
    ada.keyboard.type("The **scheduled post** went out *twice*.\n\n- at 09:00\n- again at 09:05\n")
    preview = ada.get_by_role("region", name="Preview")
    preview.get_by_role("listitem").filter(has_text="again at 09:05").wait_for()
    journey.assert_visible_focus(ada)
    journey.step(ada, "live preview")
    tab_to(journey, ada, "Tags (comma-separated, optional)")
    ada.keyboard.type("scheduling")
    tab_to(journey, ada, "Post thread")
    with ada.expect_navigation():
        ada.keyboard.press("Enter")
    ada.get_by_role("heading", name=TITLE).wait_for()
    thread_url = ada.url
    journey.step(ada, "thread posted")

    ben = journey.person("ben")
    sign_in(journey, ben, colleague.email)
    ben.goto(thread_url)
    skip_to_content(journey, ben)
    tab_to(journey, ben, "Your reply")
    ben.keyboard.type("Clear the *duplicate queue* in the scheduler, then republish.")
    tab_to(journey, ben, "Post reply")
    ben.keyboard.press("Space")  # posted in place (boards.js): the focus moves to the reply
    reply = ben.get_by_role("article", name="Ben Colleague")
    reply.wait_for()
    ben.wait_for_function("() => document.activeElement.matches('article.post')")
    assert ben.evaluate("() => document.activeElement.id") == reply.get_attribute("id")
    journey.assert_visible_focus(ben)
    journey.step(ben, "reply posted")

    ada.goto(thread_url)
    skip_to_content(journey, ada)
    tab_to(journey, ada, "Mark as solution")
    with ada.expect_navigation():
        ada.keyboard.press("Enter")
    ada.get_by_role("region", name="Solution").wait_for()
    journey.step(ada, "marked solved")

    skip_to_content(journey, ben)
    tab_to(journey, ben, "Search", backwards=True)
    with ben.expect_navigation():
        ben.keyboard.press("Enter")
    journey.step(ben, "search")
    skip_to_content(journey, ben)
    tab_to(journey, ben, "Search for")
    ben.keyboard.type("republish")
    with ben.expect_navigation():
        ben.keyboard.press("Enter")
    tab_to(journey, ben, TITLE)
    journey.step(ben, "search results")
    with ben.expect_navigation():
        ben.keyboard.press("Enter")
    assert ben.url.startswith(thread_url)
    journey.step(ben, "found thread")
