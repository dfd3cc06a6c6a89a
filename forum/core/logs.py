"""Process logging from configuration: LOG_LEVEL, and LOG_FORMAT as readable text or JSON lines."""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config
from collections.abc import Mapping
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line, for log collectors.

    Only the record's own fields are written (time, level, logger, message, traceback), never
    the `extra` mapping, so nothing reaches the log that the message itself does not say: the
    rule that logs carry ids, never bodies, tokens or passwords, is kept at the call sites.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(level: str, fmt: str) -> dict[str, Any]:
    """The `logging.config.dictConfig` schema: every logger through one stderr handler."""
    return {
        "version": 1,
        # Loggers created at import time (every module's `logger`) keep working.
        "disable_existing_loggers": False,
        "formatters": {
            "text": {"format": TEXT_FORMAT},
            "json": {"()": f"{__name__}.JsonFormatter"},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": fmt,
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
    }


def configure(config: Mapping[str, Any]) -> None:
    """Apply LOG_LEVEL and LOG_FORMAT to the whole process (already validated by Config)."""
    logging.config.dictConfig(logging_config(config["LOG_LEVEL"], config["LOG_FORMAT"]))
