"""The browser suite's fixtures (live server, Chromium at 375px, CSRF on) for registry journeys."""

from tests.browser.conftest import app_config  # noqa: F401  (CSRF on)
