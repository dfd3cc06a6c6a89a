"""Escalations: send a thread to the right senior people, climb a ladder until acknowledged."""

from __future__ import annotations

from flask import Flask

from forum.escalations import models as models


def init_app(app: Flask) -> None:
    """Nothing to register yet."""
