"""API skeleton: bearer tokens, JSON errors, /me, departments and admin user management."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from forum.accounts import services
from forum.accounts.models import Role
from forum.extensions import db
from tests.factories import make_department, make_user


def test_missing_or_bad_token_is_401(client: FlaskClient) -> None:
    assert client.get("/api/v1/me").status_code == 401
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_session_cookie_is_not_api_authentication(client: FlaskClient, login: Any) -> None:
    login(make_user())
    assert client.get("/api/v1/me").status_code == 401


def test_me(api: Any) -> None:
    department = make_department(slug="parks")
    user = make_user(Role.ENTHUSIAST, department=department)
    body = api(user).get("/api/v1/me").get_json()
    assert body["email"] == user.email and body["role"] == "enthusiast"
    assert body["department"] == "parks"


def test_revoked_and_deactivated_tokens_stop_working(app: Flask) -> None:
    user, admin = make_user(), make_user(Role.ADMIN)
    token, secret = services.create_api_token(user, "t")
    db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    services.admin_update_user(admin, user, is_active=False)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    services.admin_update_user(admin, user, is_active=True)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    services.revoke_api_token(user, token.id)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_departments_list_and_admin_create(api: Any) -> None:
    make_department(slug="housing", name="Housing")
    member, admin = api(make_user()), api(make_user(Role.ADMIN))
    listed = member.get("/api/v1/departments").get_json()
    assert [d["slug"] for d in listed["items"]] == ["housing"] and listed["total"] == 1
    assert member.post("/api/v1/departments", json={"slug": "x", "name": "X"}).status_code == 403
    created = admin.post("/api/v1/departments", json={"slug": "parks", "name": "Parks"})
    assert created.status_code == 201 and created.get_json()["slug"] == "parks"
    again = admin.post("/api/v1/departments", json={"slug": "parks", "name": "Parks"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"


def test_invalid_input_has_field_messages(api: Any) -> None:
    admin = api(make_user(Role.ADMIN))
    response = admin.post("/api/v1/departments", json={"slug": "", "name": "X", "extra": 1})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and "slug" in error["fields"] and "extra" in error["fields"]
    not_json = admin.post("/api/v1/departments", data="slug=x", content_type="text/plain")
    assert not_json.status_code == 400


def test_admin_user_management(api: Any) -> None:
    admin_user = make_user(Role.ADMIN)
    admin = api(admin_user)
    target = make_user()
    make_department(slug="waste")
    assert api(make_user(Role.SENIOR)).get("/api/v1/users").status_code == 403
    assert admin.get("/api/v1/users").get_json()["total"] >= 2
    patched = admin.patch(
        f"/api/v1/users/{target.id}",
        json={"role": "senior", "department": "waste", "is_active": False},
    )
    assert patched.status_code == 200
    body = patched.get_json()
    assert (body["role"], body["department"], body["is_active"]) == ("senior", "waste", False)
    assert admin.patch(f"/api/v1/users/{target.id}", json={"role": "king"}).status_code == 400
    assert (
        admin.patch(f"/api/v1/users/{target.id}", json={"department": "nowhere"}).status_code == 400
    )
    assert admin.get("/api/v1/users/999999").status_code == 404
    invited = admin.post(
        "/api/v1/users/invitations", json={"email": "New@Example.org", "role": "enthusiast"}
    )
    assert invited.status_code == 201
    assert invited.get_json()["email"] == "new@example.org"
    assert "/invite/" in invited.get_json()["url"]
    duplicate = admin.post("/api/v1/users/invitations", json={"email": target.email})
    assert duplicate.status_code == 409
