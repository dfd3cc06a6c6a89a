"""The browser fixtures (live server, Chromium, CSRF on) for the insights journeys."""

from tests.browser.conftest import app_config  # noqa: F401  (CSRF on)
