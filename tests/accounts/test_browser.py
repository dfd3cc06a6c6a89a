"""In a phone-sized Chromium: where you are signed in, signing a device out, admin unlock."""

from __future__ import annotations

from typing import Any

import pytest

from forum.accounts.models import Role
from tests.browser.conftest import (  # noqa: F401  (app_config: CSRF on)
    app_config,
    assert_no_horizontal_scroll,
    sign_in,
)
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_sign_ins_listed_and_signed_out_at_375px(page: Any, browser: Any, live_server: str) -> None:
    user = make_user()
    other = browser.new_context(viewport={"width": 375, "height": 800})
    phone = other.new_page()
    try:
        sign_in(phone, live_server, user.email, PASSWORD)
        sign_in(page, live_server, user.email, PASSWORD)
        page.goto(live_server + "/settings")
        assert page.get_by_role("heading", name="Where you are signed in").is_visible()
        assert page.get_by_text("(this device)").count() == 1
        assert_no_horizontal_scroll(page)
        assert page.csp_errors == []
        # Sign the phone out from here: the one row without "(this device)".
        rows = page.locator("section[aria-labelledby=sessions-heading] tbody tr")
        assert rows.count() == 2
        rows.filter(has_not_text="(this device)").get_by_role("button").click()
        page.wait_for_load_state()
        assert page.get_by_text("That device is signed out.").is_visible()
        phone.goto(live_server + "/settings")
        assert "/login" in phone.url
        page.get_by_role("button", name="Sign out everywhere").click()
        page.wait_for_load_state()
        assert "/login" in page.url
        assert page.get_by_text("You are signed out on every device.").is_visible()
    finally:
        other.close()


def test_admin_unlocks_a_sign_in_at_375px(page: Any, live_server: str) -> None:
    admin, senior = make_user(Role.ADMIN), make_user(Role.SENIOR)
    for n in range(3):
        page.goto(live_server + "/login")
        page.get_by_label("Email").fill(senior.email)
        page.get_by_label("Password").fill(f"wrong {n}")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    sign_in(page, live_server, admin.email, PASSWORD)
    page.goto(live_server + f"/admin/users/{senior.id}")
    assert page.get_by_text("3 failed sign-in attempts").is_visible()
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Unlock sign-in").click()
    page.wait_for_load_state()
    assert page.get_by_text("3 failed attempts cleared").is_visible()
    assert page.get_by_text("No recent failed sign-in attempts.").is_visible()
    assert page.get_by_text("Sign-in unlocked").is_visible()
