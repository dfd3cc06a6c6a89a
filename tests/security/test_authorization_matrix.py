"""Every route, every role, own / other / other department's objects, against the policy.

The routes come from the app's URL map, so a new route without an entry in
tests/security/policy.py fails `test_every_route_has_a_policy`. One world is seeded for the
module (tests/security/world.py); each cell makes the objects it acts on, so cells stay apart.
A cell's outcome is what the gate decided (sign in, 403, 404, or through); see policy.py.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest
from flask import Flask

from forum import create_app
from forum.extensions import db
from tests.conftest import _empty_all_tables, base_config
from tests.security.matrix import Route, routes, run_cell
from tests.security.policy import ALLOW, ERROR, POLICY
from tests.security.world import ROLES, World, build_world, variants_of


@pytest.fixture(scope="module")
def world(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    config = {
        **base_config(database_url, tmp_path_factory.mktemp("matrix")),
        "RATELIMIT_ENABLED": False,
    }
    app = create_app(config)
    try:
        with app.app_context():
            yield build_world(app)
            db.session.remove()
            db.engine.dispose()
    finally:
        _empty_all_tables(database_url)


def _app_routes() -> list[Route]:
    """The URL map's routes, read from a throwaway app (parametrizing happens at import)."""
    with tempfile.TemporaryDirectory() as instance:
        app: Flask = create_app(
            {"TESTING": True, "SECRET_KEY": "x", "FORUM_ENV": "testing", "INSTANCE_PATH": instance}
        )
    return sorted(routes(app))


def test_every_route_has_a_policy(world: World) -> None:
    declared = set(POLICY)
    present = set(routes(world.app))
    assert sorted(present - declared) == [], "add these routes to tests/security/policy.py"
    assert sorted(declared - present) == [], "these policy entries name no route any more"


@pytest.mark.parametrize("route", _app_routes(), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_obeys_its_policy(world: World, route: Route) -> None:
    method, pattern = route
    access = POLICY.get(route)
    if access is None:
        pytest.fail(f"no policy for {method} {pattern}: add one to tests/security/policy.py")
    rule = routes(world.app)[route]
    wrong = []
    for variant in variants_of(rule):
        for role in ROLES:
            got = run_cell(world, method, rule, access, role, variant)
            expected = access.expected(role, variant)
            if got != expected or got == ERROR:
                wrong.append(f"{role} on {variant}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_routes_public_by_a_setting(world: World) -> None:
    """Exactly the routes the policy marks `public_when` are opened by their setting, and
    with it on the anonymous visitor gets through (signed-in people as before)."""
    public_when = {route: access for route, access in POLICY.items() if access.public_when}
    conditions = world.app.extensions.get("forum.public_endpoint_conditions", {})
    present = routes(world.app)
    assert {present[route].endpoint for route in public_when} == set(conditions)
    wrong = []
    for route, access in sorted(public_when.items()):
        setting = access.public_when
        assert setting is not None and world.app.config[setting] is False
        world.app.config[setting] = True
        try:
            for role in ("anonymous", "member", "admin"):
                got = run_cell(world, route[0], present[route], access, role, "any")
                expected = ALLOW if role == "anonymous" else access.expected(role, "any")
                if got != expected:
                    wrong.append(
                        f"{route} {role} with {setting} on: expected {expected}, got {got}"
                    )
        finally:
            world.app.config[setting] = False
    assert not wrong, "\n".join(wrong)
