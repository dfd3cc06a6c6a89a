"""The app under real gunicorn with several workers: sign-in and reset throttles hold across
workers, and a known device gets through a delay its address has earned."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.boards.factories import make_board, make_thread
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def gunicorn_url(app: Flask, database_url: str, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "gunicorn-test-secret",
        "FORUM_ENV": "production",
        "FORUM_BASE_URL": f"http://127.0.0.1:{port}",
        "FORUM_INSTANCE_PATH": str(tmp_path / "instance"),
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_ENABLED": "true",
        # Clients tell their address in X-Forwarded-For, so tests can play several networks.
        "TRUST_PROXY_HEADERS": "true",
        # The default throttle storage (forumdb://, the app's database) with a small limit.
        "API_WRITE_RATE_LIMIT": "3 per minute",
        "POST_RATE_LIMIT": "3 per minute",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "3",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


class Browser:
    """Cookie-keeping HTTP client that does not follow redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    def __init__(self, base: str, ip: str = "127.0.0.1") -> None:
        self.base = base
        self.ip = ip
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), self._NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(
            self.base + path, data=body, headers={"X-Forwarded-For": self.ip}
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def form_token(self, path: str) -> str:
        _status, page = self.request(path)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token
        return token.group(1)

    def sign_in(self, email: str, password: str) -> int:
        token = self.form_token("/login")
        status, _ = self.request(
            "/login", {"email": email, "password": password, "csrf_token": token}
        )
        return status

    def sign_out(self) -> int:
        status, _ = self.request("/logout", {"csrf_token": self.form_token("/settings")})
        return status


def test_sign_in_throttle_holds_across_workers(app: Flask, gunicorn_url: str) -> None:
    user = make_user()
    laptop = Browser(gunicorn_url, ip="10.0.0.1")  # the owner signed in here before
    assert laptop.sign_in(user.email, PASSWORD) == 302
    assert laptop.sign_out() == 302
    limit = app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_IP"]
    statuses = []
    # Fresh connections each time, so requests spread over the workers.
    for _ in range(limit * 3):
        statuses.append(Browser(gunicorn_url, ip="10.0.0.1").sign_in(user.email, "wrong password"))
    assert statuses[:limit] == [400] * limit
    assert set(statuses[limit:]) == {429}, statuses
    # An unknown device at the guessing address waits; the owner's own device does not, nor
    # does the owner on another network.
    assert Browser(gunicorn_url, ip="10.0.0.1").sign_in(user.email, PASSWORD) == 429
    assert laptop.sign_in(user.email, PASSWORD) == 302
    assert Browser(gunicorn_url, ip="10.0.0.2").sign_in(user.email, PASSWORD) == 302


def test_workers_serve_and_sign_in(gunicorn_url: str) -> None:
    user = make_user()
    browser = Browser(gunicorn_url)
    assert browser.sign_in(user.email, PASSWORD) == 302
    for _ in range(6):
        status, page = browser.request("/settings")
        assert status == 200 and user.email in page


def test_a_parallel_burst_of_guesses_gets_no_more_than_the_limit(
    app: Flask, gunicorn_url: str
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    email = make_user().email  # read here: the threads below have no app context
    limit = app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_IP"]
    browsers = [Browser(gunicorn_url) for _ in range(limit * 3)]
    for browser in browsers:  # fetch the forms first, then fire the guesses together
        browser.token = browser.form_token("/login")  # type: ignore[attr-defined]

    def guess(browser: Browser) -> int:
        status, _ = browser.request(
            "/login",
            {"email": email, "password": "wrong", "csrf_token": browser.token},  # type: ignore[attr-defined]
        )
        return status

    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        statuses = list(pool.map(guess, browsers))
    assert statuses.count(400) == limit, statuses
    assert statuses.count(429) == len(browsers) - limit


def test_request_throttles_are_shared_by_the_workers(gunicorn_url: str) -> None:
    """API writes with the default storage: one count for all workers, no lock-up on SQLite."""
    from forum.accounts import services
    from forum.accounts.models import Role
    from forum.extensions import db

    admin = make_user(Role.ADMIN)
    _token, secret = services.create_api_token(admin, "gunicorn")
    db.session.commit()
    thread = make_thread(make_board())
    routes = {
        # limited for the whole API blueprint (checked before the request touches the database)
        "/api/v1/departments": lambda n: {"slug": f"shared-{n}", "name": f"Shared {n}"},
        # limited on the route itself (checked once the request holds its transaction)
        f"/api/v1/threads/{thread.id}/posts": lambda n: {"body": f"Reply {n}"},
    }
    for path, body in routes.items():
        statuses = []
        for n in range(5):
            request = urllib.request.Request(
                gunicorn_url + path,
                data=json.dumps(body(n)).encode(),
                headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
        assert statuses == [201, 201, 201, 429, 429], path


def test_a_burst_of_reset_requests_sends_one_email(app: Flask, gunicorn_url: str) -> None:
    """Parallel requests for one address, from many networks and every worker: one email."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from forum.alerts.models import OutboxMessage
    from forum.extensions import db

    email = make_user().email
    browsers = [Browser(gunicorn_url, ip=f"10.1.0.{n}") for n in range(12)]
    for browser in browsers:
        browser.token = browser.form_token("/forgot-password")  # type: ignore[attr-defined]

    def ask(browser: Browser) -> int:
        status, _ = browser.request(
            "/forgot-password",
            {"email": email, "csrf_token": browser.token},  # type: ignore[attr-defined]
        )
        return status

    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        statuses = list(pool.map(ask, browsers))
    assert statuses == [302] * len(browsers)
    db.session.rollback()  # read afresh what the workers committed
    queued = db.session.scalar(select(func.count()).where(OutboxMessage.recipient == email))
    assert queued == 1


def test_reset_requests_from_one_network_are_limited_across_workers(
    app: Flask, gunicorn_url: str
) -> None:
    limit = app.config["PASSWORD_RESET_MAX_PER_IP_PER_HOUR"]
    statuses = []
    for n in range(limit + 2):
        browser = Browser(gunicorn_url, ip="10.2.0.1")
        token = browser.form_token("/forgot-password")
        status, _ = browser.request(
            "/forgot-password", {"email": f"someone{n}@example.org", "csrf_token": token}
        )
        statuses.append(status)
    assert statuses == [302] * limit + [429, 429]
