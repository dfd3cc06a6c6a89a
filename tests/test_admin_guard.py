"""Every admin page has the one guard, `admin_required`, and refuses everyone but admins."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from forum.accounts.models import Role
from tests.factories import make_user

# Capabilities whose admin pages still use their own guard until their layout pass.
GUARD_PENDING: set[str] = set()


def _admin_rules(app: Flask) -> Iterator[Rule]:
    """Rules of admin pages: named `<capability>.admin_…`, or marked by the guard."""
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if ".admin_" in rule.endpoint or getattr(view, "admin_required", False):
            yield rule


def _sample_path(rule: Rule) -> str:
    values = {name: ("1" if "id" in name else "x") for name in rule.arguments}
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<id:{name}>", value).replace(f"<{name}>", value)
    return path


def test_every_admin_page_uses_admin_required(app: Flask) -> None:
    unguarded = [
        rule.endpoint
        for rule in _admin_rules(app)
        if rule.endpoint.split(".")[0] not in GUARD_PENDING
        and not getattr(app.view_functions[rule.endpoint], "admin_required", False)
    ]
    assert unguarded == []


def test_admin_pages_refuse_a_senior_whatever_the_method(
    app: Flask, login: Callable[..., FlaskClient]
) -> None:
    client = login(make_user(Role.SENIOR))
    checked = []
    for rule in _admin_rules(app):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(_sample_path(rule), method=method)
            assert response.status_code == 403, (rule.endpoint, method, response.status_code)
            checked.append(rule.endpoint)
    assert "insights.strategy_edit" not in checked  # seniors write the strategy
    assert len(set(checked)) > 20


def test_an_admin_passes_the_guard(app: Flask, login: Callable[..., FlaskClient]) -> None:
    client = login(make_user(Role.ADMIN))
    for path in ("/admin/users", "/admin/alerts", "/admin/escalation-policies", "/admin/audit"):
        assert client.get(path).status_code == 200, path
