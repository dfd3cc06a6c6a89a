"""Signing in through the organization's OpenID Provider in Chromium: the forum's button, the
provider's own login and consent pages, and back, signed in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.accounts.oidc_server import Provider, running_provider
from tests.browser.conftest import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(live_port: int) -> Iterator[Provider]:
    with running_provider([f"http://127.0.0.1:{live_port}/login/sso/callback"]) as running:
        yield running


@pytest.fixture
def app_config(app_config: dict[str, Any], provider: Provider, live_port: int) -> dict[str, Any]:
    return {
        **app_config,
        **provider.config(OIDC_ALLOWED_DOMAINS=["example.org"], PASSWORD_SIGN_IN=False),
        "FORUM_BASE_URL": f"http://127.0.0.1:{live_port}",
    }


def test_a_newcomer_signs_in_with_the_provider_at_375px(page: Any, live_server: str) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server + "/settings")
    assert "/login" in page.url
    assert page.get_by_label("Password").count() == 0  # password sign-in is off
    assert_no_horizontal_scroll(page)
    page.get_by_role("link", name="Sign in with Example ID").click()

    # The provider's own pages (its development login and consent forms).
    page.wait_for_url(lambda url: url.startswith("http://127.0.0.1:") and "/interaction/" in url)
    page.get_by_placeholder("Enter any login").fill("ann")
    page.get_by_placeholder("and password").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(live_server + "/settings")
    assert page.get_by_role("heading", name="Your settings").is_visible()
    assert page.get_by_text("ann@example.org").first.is_visible()
    assert_no_horizontal_scroll(page)
    assert page.csp_errors == []
