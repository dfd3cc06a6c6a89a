"""A person signs in, looks around on a phone-sized screen, changes settings and signs out."""

from __future__ import annotations

from typing import Any

import pytest

from forum.accounts.models import Role
from tests.browser.conftest import assert_no_horizontal_scroll, sign_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_sign_in_with_the_keyboard_at_375px(page: Any, live_server: str) -> None:
    user = make_user(display_name="Keyboard Person")
    page.goto(live_server + "/settings")
    assert page.url.startswith(live_server + "/login?next=")
    assert_no_horizontal_scroll(page)
    page.get_by_label("Email").focus()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server + "/settings")
    assert page.get_by_role("heading", name="Your settings").is_visible()
    assert_no_horizontal_scroll(page)
    assert page.csp_errors == []


def test_wrong_password_shows_an_error_next_to_the_field(page: Any, live_server: str) -> None:
    user = make_user()
    sign_in(page, live_server, user.email, "not the password")
    assert page.get_by_text("Email or password is incorrect.").first.is_visible()
    assert page.get_by_label("Password").get_attribute("aria-invalid") == "true"


def test_admin_pages_fit_a_phone(page: Any, live_server: str) -> None:
    admin = make_user(Role.ADMIN, email="a.very.long.email.address.for.wrapping@example.org")
    for n in range(5):
        make_user(display_name=f"Colleague {n}")
    sign_in(page, live_server, admin.email, PASSWORD)
    for path in ("/admin/users", "/admin/departments", "/settings", "/"):
        page.goto(live_server + path)
        assert_no_horizontal_scroll(page)
    assert page.csp_errors == []


def test_sign_out(page: Any, live_server: str) -> None:
    user = make_user()
    sign_in(page, live_server, user.email, PASSWORD)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server + "/login")
    page.goto(live_server + "/settings")
    assert "/login" in page.url
