"""Journey: from an author's name on a thread to their page, then the directory by skill, and
one's own skills picked on a phone-sized page (axe checks every page on the way)."""

from __future__ import annotations

import pytest

from forum.accounts.models import Role
from forum.boards.models import PostKind
from tests.boards.factories import make_board, make_post, make_thread
from tests.browser.journeys.journey import Journey, sign_in_as
from tests.factories import PASSWORD, make_department, make_user
from tests.people.factories import make_skill, pick

pytestmark = pytest.mark.browser


def test_author_page_directory_and_own_skills(journey: Journey) -> None:
    housing = make_department(slug="housing", name="Housing")
    omar = make_user(
        Role.ENTHUSIAST,
        email="omar.haddad@example.org",
        display_name="Omar Haddad",
        department=housing,
    )
    tiktok, plain = make_skill("TikTok"), make_skill("Plain English")
    pick(omar, offers=[tiktok], wants=[plain])
    thread = make_thread(
        make_board(name="Wins"), author=omar, kind=PostKind.WIN, title="Reels work"
    )
    make_post(thread, author=omar)
    sam = make_user(display_name="Sam Riley", email="sam.riley@example.org")

    page = journey.person("sam")
    sign_in_as(page, journey, sam.email, PASSWORD)
    page.goto(journey.url(f"/t/{thread.id}"))
    journey.step(page, "thread")
    page.get_by_role("link", name="Omar Haddad").first.click()
    page.get_by_role("heading", name="Omar Haddad").wait_for()
    assert page.url.endswith("/u/omar.haddad")
    journey.step(page, "person page")

    page.get_by_role("link", name="TikTok").click()
    page.get_by_text("1 person offering TikTok").wait_for()
    journey.step(page, "directory by skill")

    page.goto(journey.url("/people/me/skills"))
    page.get_by_label("Plain English").first.check()
    page.get_by_role("button", name="Save my skills and training").click()
    page.get_by_role("heading", name="Sam Riley").wait_for()
    journey.step(page, "own page")
