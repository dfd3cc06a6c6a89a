"""The browser suite's fixtures (live server, Chromium at 375px, CSRF on) for registry journeys."""

from tests.browser.conftest import app_config, browser, live_server, page  # noqa: F401
