"""The person taking over is told by email too: the alerts worker delivers it to a real SMTP
server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from forum.alerts import worker
from tests.alerts.servers import SmtpServer
from tests.handover.factories import make_leaver_world


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_port: int) -> dict[str, Any]:
    return {
        **app_config,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_TIMEOUT_SECONDS": 5,
        "FORUM_BASE_URL": "https://forum.council.example",
    }


def test_the_heir_gets_an_email_naming_what_they_now_hold(
    app: Flask, smtp: SmtpServer, api: Callable[[Any], Any]
) -> None:
    world = make_leaver_world(profiles=1)
    client = api(world["admin"])
    leaver, heir = world["leaver"], world["heir"]
    client.patch(f"/api/v1/users/{leaver.id}", json={"active": False})
    [owned] = world["owned"]

    client.post(
        f"/api/v1/users/{leaver.id}/handover/reassign",
        json={"kind": "profile_owner", "id": owned.id, "to_user_id": heir.id},
    )
    worker.run_once()

    mine = [m for m in smtp.messages if m["To"] == heir.email]
    assert len(mine) == 1
    assert "Lee Leaving" in mine[0]["Subject"]
    text = mine[0].get_body(preferencelist=("plain",)).get_content()
    assert owned.display_name in text
    assert f"https://forum.council.example/profiles/{owned.id}" in text
