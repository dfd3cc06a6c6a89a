"""The social profile registry: every account the organization runs, who owns it, who covers."""

from __future__ import annotations

from flask import Blueprint, Flask

from forum.registry import models as models
from forum.registry.services.references import register_reference_provider

bp = Blueprint("registry", __name__)

from forum.registry import api as _api  # noqa: E402, F401  (registers the API routes)
from forum.registry import public_views as _public_views  # noqa: E402, F401  (/verify pages)
from forum.registry import views as _views  # noqa: E402, F401  (registers the HTML routes)

__all__ = ["bp", "init_app", "register_reference_provider"]


def init_app(app: Flask) -> None:
    from forum.accounts.models import Role
    from forum.accounts.permissions import has_role
    from forum.core.navigation import register_nav
    from forum.core.web import register_public_endpoint
    from forum.registry.cli import registry_cli
    from forum.registry.public_http import PUBLIC_VERIFY_ENDPOINTS, public_verify_on

    app.register_blueprint(bp)
    # "Is this account ours?" for anyone, but only where the operator opted in.
    register_public_endpoint(app, *PUBLIC_VERIFY_ENDPOINTS, when=public_verify_on)
    app.cli.add_command(registry_cli)
    register_nav(
        app,
        "Registry",
        "registry.index",
        order=20,
        visible=lambda user: has_role(user, Role.MEMBER),
    )
