"""The audit log: an entry for each security-relevant event, its filters, CSV and retention."""

from __future__ import annotations

import csv
import datetime as dt
import io

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from forum.accounts import services
from forum.accounts.models import AuditAction, AuditEvent, Role, User
from forum.accounts.services import audit, signin
from forum.boards import services as boards
from forum.core import work
from forum.extensions import db
from forum.handover.models import Handover
from tests.boards.factories import make_board, make_post, make_thread
from tests.factories import PASSWORD, make_department, make_user, see_committed

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _events(action: AuditAction | None = None) -> list[AuditEvent]:
    see_committed()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def _actions() -> list[str]:
    return [str(e.action) for e in _events()]


# --- what is recorded --------------------------------------------------------------------------


def test_sign_in_and_failures_are_recorded_without_the_password(
    client: FlaskClient, login: object
) -> None:
    user = make_user()
    client.post("/login", data={"email": user.email, "password": "hunter2-secret-guess"})
    client.post("/login", data={"email": "nobody@example.org", "password": "another-secret"})
    login(user)  # type: ignore[operator]
    failed = _events(AuditAction.SIGN_IN_FAILED)
    assert [(e.subject_type, e.subject_id, e.details["reason"]) for e in failed] == [
        ("user", user.id, "wrong_password"),
        ("none", None, "unknown_account"),
    ]
    assert all(e.actor_id is None and e.ip for e in failed)
    [ok] = _events(AuditAction.SIGN_IN_SUCCEEDED)
    assert (ok.actor_id, ok.subject_id, ok.details) == (user.id, user.id, {"method": "password"})
    stored = repr([(e.details, e.subject_type) for e in _events()])
    assert "hunter2" not in stored and "another-secret" not in stored
    assert "nobody@example.org" not in stored


def test_role_department_and_activation_changes_are_recorded(app: Flask) -> None:
    admin, user = make_user(Role.ADMIN), make_user()
    sales = make_department(slug="sales")
    services.admin_update_user(admin, user, role=Role.SENIOR, department=sales)
    services.admin_update_user(admin, user, role=Role.SENIOR, department=sales)  # no change
    services.admin_update_user(admin, user, is_active=False)
    services.admin_update_user(admin, user, is_active=True, department=None)
    db.session.commit()
    events = [(str(e.action), e.actor_id, e.subject_id, e.details) for e in _events()]
    assert events == [
        ("user.role_changed", admin.id, user.id, {"old": "member", "new": "senior"}),
        ("user.department_changed", admin.id, user.id, {"old": None, "new": "sales"}),
        ("user.deactivated", admin.id, user.id, {}),
        # A deactivation opens a hand-over; leaving a department widens the open one.
        ("handover.opened", admin.id, user.id, _opened(widened=False, reason="deactivated")),
        ("user.department_changed", admin.id, user.id, {"old": "sales", "new": None}),
        ("user.reactivated", admin.id, user.id, {}),
        ("handover.opened", admin.id, user.id, _opened(widened=True, reason="department_changed")),
    ]


def _opened(*, widened: bool, reason: str) -> dict[str, object]:
    handover_id = db.session.scalar(db.select(db.func.min(Handover.id)))
    return {"handover_id": handover_id, "reason": reason, "widened": widened, "items": 0}


def test_a_refused_change_leaves_no_entry(client: FlaskClient, login: object) -> None:
    admin = make_user(Role.ADMIN)
    login(admin)  # type: ignore[operator]
    response = client.post(f"/admin/users/{admin.id}", data={"role": "member"})
    assert response.status_code == 400
    assert AuditAction.ROLE_CHANGED not in _actions()


def test_api_token_creation_and_revocation_are_recorded_without_the_secret(app: Flask) -> None:
    user = make_user()
    token, secret = services.create_api_token(user, "deploy script")
    services.revoke_api_token(user, token.id)
    services.create_api_token(user, "another")
    services.change_password(user, PASSWORD, "a brand new password")
    db.session.commit()
    created = _events(AuditAction.API_TOKEN_CREATED)
    revoked = _events(AuditAction.API_TOKEN_REVOKED)
    assert [(e.subject_type, e.details["name"]) for e in created] == [
        ("api_token", "deploy script"),
        ("api_token", "another"),
    ]
    assert [(e.subject_type, e.subject_id) for e in revoked] == [
        ("api_token", token.id),
        ("user", user.id),  # all of them, with the password change
    ]
    assert revoked[1].details == {"all": True, "count": 1}
    assert secret not in repr([e.details for e in _events()])


def test_unlock_is_recorded(app: Flask) -> None:
    admin, user = make_user(Role.ADMIN), make_user()
    signin.unlock(admin, user, ip="192.0.2.1")
    db.session.commit()
    [event] = _events(AuditAction.SIGN_IN_UNLOCKED)
    assert (event.actor_id, event.subject_id, event.ip) == (admin.id, user.id, "192.0.2.1")


def test_moderation_actions_are_recorded(app: Flask) -> None:
    moderator, author = make_user(Role.SENIOR), make_user()
    board, other = make_board(moderators=[moderator]), make_board()
    thread = make_thread(board, author=author)
    post = make_post(thread, author=author)
    second = make_post(thread, author=author)
    boards.set_pinned(thread, actor=moderator, pinned=True)
    boards.set_locked(thread, actor=moderator, locked=True)
    boards.hide_post(post, actor=moderator, reason="Off topic")
    boards.restore_post(post, actor=moderator)
    boards.delete_post(second, actor=moderator)
    flag = boards.flag_post(post, reporter=make_user(), reason="Spam")
    boards.resolve_flag(flag, actor=moderator, dismiss=True)
    boards.move_thread(thread, actor=moderator, to_board=other)
    db.session.commit()
    moderation = [
        (str(e.action), e.subject_type, e.subject_id)
        for e in _events()
        if e.actor_id == moderator.id
    ]
    assert moderation == [
        ("thread.pinned", "thread", thread.id),
        ("thread.locked", "thread", thread.id),
        ("post.hidden", "post", post.id),
        ("post.restored", "post", post.id),
        ("post.deleted", "post", second.id),
        ("flag.dismissed", "flag", flag.id),
        ("thread.moved", "thread", thread.id),
    ]
    assert _events(AuditAction.POST_HIDDEN)[0].details == {
        "thread": thread.id,
        "reason": "Off topic",
    }


def test_an_author_deleting_their_own_post_is_not_a_moderation_entry(app: Flask) -> None:
    author = make_user()
    post = make_post(make_thread(), author=author)
    boards.delete_post(post, actor=author)
    boards.restore_post(post, actor=author)
    db.session.commit()
    assert _events(AuditAction.POST_DELETED) == []
    assert _events(AuditAction.POST_RESTORED) == []


# --- filters and pages -------------------------------------------------------------------------


def _seed(admin: User, user: User) -> None:
    audit.record(AuditAction.ROLE_CHANGED, admin, user, now=T0, old="member", new="senior")
    audit.record(AuditAction.SIGN_IN_SUCCEEDED, user, user, now=T0 + dt.timedelta(days=1))
    audit.record(AuditAction.USER_DEACTIVATED, admin, user, now=T0 + dt.timedelta(days=2))
    audit.record(AuditAction.THREAD_LOCKED, admin, ("thread", 7), now=T0 + dt.timedelta(days=3))
    db.session.commit()


def test_search_filters_by_action_family_actor_subject_and_days(app: Flask) -> None:
    admin, user = make_user(Role.ADMIN), make_user()
    _seed(admin, user)

    def actions(**kwargs: object) -> list[str]:
        return [str(e.action) for e in audit.search(audit.AuditFilter(**kwargs)).items]  # type: ignore[arg-type]

    assert actions() == [
        "thread.locked",
        "user.deactivated",
        "sign_in.succeeded",
        "user.role_changed",
    ]
    assert actions(action="user.role_changed") == ["user.role_changed"]
    assert actions(action="user") == ["user.deactivated", "user.role_changed"]
    assert actions(actor=admin.email.upper()) == [
        "thread.locked",
        "user.deactivated",
        "user.role_changed",
    ]
    assert actions(actor=str(user.id)) == ["sign_in.succeeded"]
    assert actions(actor="nobody@example.org") == []
    assert actions(subject="thread:7") == ["thread.locked"]
    assert actions(subject=user.email) == [
        "user.deactivated",
        "sign_in.succeeded",
        "user.role_changed",
    ]
    assert actions(subject="gibberish") == []
    day = T0.date()
    assert actions(since=day + dt.timedelta(days=1), until=day + dt.timedelta(days=2)) == [
        "user.deactivated",
        "sign_in.succeeded",
    ]


def test_admin_page_lists_newest_first_with_filters_and_pages(
    app: Flask, client: FlaskClient, login: object
) -> None:
    admin, user = make_user(Role.ADMIN), make_user(display_name="Zed")
    _seed(admin, user)
    for n in range(audit.PER_PAGE + 5):
        audit.record(AuditAction.SESSIONS_ENDED, user, user, now=T0 - dt.timedelta(hours=n + 1))
    db.session.commit()
    login(admin)  # type: ignore[operator]
    page = client.get("/admin/audit").get_data(as_text=True)
    rows = page.split("<tbody>", 1)[1]  # past the filter form's list of actions
    assert rows.index("Signed in") < rows.index("Thread locked") < rows.index("Account deactivated")
    assert "Page 1 of 2" in page and 'rel="next"' in page
    filtered = client.get(f"/admin/audit?action=user.deactivated&subject={user.email}")
    text = filtered.get_data(as_text=True)
    assert filtered.status_code == 200
    rows = text.split("<tbody>", 1)[1]
    assert "Account deactivated" in rows and "Role changed" not in rows
    assert "1 entry." in text
    assert f"user:{user.id} ({user.email})" in text
    # A date that does not parse is left out rather than refused.
    assert client.get("/admin/audit?since=yesterday").status_code == 200


def test_audit_pages_are_for_admins_only(client: FlaskClient, login: object) -> None:
    login(make_user(Role.SENIOR))  # type: ignore[operator]
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403


def test_admin_navigation_links_the_audit_log(client: FlaskClient, login: object) -> None:
    login(make_user(Role.ADMIN))  # type: ignore[operator]
    hub = client.get("/admin").get_data(as_text=True)
    assert 'href="/admin/audit"' in hub and 'href="/admin/two-factor"' in hub


def test_csv_export_is_filtered_and_safe_in_a_spreadsheet(
    app: Flask, client: FlaskClient, login: object
) -> None:
    admin = make_user(Role.ADMIN)
    user = make_user()
    # A forwarded client address is whatever the proxy was told: it must not become a formula.
    audit.record(AuditAction.SESSIONS_ENDED, user, user, ip="=HYPERLINK(1)", sessions_ended=2)
    audit.record(AuditAction.ROLE_CHANGED, admin, user, old="member", new="senior")
    db.session.commit()
    login(admin)  # type: ignore[operator]
    response = client.get("/admin/audit.csv?action=sessions.ended")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == list(audit.CSV_COLUMNS)
    [row] = rows[1:]
    assert row[1:6] == ["sessions.ended", user.email, "user", str(user.id), user.email]
    assert row[6] == "'=HYPERLINK(1)" and row[7] == "sessions_ended=2"
    assert not [cell for cell in row if cell.startswith(("=", "+", "-", "@"))]


# --- retention ---------------------------------------------------------------------------------


def test_entries_older_than_the_retention_are_pruned_by_the_periodic_job(
    app: Flask, runner: FlaskCliRunner
) -> None:
    app.config["AUDIT_RETENTION_DAYS"] = 30
    user = make_user()
    now = dt.datetime.now(dt.UTC)
    audit.record(AuditAction.SESSIONS_ENDED, user, user, now=now - dt.timedelta(days=31))
    audit.record(AuditAction.PASSWORD_CHANGED, user, user, now=now - dt.timedelta(days=29))
    db.session.commit()
    result = runner.invoke(args=["work", "--once"])
    assert result.exit_code == 0, result.output
    assert _actions() == ["password.changed"]


def test_retention_zero_keeps_everything(app: Flask) -> None:
    user = make_user()
    audit.record(AuditAction.SESSIONS_ENDED, user, user, now=T0 - dt.timedelta(days=5000))
    db.session.commit()
    loop = work.Runner(app, clock=lambda: T0)
    [job] = [j for j in work.registered_jobs(app) if j.name == "accounts.audit_prune"]
    app.config["AUDIT_RETENTION_DAYS"] = 0
    assert loop.run_job(job) == 0
    app.config["AUDIT_RETENTION_DAYS"] = 10
    assert loop.run_job(job) == 1
    assert _actions() == []
