"""Journey 2: an urgent escalation emailed to a senior, who acknowledges and answers in the thread."""

from __future__ import annotations

import re

import pytest

from forum.accounts.models import Role
from forum.alerts import worker
from tests.alerts.servers import SmtpServer
from tests.boards.factories import make_board, make_post, make_thread
from tests.browser.journeys.journey import Journey, sign_in_as
from tests.browser.journeys.mail import html_part, messages_to
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser

TITLE = "Bin collection post published twice"


def test_urgent_escalation_acknowledged_and_resolved_by_reply(
    journey: Journey, smtp: SmtpServer
) -> None:
    board = make_board(name="Social media", slug="social")
    author = make_user(Role.ENTHUSIAST, display_name="Ada Enthusiast")
    senior = make_user(Role.SENIOR, display_name="Sam Senior")
    thread = make_thread(board, author=author, kind="failure", title=TITLE)
    make_post(thread, body="Try republishing from the scheduler.")

    # Ada escalates her thread as urgent.
    ada = journey.person("ada")
    sign_in_as(ada, journey, author.email, PASSWORD)
    ada.goto(journey.url(f"/t/{thread.id}"))
    journey.step(ada, "thread")
    ada.get_by_role("link", name="Escalate to a senior").click()
    journey.step(ada, "escalate form")
    ada.get_by_label("Why does this need a senior?").fill(
        "Residents are complaining; the duplicate is still live."
    )
    ada.get_by_label("Urgency").select_option(label="Urgent: within the hour")
    ada.get_by_role("button", name="Escalate").click()
    ada.get_by_text("Escalated: senior people have been alerted.").wait_for()
    assert ada.get_by_role("heading", name=f"Escalation: {TITLE}").is_visible()
    journey.step(ada, "escalated")

    # The alert worker emails Sam; Sam follows the email's link.
    worker.run_once()
    [email] = messages_to(smtp, senior.email)
    assert email["Subject"] == f"[Urgent] Escalation: {TITLE}"
    sam = journey.person("sam")
    sam.set_content(html_part(email))
    sam.get_by_role("link", name="Open in the forum").click()
    sam.wait_for_url(re.compile(r"/login\?next=(/|%2F)escalations(/|%2F)\d+$"))
    journey.step(sam, "sign in from the email")
    sam.get_by_label("Email").fill(senior.email)
    sam.get_by_label("Password").fill(PASSWORD)
    sam.get_by_role("button", name="Sign in").click()
    sam.get_by_role("heading", name=f"Escalation: {TITLE}").wait_for()
    escalation_url = sam.url
    assert "/escalations/" in escalation_url
    journey.step(sam, "escalation")
    sam.get_by_role("button", name="Acknowledge").click()
    sam.get_by_role("region", name="Timeline").get_by_role("listitem").filter(
        has_text="Acknowledged by Sam Senior"
    ).wait_for()
    journey.step(sam, "acknowledged")

    # Sam answers in the thread; the reply resolves the escalation.
    sam.get_by_role("heading", name=f"Escalation: {TITLE}").get_by_role("link").click()
    sam.get_by_label("Your reply").fill("I've taken the duplicate down and called the contractor.")
    sam.get_by_role("button", name="Post reply").click()
    sam.get_by_role("article", name="Sam Senior").wait_for()
    assert (
        "Resolved by Sam Senior" in sam.get_by_role("complementary", name="Escalation").inner_text()
    )
    journey.step(sam, "replied")
    sam.goto(escalation_url)
    timeline = sam.get_by_role("region", name="Timeline")
    resolved = timeline.get_by_role("listitem").filter(has_text="By a reply in the thread.")
    assert "Sam Senior" in resolved.inner_text()
    journey.step(sam, "timeline resolved")
    sam.get_by_role("link", name="Inbox").first.click()
    journey.step(sam, "inbox")
    sam.get_by_role("navigation", name="Escalation states").get_by_role(
        "link", name="Resolved"
    ).click()
    row = sam.get_by_role("row").filter(has_text=TITLE)
    row.wait_for()
    journey.step(sam, "inbox resolved")

    # Ada sees it resolved on her thread.
    ada.get_by_role("heading", name=f"Escalation: {TITLE}").get_by_role("link").click()
    assert (
        "Resolved by Sam Senior" in ada.get_by_role("complementary", name="Escalation").inner_text()
    )
    journey.step(ada, "thread resolved")
