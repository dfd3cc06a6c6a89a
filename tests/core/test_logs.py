"""Logging from configuration: LOG_LEVEL and LOG_FORMAT (text or JSON lines) for the process."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

from forum.config import Config
from forum.core.logs import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import logging
from forum import create_app

app = create_app()
log = logging.getLogger("forum.example")
log.info("below the level")
log.warning("escalation %s opened", 7)
app.logger.error("from the app logger")
"""


def _start_production_app(tmp_path: Path, **settings: str) -> list[str]:
    """Build the app in a fresh process, as gunicorn would, and return what it logged."""
    env = {key: value for key, value in os.environ.items() if key not in Config.model_fields}
    env.update(
        FORUM_ENV="production",
        SECRET_KEY="not-a-real-secret-but-long-enough",
        FORUM_BASE_URL="https://forum.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'forum.db'}",
        FORUM_INSTANCE_PATH=str(tmp_path),
        **settings,
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stderr.splitlines()


def test_production_logs_json_lines_at_the_configured_level(tmp_path: Path) -> None:
    lines = _start_production_app(tmp_path, LOG_FORMAT="json", LOG_LEVEL="WARNING")
    records = [json.loads(line) for line in lines]
    # Each record once: the app logger does not add a handler of its own beside the root's.
    assert [(r["level"], r["logger"], r["message"]) for r in records] == [
        ("WARNING", "forum.example", "escalation 7 opened"),
        ("ERROR", "forum", "from the app logger"),
    ]
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", r["time"]) for r in records
    )


def test_text_is_the_default_format(tmp_path: Path) -> None:
    lines = _start_production_app(tmp_path)
    assert len(lines) == 3
    assert re.fullmatch(r"\S+ \S+ INFO forum\.example: below the level", lines[0])
    assert lines[1].endswith(" WARNING forum.example: escalation 7 opened")


def test_the_json_formatter_writes_the_record_and_its_traceback_only() -> None:
    try:
        raise ValueError("bad value")
    except ValueError:
        record = logging.getLogger("forum.x").makeRecord(
            "forum.x",
            logging.ERROR,
            __file__,
            1,
            'said "%s"\nover two lines',
            ("hi",),
            sys.exc_info(),
            extra={"password": "hunter2"},
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == 'said "hi"\nover two lines'
    assert entry["level"] == "ERROR" and entry["logger"] == "forum.x"
    assert "ValueError: bad value" in entry["exception"]
    assert "hunter2" not in line
