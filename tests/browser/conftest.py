"""Browser journeys submit real forms: CSRF protection stays on, as in production."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.fixtures import assert_no_horizontal_scroll, sign_in

__all__ = ["assert_no_horizontal_scroll", "sign_in"]


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "WTF_CSRF_ENABLED": True}
