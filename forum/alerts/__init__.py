"""Alert delivery: the transactional outbox, channels (email, webhook, in-app) and the worker."""

from __future__ import annotations

from flask import Flask

from forum.alerts import models as models


def init_app(app: Flask) -> None:
    """Nothing to register yet beyond the models."""
