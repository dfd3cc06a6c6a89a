"""GET /api/v1/audit: admins read the audit log, newest first, with the page's filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from forum.accounts.models import AuditAction, Role
from forum.accounts.services import audit
from forum.extensions import db
from tests.factories import make_user

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_a_role_change_through_the_api_appears_in_the_audit_at_once(api: Any) -> None:
    admin, user = make_user(Role.ADMIN), make_user()
    client = api(admin)
    assert client.patch(f"/api/v1/users/{user.id}", json={"role": "senior"}).status_code == 200
    response = client.get("/api/v1/audit")
    assert response.status_code == 200
    body = response.get_json()
    newest = body["items"][0]
    assert newest["action"] == "user.role_changed"
    assert newest["actor"] == {
        "id": admin.id,
        "email": admin.email,
        "handle": admin.handle,
        "display_name": admin.display_name,
    }
    assert newest["subject"] == {"type": "user", "id": user.id, "label": user.email}
    assert newest["details"] == {"old": "member", "new": "senior"}
    assert {"action", "actor", "subject", "at"} <= set(newest)
    assert body["total"] == len(body["items"]) and body["page"] == 1 and body["pages"] == 1


def test_audit_api_is_for_admins_only(api: Any, client: FlaskClient) -> None:
    assert client.get("/api/v1/audit").status_code == 401
    for role in (Role.MEMBER, Role.ENTHUSIAST, Role.SENIOR):
        response = api(make_user(role)).get("/api/v1/audit")
        assert response.status_code == 403, role


def test_audit_api_filters_and_pages_newest_first(app: Flask, api: Any) -> None:
    admin, user = make_user(Role.ADMIN), make_user()
    client = api(admin)  # its token's creation is an entry too (today)
    for n in range(audit.PER_PAGE + 3):
        audit.record(AuditAction.SESSIONS_ENDED, user, user, now=T0 + dt.timedelta(minutes=n))
    audit.record(AuditAction.THREAD_LOCKED, admin, ("thread", 4), now=T0 - dt.timedelta(days=1))
    db.session.commit()

    first = client.get("/api/v1/audit?action=sessions.ended").get_json()
    assert first["total"] == audit.PER_PAGE + 3 and first["pages"] == 2
    ats = [item["at"] for item in first["items"]]
    assert ats == sorted(ats, reverse=True) and len(ats) == audit.PER_PAGE
    second = client.get("/api/v1/audit?action=sessions.ended&page=2").get_json()
    assert len(second["items"]) == 3

    locked = client.get("/api/v1/audit?subject=thread:4").get_json()
    assert [i["action"] for i in locked["items"]] == ["thread.locked"]
    by_actor = client.get(f"/api/v1/audit?actor={admin.email}&until=2026-03-01").get_json()
    assert [i["action"] for i in by_actor["items"]] == ["thread.locked"]
    days = client.get("/api/v1/audit?since=2026-03-02&until=2026-03-02&action=thread").get_json()
    assert days["total"] == 0


def test_audit_api_refuses_bad_filters(api: Any) -> None:
    client = api(make_user(Role.ADMIN))
    assert client.get("/api/v1/audit?since=yesterday").status_code == 400
    assert client.get("/api/v1/audit?page=0").status_code == 400
    assert client.get("/api/v1/audit?who=me").status_code == 400


def test_audit_is_in_the_openapi_document(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/audit"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"action", "actor", "subject", "since", "until", "page"}
