"""Driving one cell of the authorization matrix: build the URL, send the request, classify it."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from tests.security.policy import ALLOW, DENY, ERROR, HIDE, LOGIN, Access
from tests.security.world import World, refresh_actor

Route = tuple[str, str]  # (method, rule pattern), the policy table's key


def routes(app: Any) -> dict[Route, Rule]:
    found: dict[Route, Rule] = {}
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found[(method, rule.rule)] = rule
    return found


def outcome(response: TestResponse) -> str:
    """What the gate decided, whatever the page then did with the (empty) input."""
    status = response.status_code
    if status >= 500:
        return ERROR
    location = response.headers.get("Location", "")
    if status == 401 or (status in (301, 302, 303) and location.startswith("/login")):
        return LOGIN
    if status == 403:
        return DENY
    if status == 404:
        return HIDE
    return ALLOW


def run_cell(world: World, method: str, rule: Rule, access: Access, role: str, variant: str) -> str:
    values = world.arguments(rule, method, role, variant)
    path = _path(rule, values)
    actor = world.actors[role]
    is_api = rule.rule.startswith("/api/")
    kwargs: dict[str, Any] = {"method": method}
    if is_api:
        kwargs["headers"] = actor.api_headers()
        client = world.app.test_client()
        if method in ("POST", "PATCH", "PUT"):
            kwargs["json"] = access.body(world, values) if access.body else {}
    else:
        client = actor.page
        if method == "POST":
            kwargs["data"] = access.body(world, values) if access.body else {}
    if access.query:
        path += "?" + access.query
    response = client.open(path, **kwargs)
    response.close()  # static files are streamed from an open file
    if access.disruptive:
        refresh_actor(world, role)
    return outcome(response)


def _path(rule: Rule, values: dict[str, Any]) -> str:
    path = rule.rule
    for name in rule.arguments:
        converter = rule._converters[name]
        for spelling in (f"<{name}>", f"<id:{name}>", f"<path:{name}>"):
            path = path.replace(spelling, converter.to_url(values[name]))
    return path


__all__ = ["ALLOW", "DENY", "HIDE", "LOGIN", "outcome", "routes", "run_cell"]
