"""Notification pages, the header bell, and the alert admin pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum.accounts.models import Role, User
from forum.alerts import services
from forum.alerts.models import OutboxStatus, WebhookEndpoint
from forum.extensions import db
from tests.alerts.factories import make_email, make_endpoint, make_notification
from tests.factories import PASSWORD, make_user, reload

Login = Callable[[User], FlaskClient]


def test_bell_shows_unread_count_for_signed_in_people(app: Flask, login: Login) -> None:
    user = make_user()
    for _ in range(3):
        make_notification(user)
    client = login(user)
    html = client.get("/notifications").get_data(as_text=True)
    assert 'class="bell bell-unread"' in html
    assert '<span class="bell-count">3<span class="visually-hidden"> unread</span></span>' in html
    services.mark_read(user)
    db.session.commit()
    html = client.get("/notifications").get_data(as_text=True)
    assert "bell-count" not in html
    assert "Notifications" in html


def test_the_bell_counts_up_to_its_cap_and_the_page_counts_all(app: Flask, login: Login) -> None:
    user = make_user()
    for _ in range(services.BELL_CAP + 5):
        make_notification(user)
    assert services.unread_for_bell(user) == services.BELL_CAP
    assert services.unread_count(user) == services.BELL_CAP + 5
    client = login(user)
    html = client.get("/").get_data(as_text=True)
    assert '<span class="bell-count">99+<span class="visually-hidden"> unread</span>' in html
    services.mark_read(user)
    db.session.commit()
    make_notification(user)
    assert services.unread_for_bell(user) == 1


def test_anonymous_people_see_no_bell_and_cannot_reach_notifications(
    app: Flask, client: FlaskClient
) -> None:
    response = client.get("/notifications")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert "bell" not in client.get("/login").get_data(as_text=True)


def test_notifications_page_lists_own_notifications_only(app: Flask, login: Login) -> None:
    user, other = make_user(), make_user()
    make_notification(user, title="Reply to your fix <b>")
    make_notification(other, title="Someone else's")
    html = login(user).get("/notifications").get_data(as_text=True)
    assert "Reply to your fix &lt;b&gt;" in html
    assert "Someone else" not in html


def test_notifications_page_is_paginated(app: Flask, login: Login) -> None:
    user = make_user()
    t0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    for n in range(25):
        make_notification(user, title=f"Note {n:02d}", now=t0 + dt.timedelta(minutes=n))
    client = login(user)
    first = client.get("/notifications").get_data(as_text=True)
    assert "Note 24" in first and "Note 04" not in first
    assert 'rel="next"' in first
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert "Note 04" in second and 'rel="prev"' in second


def test_opening_a_notification_marks_it_read_and_goes_to_the_target(
    app: Flask, login: Login
) -> None:
    user = make_user()
    notification = make_notification(user, url="/t/12#post-40")
    response = login(user).get(f"/notifications/{notification.id}/open")
    assert response.status_code == 302
    assert response.headers["Location"] == "/t/12#post-40"
    assert services.unread_count(user) == 0


def test_opening_someone_elses_notification_is_404(app: Flask, login: Login) -> None:
    notification = make_notification(make_user())
    assert login(make_user()).get(f"/notifications/{notification.id}/open").status_code == 404


def test_an_offsite_target_is_never_followed(app: Flask, login: Login) -> None:
    user = make_user()
    notification = make_notification(user, url="//evil.example/x")
    response = login(user).get(f"/notifications/{notification.id}/open")
    assert response.headers["Location"] == "/notifications"


def test_mark_one_and_all_read(app: Flask, login: Login) -> None:
    user = make_user()
    first, *_rest = [make_notification(user) for _ in range(3)]
    client = login(user)
    response = client.post("/notifications/read", data={"id": str(first.id)})
    assert response.status_code == 302
    assert services.unread_count(user) == 2
    client.post("/notifications/read", data={})
    assert services.unread_count(user) == 0
    assert client.post("/notifications/read", data={"id": "x"}).status_code == 400


def test_unread_filter(app: Flask, login: Login) -> None:
    user = make_user()
    read = make_notification(user, title="Old news")
    make_notification(user, title="Fresh news")
    services.mark_read(user, [read.id])
    db.session.commit()
    html = login(user).get("/notifications?show=unread").get_data(as_text=True)
    assert "Fresh news" in html and "Old news" not in html


# --- Admin pages ------------------------------------------------------------------------------

ADMIN_PAGES = [
    "/admin/alerts",
    "/admin/alerts/webhooks",
    "/admin/alerts/webhooks/new",
    "/admin/alerts/mail",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_are_for_admins_only(app: Flask, login: Login, path: str) -> None:
    assert login(make_user(Role.SENIOR)).get(path).status_code == 403


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_render_for_admins(app: Flask, login: Login, path: str) -> None:
    assert login(make_user(Role.ADMIN)).get(path).status_code == 200


def test_dead_letters_are_listed_with_a_retry_button_that_requeues(
    app: Flask, login: Login
) -> None:
    message = make_email("gone@example.org", subject="Lost alert")
    message.status = OutboxStatus.DEAD
    message.last_error = "HTTP 500"
    message.dead_at = message.created_at
    db.session.commit()
    client = login(make_user(Role.ADMIN))
    html = client.get("/admin/alerts").get_data(as_text=True)
    assert "gone@example.org" in html and "HTTP 500" in html
    assert f'action="/admin/alerts/messages/{message.id}/retry"' in html
    detail = client.get(f"/admin/alerts/messages/{message.id}").get_data(as_text=True)
    assert "Lost alert" in detail

    response = client.post(f"/admin/alerts/messages/{message.id}/retry")
    assert response.status_code == 302
    message = reload(message)
    assert message.status == OutboxStatus.PENDING
    assert message.requeued_at is not None
    # Retrying something that is not dead is a conflict.
    assert client.post(f"/admin/alerts/messages/{message.id}/retry").status_code == 409


def test_outbox_page_filters_by_status(app: Flask, login: Login) -> None:
    make_email("waiting@example.org")
    client = login(make_user(Role.ADMIN))
    assert "waiting@example.org" in client.get("/admin/alerts?status=pending").get_data(
        as_text=True
    )
    assert "waiting@example.org" not in client.get("/admin/alerts").get_data(as_text=True)
    assert client.get("/admin/alerts?status=bogus").status_code == 404


def test_sent_mail_page_lists_and_shows_eml_files_safely(app: Flask, login: Login) -> None:
    from forum.alerts import worker

    make_email(
        "ada@example.org",
        subject="<script>alert(1)</script>",
        text="Hello <img src=x onerror=alert(1)>",
    )
    worker.run_once()
    client = login(make_user(Role.ADMIN))
    listing = client.get("/admin/alerts/mail").get_data(as_text=True)
    [name] = [p.name for p in (Path(app.instance_path) / "mail").glob("*.eml")]
    assert name in listing
    page = client.get(f"/admin/alerts/mail/{name}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "HTML part (source, not rendered)" in page


@pytest.mark.parametrize(
    "name",
    [
        "..%2Fsecret_key",
        "..%2F..%2Fetc%2Fpasswd",
        "missing.eml",
        ".hidden.eml",
        "x.txt",
        "%2Fetc%2Fpasswd",
    ],
)
def test_sent_mail_view_refuses_path_tricks(app: Flask, login: Login, name: str) -> None:
    mail = Path(app.instance_path) / "mail"
    mail.mkdir(parents=True, exist_ok=True)
    (mail / ".hidden.eml").write_text("Subject: hidden\n\nx")
    (mail / "x.txt").write_text("x")
    response = login(make_user(Role.ADMIN)).get(f"/admin/alerts/mail/{name}")
    assert response.status_code == 404


def test_sent_mail_view_refuses_symlinks(app: Flask, login: Login) -> None:
    mail = Path(app.instance_path) / "mail"
    mail.mkdir(parents=True, exist_ok=True)
    (mail / "link.eml").symlink_to(Path(app.instance_path) / "secret_key")
    client = login(make_user(Role.ADMIN))
    assert client.get("/admin/alerts/mail/link.eml").status_code == 404
    assert "link.eml" not in client.get("/admin/alerts/mail").get_data(as_text=True)


def test_admin_adds_edits_rotates_and_tests_a_webhook(app: Flask, login: Login) -> None:
    client = login(make_user(Role.ADMIN))
    response = client.post(
        "/admin/alerts/webhooks/new",
        data={
            "name": "Comms Slack",
            "url": "https://hooks.slack.com/services/T/B/X",
            "format": "slack",
        },
    )
    assert response.status_code == 302
    endpoint = db.session.query(WebhookEndpoint).one()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert endpoint.secret in page
    old_secret = endpoint.secret

    client.post(f"/admin/alerts/webhooks/{endpoint.id}/rotate")
    db.session.expire_all()
    assert endpoint.secret != old_secret

    assert client.post(f"/admin/alerts/webhooks/{endpoint.id}/test").status_code == 302
    assert services.outbox_counts()["pending"] == 1

    response = client.post(
        f"/admin/alerts/webhooks/{endpoint.id}",
        data={
            "name": "Comms Teams",
            "url": "https://council.webhook.office.com/x",
            "format": "teams",
        },
    )  # is_active unchecked: switched off
    assert response.status_code == 302
    db.session.expire_all()
    assert (endpoint.name, endpoint.format, endpoint.is_active) == ("Comms Teams", "teams", False)
    listing = client.get("/admin/alerts/webhooks").get_data(as_text=True)
    assert "Comms Teams" in listing and "Off" in listing


def test_webhook_form_shows_field_errors(app: Flask, login: Login) -> None:
    make_endpoint("https://a.example/x", name="Taken")
    client = login(make_user(Role.ADMIN))
    response = client.post(
        "/admin/alerts/webhooks/new",
        data={"name": "Taken", "url": "https://b.example/x", "format": "generic"},
    )
    assert response.status_code == 409
    assert "Already in use." in response.get_data(as_text=True)
    response = client.post(
        "/admin/alerts/webhooks/new",
        data={"name": "New", "url": "ftp://b.example/x", "format": "generic"},
    )
    assert response.status_code == 400
    assert "https" in response.get_data(as_text=True)


def test_admin_nav_link_only_for_admins(app: Flask, login: Login) -> None:
    # Admin pages are gathered on /admin, linked from the header for admins only.
    admin_html = login(make_user(Role.ADMIN)).get("/admin").get_data(as_text=True)
    assert 'href="/admin/alerts"' in admin_html
    member = app.test_client()
    member.post("/login", data={"email": make_user().email, "password": PASSWORD})
    assert member.get("/admin").status_code == 403
