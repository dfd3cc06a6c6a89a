"""Insights: the community health dashboard, its API and CSV series, and the one-page strategy."""

from __future__ import annotations

from flask import Blueprint, Flask

from forum.insights import models as models

bp = Blueprint("insights", __name__)

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """Nothing else to register yet."""
