"""Real servers for tests: an SMTP server (aiosmtpd) and an HTTP webhook receiver."""

from __future__ import annotations

import dataclasses
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def wait_for(
    condition: Callable[[], bool], timeout: float = 60, process: subprocess.Popen[str] | None = None
) -> None:
    """Poll for a real process's effect; fail with its output if it died or took too long."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"worker exited {process.returncode}: {process.communicate()[0]}")
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the worker")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Sink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class SmtpServer:
    """An SMTP server on 127.0.0.1:port that can be stopped and started again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sink = _Sink()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.sink.messages

    def start(self) -> None:
        self._controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_port() -> int:
    """A free port for the test's SMTP server; point MAIL_PORT at it in `app_config`."""
    return free_port()


@pytest.fixture
def smtp(smtp_port: int) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1:smtp_port for the whole test."""
    server = SmtpServer(smtp_port)
    server.start()
    yield server
    server.stop()


@dataclasses.dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    # What the receiver answered (0 until it has): a 2xx is a delivery, even when the sender
    # had stopped waiting by then.
    status: int = 0


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 recording every POST and answering scripted statuses
    (the last one repeats) after scripted delays (then none). `hold` makes the next request
    wait until `release()`."""

    def __init__(
        self, statuses: list[int] | None = None, delays: list[float] | None = None
    ) -> None:
        self.statuses = list(statuses or [200])
        self.delays = list(delays or [])
        self.requests: list[Received] = []
        self.arrived = threading.Event()
        self._hold: threading.Event | None = None
        self._last_hold: threading.Event | None = None
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                received = Received(self.path, dict(self.headers.items()), self.rfile.read(length))
                with receiver._lock:
                    receiver.requests.append(received)
                    delay = receiver.delays.pop(0) if receiver.delays else 0.0
                receiver.arrived.set()
                hold = receiver._hold
                if hold is not None:
                    receiver._hold = None
                    hold.wait(30)
                if delay:
                    time.sleep(delay)  # longer than the sender waits: it times out
                with receiver._lock:
                    statuses = receiver.statuses
                    status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
                received.status = status
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender gave up waiting; the receiver still got the alert

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/forum"

    def hold_next(self) -> threading.Event:
        self._hold = self._last_hold = threading.Event()
        return self._hold

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._last_hold is not None:
            self._last_hold.set()
        self.server.shutdown()
        self.server.server_close()
