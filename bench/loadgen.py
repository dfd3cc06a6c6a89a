"""Load-generation plumbing for bench/run.py: gunicorn servers, wrk runs, sign-in, worker RSS."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Sent by the sign-in and by wrk alike: Flask-Login ties the session to the user agent, and a
# different one would mark every loaded request's session stale (and rewrite its cookie).
USER_AGENT = "forum-bench"
WRK_HINT = "wrk is missing: install it with `apt-get install wrk`."


@dataclass
class Load:
    """What wrk saw: throughput, latency percentiles (ms) and failed responses."""

    requests: int
    seconds: float
    per_second: float
    p50: float
    p99: float
    errors: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            return [int(pid) for pid in children.read_text().split()]
        pids = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                if re.search(rf"^PPid:\s+{self.process.pid}$", status.read_text(), re.M):
                    pids.append(int(status.parent.name))
            except OSError:
                continue
        return pids

    def _status_mb(self, field: str) -> float:
        largest = 0.0
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if match := re.search(rf"^{field}:\s+(\d+) kB", status, re.M):
                largest = max(largest, int(match.group(1)) / 1024)
        return largest

    def worker_rss_mb(self) -> float:
        """The largest resident set among the workers now, in MB (VmRSS)."""
        return self._status_mb("VmRSS")

    def worker_peak_mb(self) -> float:
        """The largest peak resident set among the workers since `reset_peaks` (VmHWM)."""
        return self._status_mb("VmHWM")

    def reset_peaks(self) -> None:
        """Start the workers' peak RSS afresh (Linux: 5 > /proc/<pid>/clear_refs)."""
        for pid in self.worker_pids():
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                continue


@contextmanager
def gunicorn(
    app: str, *, env: Mapping[str, str], workers: int, log: Path, pythonpath: str | None = None
) -> Iterator[Server]:
    """Serve `app` with `workers` sync workers on 127.0.0.1 until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    if pythonpath:
        command += ["--pythonpath", pythonpath]
    command += ["--log-level", "warning", app]
    with log.open("ab") as log_file:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=dict(env), stdout=log_file, stderr=log_file
        )
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(server.url + "/", timeout=5):
                    break
            except urllib.error.HTTPError:
                break  # answering (a redirect to /login or an error page): it is up
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn ({app}) did not start; see {log}") from None
                time.sleep(0.2)
        # Every worker forked and listening: wait until they are all there.
        while len(server.worker_pids()) < workers and time.monotonic() < deadline:
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """A cookie-keeping client that signs in through /login like a person and never follows
    redirects (so a page that bounces to /login is caught, not timed)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.opener.addheaders = [("User-Agent", USER_AGENT)]

    def get(self, path: str, timeout: float = 120) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def sign_in(self, email: str, password: str) -> None:
        _status, page = self.get("/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if token is None:
            raise SystemExit("No CSRF token on /login.")
        form = {"email": email, "password": password, "csrf_token": token.group(1)}
        request = urllib.request.Request(
            self.base + "/login", data=urllib.parse.urlencode(form).encode()
        )
        try:
            self.opener.open(request, timeout=30)
            raise SystemExit(f"Signing in as {email} failed (no redirect after /login).")
        except urllib.error.HTTPError as error:
            if error.code != 302:
                raise SystemExit(f"Signing in as {email} failed: HTTP {error.code}.") from None

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)


def post_json(url: str, token: str, payload: bytes) -> dict[str, object]:
    import json

    request = urllib.request.Request(
        url,
        data=payload,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return dict(json.loads(response.read()))


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(output: str) -> Load:
    """Requests/s, p50, p99 and failures from `wrk --latency` output."""
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if total is None or rate is None:
        raise SystemExit(f"Cannot read wrk's output:\n{output}")
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.\d+)?%\s+(\S+)", output, re.M))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(failed.group(1)) if failed else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(
        requests=int(total.group(1)),
        seconds=_milliseconds(total.group(2) + total.group(3)) / 1000,
        per_second=float(rate.group(1)),
        p50=_milliseconds(percentiles["50"]) if "50" in percentiles else 0.0,
        p99=_milliseconds(percentiles["99"]) if "99" in percentiles else 0.0,
        errors=errors,
    )


def wrk(
    url: str,
    *,
    threads: int,
    connections: int,
    seconds: float,
    headers: Mapping[str, str] = {},
    script: tuple[Path, list[str]] | None = None,
) -> Load:
    """Run wrk against `url` for `seconds` and parse what it reports."""
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit(WRK_HINT)
    command = [
        binary,
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "30s",
    ]
    for name, value in {"User-Agent": USER_AGENT, **headers}.items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script[0]), url, "--", *script[1]]
    else:
        command.append(url)
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, check=False, env={**os.environ}
    )
    if result.returncode != 0:
        raise SystemExit(f"wrk failed ({result.returncode}):\n{result.stderr}{result.stdout}")
    return parse_wrk(result.stdout)
