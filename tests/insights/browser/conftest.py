"""The browser fixtures (live server, Chromium, CSRF on) for the insights journeys."""

from tests.browser.conftest import (  # noqa: F401  (fixtures, found by name)
    app_config,
    browser,
    live_server,
    page,
)
