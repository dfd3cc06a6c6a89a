"""The forum application factory."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from forum.config import load_config
from forum.core import logs
from forum.core import ratelimit as _ratelimit  # noqa: F401  (registers forumdb:// storage)
from forum.extensions import csrf, db, limiter, login_manager, migrate

__all__ = ["create_app"]


def create_app(config_overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: load config, bind extensions, register every capability. Nothing else."""
    instance_path = (config_overrides or {}).get("INSTANCE_PATH") or os.environ.get(
        "FORUM_INSTANCE_PATH"
    )
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
        instance_path=instance_path,
    )
    app.config.from_mapping(load_config(app.instance_path, config_overrides))
    if not app.testing:
        # Under pytest the test runner owns logging: its capture handlers sit on the root
        # logger, which dictConfig would replace.
        logs.configure(app.config)
    app.config["REMEMBER_COOKIE_DURATION"] = dt.timedelta(
        days=min(30, int(app.config["REMEMBER_COOKIE_DURATION_DAYS"]))
    )
    if app.config["TRUST_PROXY_HEADERS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    limiter.init_app(app)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from forum.core.db import configure_sqlite

            configure_sqlite(db.engine, writer_queue=app.config["SQLITE_WRITER_QUEUE"])

    from forum import capabilities
    from forum.core import ids

    ids.init_app(app)  # the `<id:...>` converter, before any route uses it
    for capability in capabilities.ALL:
        capability.init_app(app)

    from forum.core import backup, web, work

    web.init_app(app)
    app.cli.add_command(work.work_command)
    app.cli.add_command(backup.backup_command)
    app.cli.add_command(backup.restore_command)
    return app


def _migrations_dir() -> Any:
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"
