"""Journey 4: an invited senior signs up from the email, goes away with a cover, and the cover
is alerted for a crisis in their place."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from forum.accounts.models import Role
from forum.alerts import worker
from forum.core.db import utcnow
from forum.escalations import services as escalation_services
from forum.escalations.models import Urgency
from forum.extensions import db
from tests.alerts.servers import SmtpServer
from tests.boards.factories import make_board, make_thread
from tests.browser.journeys.journey import Journey, sign_in_as
from tests.browser.journeys.mail import html_part, messages_to
from tests.factories import PASSWORD, make_department, make_user

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a long new password"


def test_invited_senior_signs_up_goes_away_and_the_cover_is_alerted(
    journey: Journey, smtp: SmtpServer
) -> None:
    parks = make_department(slug="parks", name="Parks and Leisure")
    admin = make_user(Role.ADMIN, display_name="Alex Admin")
    cover = make_user(Role.SENIOR, display_name="Carl Cover")

    # Alex invites Nia as a senior of Parks.
    alex = journey.person("alex")
    sign_in_as(alex, journey, admin.email, PASSWORD)
    alex.goto(journey.url("/admin/users"))
    journey.step(alex, "users")
    alex.get_by_label("Email").fill("nia.new@example.org")
    alex.get_by_label("Role").select_option(label="Senior")
    alex.get_by_label("Department").select_option(label="Parks and Leisure")
    alex.get_by_role("button", name="Send invitation").click()
    alex.get_by_text("Invitation to nia.new@example.org is on its way.").wait_for()
    journey.step(alex, "invited")

    # Nia opens the email and creates her account from its link.
    worker.run_once()
    [invitation] = messages_to(smtp, "nia.new@example.org")
    nia = journey.person("nia")
    nia.set_content(html_part(invitation))
    nia.get_by_role("link", name="Create your account").click()
    nia.get_by_role("heading", name="Welcome to the staff forum").wait_for()
    journey.step(nia, "accept invitation")
    nia.get_by_label("Your name").fill("Nia New")
    nia.get_by_label("Password").fill(NEW_PASSWORD)
    nia.get_by_role("button", name="Create my account").click()
    nia.wait_for_url(re.compile(r"^(?!.*/invite/)"))
    journey.step(nia, "signed up")

    # She will be away this week; Carl covers.
    today = utcnow().date()
    nia.get_by_role("link", name="Nia New").click()
    journey.step(nia, "settings")
    away = nia.get_by_role("region", name="Away")
    away.get_by_label("Away from").fill(today.isoformat())
    away.get_by_label("Away until").fill((today + dt.timedelta(days=7)).isoformat())
    away.get_by_label("Colleague who covers for me").select_option(
        label=f"Carl Cover ({cover.email})"
    )
    away.get_by_role("button", name="Save away status").click()
    nia.wait_for_load_state()
    assert (
        nia.get_by_role("region", name="Away")
        .get_by_label("Colleague who covers for me")
        .evaluate("select => select.selectedOptions[0].textContent")
        .startswith("Carl Cover")
    )
    journey.step(nia, "away saved")

    # A crisis on a Parks board: Parks' senior is Nia, so Carl is alerted in her place.
    db.session.rollback()  # end this thread's read, older than the server's writes (SQLite)
    board = make_board(name="Parks social", slug="parks-social", department=parks)
    reporter = make_user(Role.MEMBER, department=parks, display_name="Pat Reporter")
    thread = make_thread(
        board, author=reporter, kind="failure", title="Abusive replies on our post"
    )
    escalation_services.escalate(
        thread, actor=reporter, reason="Threats in the replies.", urgency=Urgency.CRISIS
    )
    db.session.commit()
    worker.run_once()
    assert messages_to(smtp, "nia.new@example.org") == [invitation]
    [alert] = messages_to(smtp, cover.email)
    assert alert["Subject"] == "[Crisis] Escalation: Abusive replies on our post"
    assert "You are covering for Nia New, who is away." in html_part(alert)

    carl = journey.person("carl")
    carl.set_content(html_part(alert))
    carl.get_by_role("link", name="Open in the forum").click()
    carl.get_by_label("Email").fill(cover.email)
    carl.get_by_label("Password").fill(PASSWORD)
    carl.get_by_role("button", name="Sign in").click()
    timeline = carl.get_by_role("region", name="Timeline")
    timeline.get_by_text("covering: Carl Cover for Nia New").wait_for()
    journey.step(carl, "escalation with cover")
