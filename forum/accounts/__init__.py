"""Staff accounts: sign-in, invitations, roles, away status, API tokens and admin pages."""

from __future__ import annotations

from flask import Flask

from forum.accounts import admin_views as _admin_views  # noqa: F401  (registers admin routes)
from forum.accounts import api as _api  # noqa: F401  (registers the API routes)
from forum.accounts import models as models
from forum.accounts import services
from forum.accounts.cli import users_cli
from forum.accounts.permissions import has_role, is_admin, is_senior
from forum.accounts.sessions import load_user
from forum.accounts.views import PUBLIC_ENDPOINTS, bp
from forum.api import register_authenticator
from forum.extensions import login_manager

__all__ = ["PUBLIC_ENDPOINTS", "bp", "init_app"]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
    login_manager.user_loader(load_user)
    register_authenticator(app, services.user_for_api_token)
    app.jinja_env.globals.update(has_role=has_role, is_admin=is_admin, is_senior=is_senior)
    from forum.accounts.models import Role

    app.jinja_env.globals["Role"] = Role
    from forum.core.web import register_nav, register_public_endpoint

    register_public_endpoint(app, *PUBLIC_ENDPOINTS)
    register_nav(app, "Home", "boards.index", order=0)
    register_nav(app, "Users", "accounts.admin_users", order=90, visible=is_admin, section="admin")
    register_nav(
        app,
        "Departments",
        "accounts.admin_departments",
        order=91,
        visible=is_admin,
        section="admin",
    )
