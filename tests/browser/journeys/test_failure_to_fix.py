"""Journey 1: a failure posted with Markdown, fixed by a colleague, marked solved, then found."""

from __future__ import annotations

import pytest

from forum.accounts.models import Role
from tests.boards.factories import make_board
from tests.browser.journeys.journey import Journey, sign_in_as
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser

FAILURE_BODY = (
    "The **scheduled post** for the bin collection went out *twice*.\n\n"
    "- first at 09:00\n"
    "- again at 09:05\n"
)
FIX_BODY = "Clear the *duplicate queue* in the scheduler settings, then republish."


def test_failure_posted_fixed_solved_and_found(journey: Journey) -> None:
    board = make_board(name="Social media", slug="social")
    author = make_user(Role.ENTHUSIAST, display_name="Ada Enthusiast")
    colleague = make_user(Role.MEMBER, display_name="Ben Colleague")

    # Ada signs in and posts the failure, watching the Markdown preview as she types.
    ada = journey.person("ada")
    sign_in_as(ada, journey, author.email, PASSWORD)
    journey.step(ada, "boards")
    ada.get_by_role("link", name=board.name).first.click()
    journey.step(ada, "board")
    ada.get_by_role("link", name="New thread").click()
    journey.step(ada, "new thread")
    ada.get_by_label("What kind of post is this?").select_option("failure")
    ada.get_by_label("Title").fill("Bin collection post published twice")
    ada.get_by_label("What happened?").press_sequentially(FAILURE_BODY)
    preview = ada.get_by_role("region", name="Preview")
    preview.get_by_role("listitem").filter(has_text="again at 09:05").wait_for()
    assert preview.locator("strong", has_text="scheduled post").is_visible()
    journey.step(ada, "live preview")
    ada.get_by_label("Tags (comma-separated, optional)").fill("scheduling, facebook")
    ada.get_by_role("button", name="Post thread").click()
    ada.get_by_role("heading", name="Bin collection post published twice").wait_for()
    thread_url = ada.url
    assert ada.locator("article strong", has_text="scheduled post").is_visible()
    journey.step(ada, "thread posted")

    # Ben replies with the fix.
    ben = journey.person("ben")
    sign_in_as(ben, journey, colleague.email, PASSWORD)
    ben.goto(thread_url)
    journey.step(ben, "thread")
    ben.get_by_label("Your reply").fill(FIX_BODY)
    ben.get_by_role("button", name="Post reply").click()
    ben.get_by_role("article", name="Ben Colleague").wait_for()
    journey.step(ben, "reply posted")

    # Ada marks Ben's reply as the solution.
    ada.goto(thread_url)
    ada.get_by_role("article", name="Ben Colleague").get_by_role(
        "button", name="Mark as solution"
    ).click()
    solution = ada.get_by_role("region", name="Solution")
    solution.wait_for()
    assert solution.get_by_text("duplicate queue").is_visible()
    assert ada.get_by_text("Solved", exact=True).first.is_visible()
    journey.step(ada, "marked solved")

    # Anyone finds the thread by a word of the fix.
    ben.get_by_role("link", name="Search").first.click()
    journey.step(ben, "search")
    ben.get_by_role("searchbox").fill("republish")
    ben.get_by_role("button", name="Search").click()
    result = ben.get_by_role("link", name="Bin collection post published twice")
    result.wait_for()
    journey.step(ben, "search results")
    result.click()
    ben.wait_for_url(thread_url + "*")
    journey.step(ben, "found thread")
