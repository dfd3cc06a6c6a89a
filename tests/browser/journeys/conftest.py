"""The journeys' app: CSRF on, mail through a real SMTP server, links back to the live server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.journeys.journey import journey

__all__ = ["journey"]


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_port: int, live_port: int) -> dict[str, Any]:
    return {
        **app_config,
        "WTF_CSRF_ENABLED": True,
        "FORUM_BASE_URL": f"http://127.0.0.1:{live_port}",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_DEFAULT_SENDER": "Staff forum <forum@council.example>",
        "MAIL_TIMEOUT_SECONDS": 5,
    }
