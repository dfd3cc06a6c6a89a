"""In a phone-sized Chromium: the bell, the notifications page and the alert admin pages."""

from __future__ import annotations

from typing import Any

import pytest

from forum.accounts.models import Role
from forum.alerts.models import OutboxStatus
from forum.extensions import db
from tests.alerts.factories import make_email, make_endpoint, make_notification
from tests.browser.conftest import (  # noqa: F401  (app_config: CSRF on)
    app_config,
    assert_no_horizontal_scroll,
    sign_in,
)
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_bell_and_notifications_at_375px(page: Any, live_server: str) -> None:
    user = make_user()
    make_notification(
        user, title="Priya replied to your question about bins", url="/notifications?from=bell"
    )
    for n in range(2):
        make_notification(user, title=f"A rather long notification title number {n} " * 3)
    sign_in(page, live_server, user.email, PASSWORD)
    page.goto(live_server + "/notifications")
    # Screen readers hear the count too: the icon is hidden, "unread" is visually hidden.
    assert page.get_by_role("link", name="Notifications 3 unread", exact=True).is_visible()
    assert_no_horizontal_scroll(page)

    page.get_by_role("link", name="Priya replied to your question about bins").click()
    page.wait_for_load_state()
    assert page.url.endswith("/notifications?from=bell")
    assert page.get_by_role("link", name="Notifications 2 unread", exact=True).is_visible()

    page.get_by_role("button", name="Mark all 2 read").click()
    page.wait_for_load_state()
    assert page.locator(".bell-count").count() == 0
    assert page.get_by_role("link", name="Notifications", exact=True).is_visible()
    assert page.csp_errors == []


def test_admin_alert_pages_fit_a_phone(page: Any, live_server: str) -> None:
    from forum.alerts import worker

    admin = make_user(Role.ADMIN)
    dead = make_email("a.very.long.recipient.address.for.wrapping@example.org")
    dead.status = OutboxStatus.DEAD
    dead.last_error = "SMTP unavailable: ConnectionRefusedError " * 3
    db.session.commit()
    make_email("someone@example.org", subject="Written to disk")
    worker.run_once()
    endpoint = make_endpoint("https://hooks.slack.com/services/T0000000/B0000000/" + "x" * 40)
    sign_in(page, live_server, admin.email, PASSWORD)
    for path in (
        "/admin/alerts",
        f"/admin/alerts/messages/{dead.id}",
        "/admin/alerts/webhooks",
        f"/admin/alerts/webhooks/{endpoint.id}",
        "/admin/alerts/mail",
    ):
        page.goto(live_server + path)
        assert_no_horizontal_scroll(page)
    page.goto(live_server + "/admin/alerts/mail")
    page.locator("table a").first.click()
    page.wait_for_load_state()
    assert_no_horizontal_scroll(page)

    page.goto(live_server + "/admin/alerts")
    page.get_by_role("button", name=f"Retry message {dead.id}").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"Message {dead.id} is queued again").is_visible()
    assert page.csp_errors == []
