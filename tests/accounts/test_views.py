"""Sign-in, sign-up, invitations, password reset, settings and admin pages over HTTP."""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum.accounts import services
from forum.accounts.models import Role, User
from forum.accounts.services import sessions, signin
from forum.extensions import db
from tests.accounts.mailbox import deliver_and_read, link_in
from tests.factories import PASSWORD, make_department, make_user


def _mail_bodies(app: Flask) -> list[str]:
    folder = Path(app.instance_path) / "mail"
    return [p.read_text() for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def test_login_page_has_labelled_fields(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert '<label for="email">Email</label>' in html
    assert '<label for="password">Password</label>' in html
    assert 'name="email"' in html and 'name="password"' in html
    assert re.search(r"<button[^>]*>Sign in</button>", html)


def test_sign_in_and_out(client: FlaskClient, app: Flask) -> None:
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/settings").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/settings").status_code == 302


def test_wrong_password_is_a_clear_error(client: FlaskClient) -> None:
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": "wrong one"})
    assert response.status_code == 400
    assert "Email or password is incorrect." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/settings", "/settings"),
        ("/b/general?page=2", "/b/general?page=2"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("http:/evil.example", "/"),
    ],
)
def test_next_redirects_stay_on_site(client: FlaskClient, target: str, expected: str) -> None:
    user = make_user()
    response = client.post(
        "/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_anonymous_visit_redirects_to_login_with_next(client: FlaskClient) -> None:
    response = client.get("/settings")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/settings")


def test_guesses_are_throttled_for_the_guesser_with_429(client: FlaskClient, app: Flask) -> None:
    user = make_user()
    for _ in range(app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_IP"]):
        assert (
            client.post("/login", data={"email": user.email, "password": "nope"}).status_code == 400
        )
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in" in response.get_data(as_text=True)
    assert 0 < int(response.headers["Retry-After"]) <= app.config["LOGIN_DELAY_BASE_SECONDS"]


def _from(ip: str) -> dict[str, str]:
    return {"REMOTE_ADDR": ip}


def test_a_colleague_cannot_lock_a_senior_out(app: Flask, login) -> None:  # type: ignore[no-untyped-def]
    """Issue 10 item 8: five wrong passwords blocked the senior's right one for 15 minutes."""
    senior = make_user(Role.SENIOR)
    admin = make_user(Role.ADMIN)
    laptop = app.test_client()  # the senior signed in from this browser before
    first = laptop.post(
        "/login", data={"email": senior.email, "password": PASSWORD}, environ_base=_from("10.0.0.1")
    )
    assert first.status_code == 302 and laptop.get_cookie(signin.KNOWN_DEVICE_COOKIE)
    laptop.post("/logout", environ_base=_from("10.0.0.1"))
    colleague = app.test_client()  # same office, same address
    guesses = [
        colleague.post(
            "/login",
            data={"email": senior.email, "password": f"guess {n}"},
            environ_base=_from("10.0.0.1"),
        ).status_code
        for n in range(app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_IP"] + 3)
    ]
    assert guesses == [400] * 5 + [429] * 3
    # The senior's own laptop, at the same address, is let through at once...
    again = laptop.post(
        "/login", data={"email": senior.email, "password": PASSWORD}, environ_base=_from("10.0.0.1")
    )
    assert again.status_code == 302
    # ...and so is any device of theirs elsewhere (a phone on another network).
    phone = app.test_client()
    assert (
        phone.post(
            "/login",
            data={"email": senior.email, "password": PASSWORD},
            environ_base=_from("10.9.0.1"),
        ).status_code
        == 302
    )
    # A new device at the guessed-from address waits; an admin can lift that, audited.
    borrowed = app.test_client()
    waiting = borrowed.post(
        "/login", data={"email": senior.email, "password": PASSWORD}, environ_base=_from("10.0.0.1")
    )
    assert waiting.status_code == 429
    admin_client = login(admin)
    page = admin_client.get(f"/admin/users/{senior.id}").get_data(as_text=True)
    assert "5 failed sign-in attempts" in page and "must wait until" in page
    unlocked = admin_client.post(f"/admin/users/{senior.id}/unlock", follow_redirects=True)
    assert unlocked.status_code == 200
    text = unlocked.get_data(as_text=True)
    assert "Sign-in delays lifted" in text and "Sign-in unlocked" in text
    assert (
        borrowed.post(
            "/login",
            data={"email": senior.email, "password": PASSWORD},
            environ_base=_from("10.0.0.1"),
        ).status_code
        == 302
    )


def test_only_admins_unlock(client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    senior = make_user(Role.SENIOR)
    login(make_user(Role.SENIOR))
    assert client.post(f"/admin/users/{senior.id}/unlock").status_code == 403
    client.post("/logout")
    login(make_user(Role.ADMIN))
    assert client.post("/admin/users/999999/unlock").status_code == 404


def test_the_known_device_cookie_is_safe_and_outlives_sign_out(client: FlaskClient) -> None:
    user = make_user()
    response = client.post(
        "/login", base_url="https://forum.test", data={"email": user.email, "password": PASSWORD}
    )
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("known_device=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert f"Max-Age={180 * 86400}" in cookie
    client.post("/logout", base_url="https://forum.test")
    assert client.get_cookie(signin.KNOWN_DEVICE_COOKIE, domain="forum.test") is not None


def test_remember_me_cookie_is_safe_and_bounded(client: FlaskClient) -> None:
    user = make_user()
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert cookies, "remember-me cookie expected"
    cookie = cookies[0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))  # type: ignore[union-attr]
    lifetime = expires - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=29) < lifetime <= dt.timedelta(days=30)


def test_cookies_are_secure_over_https(client: FlaskClient) -> None:
    user = make_user()
    response = client.post(
        "/login",
        base_url="https://forum.test",
        data={"email": user.email, "password": PASSWORD, "remember": "y"},
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies)
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_remember_cookie_dies_with_password_change(app: Flask) -> None:
    user = make_user()
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    remember = browser.get_cookie("remember_token")
    assert remember is not None
    # A second device holding only the remember-me cookie is signed in...
    other = app.test_client()
    other.set_cookie("remember_token", remember.value)
    assert other.get("/settings").status_code == 200
    # ...until the password changes.
    response = browser.post(
        "/settings/password",
        data={"current_password": PASSWORD, "new_password": "a whole new password"},
    )
    assert response.status_code == 302
    stale = app.test_client()
    stale.set_cookie("remember_token", remember.value)
    assert stale.get("/settings").status_code == 302
    assert browser.get("/settings").status_code == 200  # the device that changed it stays in


def test_signing_out_ends_the_session_on_the_server(app: Flask) -> None:
    """Issue 10 item 4: a saved session or remember-me cookie opened /settings after sign-out."""
    user = make_user()
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    saved_session = browser.get_cookie("session")
    saved_remember = browser.get_cookie("remember_token")
    assert saved_session is not None and saved_remember is not None
    assert browser.post("/logout").status_code == 302
    replay_session = app.test_client()
    replay_session.set_cookie("session", saved_session.value)
    assert replay_session.get("/settings").status_code == 302
    replay_remember = app.test_client()
    replay_remember.set_cookie("remember_token", saved_remember.value)
    assert replay_remember.get("/settings").status_code == 302


def test_signing_out_one_device_keeps_the_others(app: Flask) -> None:
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        device.post("/login", data={"email": user.email, "password": PASSWORD})
    laptop.post("/logout")
    assert laptop.get("/settings").status_code == 302
    assert phone.get("/settings").status_code == 200


def test_settings_list_sign_ins_and_sign_one_out(app: Flask) -> None:
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    laptop.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        headers={"User-Agent": "Mozilla/5.0 (Windows NT 10.0) Firefox/128.0"},
    )
    phone.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "remember": "y"},
        headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) Safari/604.1"},
    )
    page = laptop.get("/settings").get_data(as_text=True)
    assert "Firefox on Windows <strong>(this device)</strong>" in page
    assert "Safari on iPhone" in page
    phone_session = next(s for s in sessions.list_live(user) if s.is_remembered)
    response = laptop.post(f"/settings/sessions/{phone_session.id}/end")
    assert response.status_code == 302 and response.headers["Location"] == "/settings"
    assert phone.get("/settings").status_code == 302
    assert "Safari on iPhone" not in laptop.get("/settings").get_data(as_text=True)
    assert laptop.post(f"/settings/sessions/{phone_session.id}/end").status_code == 404
    # Ending this device's own sign-in signs it out.
    this = sessions.list_live(user)[0]
    ended = laptop.post(f"/settings/sessions/{this.id}/end")
    assert ended.headers["Location"] == "/login"
    assert laptop.get("/settings").status_code == 302


def test_sign_out_everywhere(app: Flask) -> None:
    user = make_user()
    devices = [app.test_client() for _ in range(3)]
    for device in devices:
        device.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    remember = devices[1].get_cookie("remember_token")
    assert remember is not None
    response = devices[0].post("/settings/sessions/end-all", follow_redirects=True)
    assert "You are signed out on every device." in response.get_data(as_text=True)
    assert [d.get("/settings").status_code for d in devices] == [302, 302, 302]
    replay = app.test_client()
    replay.set_cookie("remember_token", remember.value)
    assert replay.get("/settings").status_code == 302


def test_a_password_change_revokes_api_tokens(app: Flask, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    login(user)
    page = client.get("/settings").get_data(as_text=True)
    assert "Changing your password revokes every token" in page
    _token, secret = services.create_api_token(user, "script")
    db.session.commit()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 200
    response = client.post(
        "/settings/password",
        data={"current_password": PASSWORD, "new_password": "a whole new password"},
        follow_redirects=True,
    )
    assert "your API tokens revoked" in response.get_data(as_text=True)
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    assert client.get("/settings").status_code == 200


def test_deactivation_signs_the_person_out(app: Flask) -> None:
    admin, user = make_user(Role.ADMIN), make_user()
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert browser.get("/settings").status_code == 200
    services.admin_update_user(admin, user, is_active=False)
    db.session.commit()
    assert browser.get("/settings").status_code == 302


def test_signup_for_allowed_domain(app: Flask, client: FlaskClient) -> None:
    app.config["ALLOWED_EMAIL_DOMAINS"] = ["council.example"]
    refused = client.post(
        "/signup", data={"email": "x@gmail.com", "display_name": "X", "password": PASSWORD}
    )
    assert refused.status_code == 403
    assert "needs an invitation" in refused.get_data(as_text=True)
    ok = client.post(
        "/signup",
        data={"email": "new@council.example", "display_name": "New", "password": PASSWORD},
    )
    assert ok.status_code == 302
    assert services.user_by_email("new@council.example") is not None


def test_invitation_flow(app: Flask, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    admin = make_user(Role.ADMIN)
    department = make_department(slug="parks")
    login(admin)
    response = client.post(
        "/admin/users/invite",
        data={"email": "invitee@example.org", "role": "enthusiast", "department": "parks"},
    )
    assert response.status_code == 201
    assert _mail_bodies(app) == []  # queued in the outbox, not sent inside the request
    ((to, text),) = deliver_and_read(app)
    assert to == "invitee@example.org"
    link = link_in(text, "/invite/")
    client.post("/logout")
    page = client.get(link)
    assert page.status_code == 200 and "invitee@example.org" in page.get_data(as_text=True)
    accepted = client.post(link, data={"display_name": "Invited Person", "password": PASSWORD})
    assert accepted.status_code == 302
    user = services.user_by_email("invitee@example.org")
    assert user is not None and user.role == Role.ENTHUSIAST and user.department == department
    client.post("/logout")
    assert client.get(link).status_code == 404


def test_password_reset_by_email(app: Flask, client: FlaskClient) -> None:
    user = make_user()
    response = client.post("/forgot-password", data={"email": user.email})
    assert response.status_code == 302
    ((_to, text),) = deliver_and_read(app)
    link = link_in(text, "/reset-password/")
    assert client.post(link, data={"password": "my new password 1"}).status_code == 302
    assert (
        client.post(
            "/login", data={"email": user.email, "password": "my new password 1"}
        ).status_code
        == 302
    )
    client.post("/logout")
    assert client.get(link).status_code == 404  # single use


def test_forgot_password_does_not_reveal_accounts(app: Flask, client: FlaskClient) -> None:
    response = client.post(
        "/forgot-password", data={"email": "nobody@example.org"}, follow_redirects=True
    )
    assert "If that address has an account" in response.get_data(as_text=True)
    ((to, text),) = deliver_and_read(app)  # the address's owner learns only that no account uses it
    assert to == "nobody@example.org" and "/reset-password/" not in text


def test_settings_away_and_tokens(client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    user, cover = make_user(), make_user(display_name="Cover Person")
    login(user)
    response = client.post(
        "/settings/away",
        data={"away_from": "2026-12-20", "away_until": "2026-12-31", "cover": str(cover.id)},
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.cover_user_id == cover.id
    bad = client.post(
        "/settings/away", data={"away_from": "2026-12-20", "away_until": "2026-12-01", "cover": ""}
    )
    assert bad.status_code == 400 and "before the start" in bad.get_data(as_text=True)
    created = client.post("/settings/tokens", data={"name": "laptop"})
    assert created.status_code == 201
    secret = re.search(r'id="new-token">([^<]+)<', created.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    assert services.user_for_api_token(secret) == user
    db.session.commit()  # the lookup recorded the token's use, as an API request commits it
    token = services.list_api_tokens(user)[0]
    assert client.post(f"/settings/tokens/{token.id}/revoke").status_code == 302
    assert services.user_for_api_token(secret) is None


def test_admin_pages_are_admin_only(client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    login(make_user(Role.SENIOR))
    for path in ("/admin/users", "/admin/departments"):
        assert client.get(path).status_code == 403


def test_admin_changes_role_and_department_and_deactivates(client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    admin, user = make_user(Role.ADMIN), make_user()
    make_department(slug="housing")
    login(admin)
    response = client.post(
        f"/admin/users/{user.id}", data={"role": "senior", "department": "housing"}
    )  # is_active unchecked → deactivate
    assert response.status_code == 302
    refreshed = db.session.get(User, user.id)
    assert refreshed is not None
    assert refreshed.role == Role.SENIOR and refreshed.department.slug == "housing"  # type: ignore[union-attr]
    assert refreshed.is_active is False


def test_admin_creates_department_with_field_errors(client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    login(make_user(Role.ADMIN))
    bad = client.post("/admin/departments", data={"slug": "Not OK", "name": "X"})
    assert bad.status_code == 400
    assert "lower-case" in bad.get_data(as_text=True)
    assert (
        client.post(
            "/admin/departments", data={"slug": "libraries", "name": "Libraries"}
        ).status_code
        == 302
    )
    assert "Libraries" in client.get("/admin/departments").get_data(as_text=True)


def test_admin_renames_a_department(client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    department = make_department(slug="parks", name="Parks")
    make_user(department=department)
    login(make_user(Role.ADMIN))
    page = client.get("/admin/departments").get_data(as_text=True)
    assert ">1</td>" in page  # one active person
    response = client.post(
        f"/admin/departments/{department.id}", data={"name": "Parks and Leisure"}
    )
    assert response.status_code == 302
    assert "Parks and Leisure" in client.get("/admin/departments").get_data(as_text=True)
    assert client.post(f"/admin/departments/{department.id}", data={"name": ""}).status_code == 303
    assert client.post("/admin/departments/999999", data={"name": "X"}).status_code == 404
