"""Staff accounts: sign-in, invitations, roles, away status, API tokens and admin pages."""

from __future__ import annotations

from flask import Blueprint, Flask

from forum.accounts import models as models
from forum.core.work import Tick, register_job

bp = Blueprint("accounts", __name__)

from forum.accounts import admin_views as _admin_views  # noqa: E402, F401  (the admin pages)
from forum.accounts import api as _api  # noqa: E402, F401  (registers the API routes)
from forum.accounts import audit_views as _audit_views  # noqa: E402, F401  (the audit log page)
from forum.accounts import settings_views as _settings_views  # noqa: E402, F401  (settings)
from forum.accounts import sso_views as _sso_views  # noqa: E402, F401  (single sign-on)
from forum.accounts import twofactor_views as _twofactor_views  # noqa: E402, F401
from forum.accounts import views as _views  # noqa: E402, F401  (registers the HTML routes)

__all__ = ["bp", "init_app"]

# Pages anyone may open without signing in; every other page sends them to /login first.
PUBLIC_ENDPOINTS = (
    "accounts.login",
    "accounts.signup",
    "accounts.accept_invitation",
    "accounts.forgot_password",
    "accounts.reset_password",
    "accounts.sso_start",
    "accounts.sso_callback",
    # The second sign-in step: the person is not signed in until it passes.
    "accounts.login_two_factor",
)


def init_app(app: Flask) -> None:
    from forum.accounts import services
    from forum.accounts.cli import users_cli
    from forum.accounts.models import Role
    from forum.accounts.permissions import has_role, is_admin, is_senior
    from forum.accounts.services.sessions import load_user
    from forum.accounts.sso_views import init_sso
    from forum.api import register_authenticator
    from forum.core.clock import choose_reader_zone
    from forum.core.navigation import register_nav
    from forum.core.web import register_public_endpoint
    from forum.extensions import login_manager

    app.register_blueprint(bp)
    init_sso(app)
    app.cli.add_command(users_cli)
    choose_reader_zone(app, services.chosen_time_zone)
    login_manager.user_loader(load_user)
    register_authenticator(app, services.user_for_api_token)
    register_public_endpoint(app, *PUBLIC_ENDPOINTS)
    app.jinja_env.globals.update(has_role=has_role, is_admin=is_admin, is_senior=is_senior)
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.globals["person_url"] = services.handles.person_url
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
    register_nav(
        app, "Audit log", "accounts.admin_audit", order=92, visible=is_admin, section="admin"
    )
    register_nav(
        app,
        "Two-factor",
        "accounts.admin_two_factor",
        order=93,
        visible=is_admin,
        section="admin",
    )
    register_job(app, "accounts.audit_prune", _prune_audit_job, every_seconds=3600, order=90)
    register_job(
        app, "accounts.email_links_prune", _prune_email_links_job, every_seconds=3600, order=91
    )


def _prune_audit_job(tick: Tick) -> int:
    """Drop audit entries older than AUDIT_RETENTION_DAYS; commits its own work."""
    from flask import current_app

    from forum.accounts.services import audit
    from forum.extensions import db

    pruned = audit.prune(int(current_app.config["AUDIT_RETENTION_DAYS"]), now=tick.now)
    db.session.commit()
    return pruned


def _prune_email_links_job(tick: Tick) -> int:
    """Forget the uses of one-click email links that have expired; commits its own work."""
    from forum.accounts.services import email_links
    from forum.extensions import db

    pruned = email_links.prune(now=tick.now)
    db.session.commit()
    return pruned
