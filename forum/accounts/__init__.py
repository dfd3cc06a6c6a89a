"""Staff accounts: sign-in, invitations, roles, away status, API tokens and admin pages."""

from __future__ import annotations

from flask import Blueprint, Flask

from forum.accounts import models as models

bp = Blueprint("accounts", __name__)

from forum.accounts import admin_views as _admin_views  # noqa: E402, F401  (the admin pages)
from forum.accounts import api as _api  # noqa: E402, F401  (registers the API routes)
from forum.accounts import settings_views as _settings_views  # noqa: E402, F401  (settings)
from forum.accounts import views as _views  # noqa: E402, F401  (registers the HTML routes)

__all__ = ["bp", "init_app"]

# Pages anyone may open without signing in; every other page sends them to /login first.
PUBLIC_ENDPOINTS = (
    "accounts.login",
    "accounts.signup",
    "accounts.accept_invitation",
    "accounts.forgot_password",
    "accounts.reset_password",
)


def init_app(app: Flask) -> None:
    from forum.accounts import services
    from forum.accounts.cli import users_cli
    from forum.accounts.models import Role
    from forum.accounts.permissions import has_role, is_admin, is_senior
    from forum.accounts.services.sessions import load_user
    from forum.api import register_authenticator
    from forum.core.clock import choose_reader_zone
    from forum.core.web import register_nav, register_public_endpoint
    from forum.extensions import login_manager

    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
    choose_reader_zone(app, services.chosen_time_zone)
    login_manager.user_loader(load_user)
    register_authenticator(app, services.user_for_api_token)
    register_public_endpoint(app, *PUBLIC_ENDPOINTS)
    app.jinja_env.globals.update(has_role=has_role, is_admin=is_admin, is_senior=is_senior)
    app.jinja_env.globals["Role"] = Role
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
