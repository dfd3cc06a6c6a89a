"""A real OpenID Provider on 127.0.0.1 for the sign-in tests: the npm package `oidc-provider`
run by tests/browser/node/oidc-provider.mjs (installed by `npm ci --prefix tests/browser/node`,
which the README's test command runs).

`drive_sign_in` plays the person's browser on the provider's pages (its development login and
consent forms) with `requests`, and stops at the redirect back to the forum.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from tests.test_gunicorn import free_port

NODE_DIR = Path(__file__).resolve().parents[1] / "browser" / "node"
SCRIPT = NODE_DIR / "oidc-provider.mjs"
CLIENT_ID = "forum"
CLIENT_SECRET = "forum-client-secret"

# Logins the provider knows; any other login gets `<login>@example.org`, verified.
PEOPLE: dict[str, dict[str, Any]] = {
    "ann": {
        "email": "ann@example.org",
        "email_verified": True,
        "name": "Ann Archer",
        "groups": ["forum-admins", "staff"],
        "department": "housing",
    },
    "sam": {
        "email": "sam@example.org",
        "email_verified": True,
        "name": "Sam Senior",
        "groups": ["comms-seniors"],
    },
    "una": {"email": "una@example.org", "email_verified": False, "name": "Una Unverified"},
    "eve": {"email": "eve@outside-example.com", "email_verified": True, "name": "Eve Elsewhere"},
}


@dataclass(frozen=True)
class Provider:
    issuer: str
    port: int

    def config(self, **overrides: Any) -> dict[str, Any]:
        """The forum settings that point at this provider."""
        return {
            "OIDC_ISSUER": f"http://127.0.0.1:{self.port}",
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_DISPLAY_NAME": "Example ID",
            "OIDC_SCOPES": "openid email profile groups",
            **overrides,
        }


@contextmanager
def running_provider(
    redirect_uris: list[str],
    *,
    announced_issuer: str | None = None,
    clock_offset_seconds: int = 0,
    people: Mapping[str, Mapping[str, Any]] = PEOPLE,
) -> Iterator[Provider]:
    """Start the provider on a free port; stop it when the block ends."""
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            "oidc-provider is not installed: run `npm ci -s --prefix tests/browser/node` "
            "(the README's test command does)"
        )
    port = free_port()
    issuer = announced_issuer or f"http://127.0.0.1:{port}"
    clients = [
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris}
    ]
    env = {
        "PATH": str(Path(node).parent),
        "OIDC_PORT": str(port),
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENTS": json.dumps(clients),
        "OIDC_PEOPLE": json.dumps(people),
        "OIDC_CLOCK_OFFSET": str(clock_offset_seconds),
    }
    process = subprocess.Popen(
        [node, str(SCRIPT)],
        cwd=NODE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("ready"):
            pytest.fail(f"the OpenID provider did not start: {line!r}")
        _wait_until_listening(port)
        yield Provider(issuer=issuer, port=port)
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


def _wait_until_listening(port: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/.well-known/openid-configuration", timeout=5)
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


_FORM_PROMPT = re.compile(r'name="prompt" value="(\w+)"')


def drive_sign_in(authorize_url: str, login: str, *, back_to: str, abort: bool = False) -> str:
    """Be the person at the provider: sign in as `login` (any password), consent, and return
    the URL the provider sends the browser back to (it starts with `back_to`). With `abort`,
    cancel at the login page instead."""
    browser = requests.Session()
    url = authorize_url
    for _ in range(20):
        response = browser.get(url, allow_redirects=False, timeout=10)
        while response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if url.startswith(back_to):
                return url
            response = browser.get(url, allow_redirects=False, timeout=10)
        prompt = _FORM_PROMPT.search(response.text)
        assert prompt, f"no sign-in form at {url}: {response.status_code}"
        if abort:
            url = url.rstrip("/") + "/abort"
            continue
        form = {"prompt": prompt.group(1)}
        if prompt.group(1) == "login":
            form.update(login=login, password="any password")
        response = browser.post(url, data=form, allow_redirects=False, timeout=10)
        assert response.is_redirect, response.text[:300]
        url = urljoin(url, response.headers["Location"])
        if url.startswith(back_to):
            return url
    raise AssertionError("the provider never sent the browser back")
