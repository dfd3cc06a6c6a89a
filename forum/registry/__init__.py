"""The social profile registry: every account the organization runs, who owns it, who covers."""

from __future__ import annotations

from flask import Flask

from forum.registry import models as models


def init_app(app: Flask) -> None:
    """Nothing to register yet."""
