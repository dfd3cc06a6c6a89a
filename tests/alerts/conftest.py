"""The real `flask --app wsgi work` process, for tests that stop, kill and restart it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def start_worker(app: Flask) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """`start_worker(*command, **env)` runs `flask --app wsgi work` (or `command`) on the test
    database; `env` adds settings (MAIL_PORT="2525"...). Killed at the end if still running."""
    processes: list[subprocess.Popen[str]] = []
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MAIL_", "ALERT_", "WEBHOOK_"))
    }
    env.update(
        {
            "FORUM_ENV": "testing",
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "FORUM_INSTANCE_PATH": app.instance_path,
            "FORUM_BASE_URL": "http://forum.test",
            "WEBHOOK_ALLOW_PRIVATE": "true",
            "PYTHONUNBUFFERED": "1",
        }
    )

    def start(*command: str, **settings: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "wsgi",
                *(command or ("work",)),
                "--poll",
                "0.1",
            ],
            cwd=ROOT,
            env={**env, **settings},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)
