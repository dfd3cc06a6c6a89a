"""Two-factor sign-in: enrolment, the second sign-in step, recovery codes, turning it off,
and the admins' requirement for seniors and admins."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.accounts.models import AuditAction, AuditEvent, RecoveryCode, Role, TwoFactor, User
from forum.accounts.services import twofactor
from forum.core.errors import Conflict, Invalid, Throttled
from forum.extensions import db
from tests.factories import PASSWORD, make_user, see_committed

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
STEP = dt.timedelta(seconds=30)


def _code(user: User, at: dt.datetime) -> str:
    secret = db.session.scalar(select(TwoFactor.secret).where(TwoFactor.user_id == user.id))
    return pyotp.TOTP(str(secret)).at(at)


def _enrol(user: User, at: dt.datetime = T0) -> list[str]:
    twofactor.begin_enrolment(user, now=at)
    codes = twofactor.confirm_enrolment(user, _code(user, at), now=at)
    db.session.commit()
    return codes


def _actions(user: User) -> list[str]:
    see_committed()
    return [
        str(action)
        for action in db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_type == "user", AuditEvent.subject_id == user.id)
            .order_by(AuditEvent.id)
        )
    ]


# --- services ---------------------------------------------------------------------------------


def test_enrolment_needs_the_apps_code_and_gives_ten_hashed_recovery_codes(app: Flask) -> None:
    user = make_user()
    record = twofactor.begin_enrolment(user, now=T0)
    assert not twofactor.is_enabled(user)
    uri = twofactor.provisioning_uri(record, "Staff forum")
    assert uri.startswith("otpauth://totp/") and record.secret in uri
    with pytest.raises(Invalid):
        twofactor.confirm_enrolment(user, "000000", now=T0)
    codes = twofactor.confirm_enrolment(user, _code(user, T0), now=T0)
    db.session.commit()
    assert twofactor.is_enabled(user) and len(set(codes)) == 10
    stored = list(db.session.scalars(select(RecoveryCode.code_hash)))
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert not any(code.replace("-", "") in "".join(stored) for code in codes)
    assert _actions(user) == ["two_factor.enabled"]
    with pytest.raises(Conflict):
        twofactor.begin_enrolment(user)


def test_a_wrong_code_is_refused_and_counts_as_a_failed_sign_in(app: Flask) -> None:
    user = make_user()
    _enrol(user)
    with pytest.raises(Invalid):
        twofactor.verify_sign_in(user, "123456", ip="192.0.2.1", settings=app.config, now=T0)
    db.session.commit()
    assert _actions(user)[-1] == "sign_in.failed"
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.details == {"reason": "wrong_second_factor"}


def test_a_code_works_once_even_within_its_window(app: Flask) -> None:
    user = make_user()
    _enrol(user, T0)
    later = T0 + 4 * STEP
    code = _code(user, later)
    assert twofactor.verify_sign_in(user, code, ip="192.0.2.1", settings=app.config, now=later)
    db.session.commit()
    with pytest.raises(Invalid):
        twofactor.verify_sign_in(
            user, code, ip="192.0.2.2", settings=app.config, now=later + dt.timedelta(seconds=5)
        )
    db.session.commit()
    # The code of the enrolment's own step was spent by the enrolment too.
    with pytest.raises(Invalid):
        twofactor.verify_sign_in(user, _code(user, T0), ip="192.0.2.1", settings=app.config, now=T0)
    db.session.commit()
    # The next step's code is good.
    assert twofactor.verify_sign_in(
        user, _code(user, later + STEP), ip="192.0.2.1", settings=app.config, now=later + STEP
    )


def test_a_recovery_code_works_once(app: Flask) -> None:
    user = make_user()
    codes = _enrol(user)
    method = twofactor.verify_sign_in(
        user, codes[3].upper(), ip="192.0.2.1", settings=app.config, now=T0 + STEP * 10
    )
    db.session.commit()
    assert method == "recovery_code"
    assert twofactor.remaining_recovery_codes(user) == 9
    with pytest.raises(Invalid):
        twofactor.verify_sign_in(user, codes[3], ip="192.0.2.1", settings=app.config, now=T0)
    db.session.commit()
    assert "two_factor.recovery_code_used" in _actions(user)
    used = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.RECOVERY_CODE_USED)
    ).one()
    assert used.details == {"remaining": 9}


def test_wrong_codes_are_throttled_like_passwords(app: Flask) -> None:
    user = make_user()
    _enrol(user)
    free = app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_IP"]
    for _ in range(free):
        with pytest.raises(Invalid):
            twofactor.verify_sign_in(user, "999999", ip="192.0.2.7", settings=app.config, now=T0)
        db.session.commit()
    soon = T0 + dt.timedelta(seconds=10)
    with pytest.raises(Throttled):
        twofactor.verify_sign_in(
            user, _code(user, soon + STEP), ip="192.0.2.7", settings=app.config, now=soon
        )


def test_turning_it_off_takes_the_password_and_a_code(app: Flask) -> None:
    user = make_user()
    _enrol(user)
    later = T0 + STEP * 3
    with pytest.raises(Invalid):
        twofactor.disable(user, "wrong password", _code(user, later), now=later)
    with pytest.raises(Invalid):
        twofactor.disable(user, PASSWORD, "000000", now=later)
    twofactor.disable(user, PASSWORD, _code(user, later), now=later)
    db.session.commit()
    assert not twofactor.is_enabled(user)
    assert db.session.scalars(select(RecoveryCode)).all() == []
    assert _actions(user)[-1] == "two_factor.disabled"


def test_required_people_cannot_turn_it_off(app: Flask) -> None:
    admin, senior = make_user(Role.ADMIN), make_user(Role.SENIOR)
    _enrol(senior)
    twofactor.set_required(admin, True)
    db.session.commit()
    assert twofactor.applies_to(senior) and not twofactor.applies_to(make_user(Role.ENTHUSIAST))
    with pytest.raises(Invalid):
        twofactor.disable(senior, PASSWORD, _code(senior, T0 + STEP), now=T0 + STEP)
    policy = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.TWO_FACTOR_POLICY_CHANGED)
    ).one()
    assert policy.actor_id == admin.id


# --- pages ------------------------------------------------------------------------------------


def _sign_in_with_password(client: FlaskClient, user: User, **extra: Any) -> Any:
    return client.post("/login", data={"email": user.email, "password": PASSWORD, **extra})


def test_sign_in_asks_for_the_code_after_the_password(client: FlaskClient) -> None:
    user = make_user()
    _enrol(user)
    response = _sign_in_with_password(client, user, next="/settings")
    assert response.status_code == 302 and response.location == "/login/two-factor"
    # Not signed in yet: pages still send to /login.
    assert client.get("/settings").location.startswith("/login")
    assert "sign_in.succeeded" not in _actions(user)
    wrong = client.post("/login/two-factor", data={"code": "000000"})
    assert wrong.status_code == 400 and "not right" in wrong.get_data(as_text=True)
    now = dt.datetime.now(dt.UTC)
    right = client.post("/login/two-factor", data={"code": _code(user, now)})
    assert right.status_code == 302 and right.location == "/settings"
    assert client.get("/settings").status_code == 200
    actions = _actions(user)
    assert actions[-2:] == ["sign_in.failed", "sign_in.succeeded"]
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.SIGN_IN_SUCCEEDED)
    ).one()
    assert event.details == {"method": "password+totp"}


def test_the_second_step_without_the_first_goes_back_to_the_password(client: FlaskClient) -> None:
    assert client.get("/login/two-factor").location.startswith("/login")
    assert client.post("/login/two-factor", data={"code": "123456"}).location == "/login"


def test_a_password_change_voids_a_pending_second_step(client: FlaskClient) -> None:
    user = make_user()
    _enrol(user)
    _sign_in_with_password(client, user)
    user.session_token = "changed-by-a-password-reset"
    db.session.commit()
    now = dt.datetime.now(dt.UTC)
    response = client.post("/login/two-factor", data={"code": _code(user, now)})
    assert response.location == "/login"


def test_enrol_from_settings_shows_key_uri_and_qr_then_recovery_codes_once(
    client: FlaskClient, login: Any
) -> None:
    user = make_user()
    login(user)
    page = client.get("/settings/two-factor").get_data(as_text=True)
    assert "Set up two-factor sign-in" in page
    assert client.post("/settings/two-factor/begin").status_code == 302
    page = client.get("/settings/two-factor").get_data(as_text=True)
    secret = db.session.scalar(select(TwoFactor.secret).where(TwoFactor.user_id == user.id))
    assert secret and secret in page and "otpauth://totp/" in page
    assert (
        'src="data:image/svg+xml' in page
        and "<script" not in page.split("<main", 1)[1].split("</main>")[0]
    )
    wrong = client.post("/settings/two-factor/confirm", data={"code": "000000"})
    assert wrong.status_code == 400
    done = client.post(
        "/settings/two-factor/confirm", data={"code": _code(user, dt.datetime.now(dt.UTC))}
    )
    assert done.status_code == 201
    codes = re.findall(r"<li><code>([a-z2-9-]{14})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    again = client.get("/settings/two-factor").get_data(as_text=True)
    assert "10 unused recovery codes left" in again and codes[0] not in again


def test_disable_from_settings(client: FlaskClient, login: Any) -> None:
    user = make_user()
    codes = _enrol(user)
    login(user)  # the password step only
    now = dt.datetime.now(dt.UTC)
    client.post("/login/two-factor", data={"code": _code(user, now)})
    refused = client.post("/settings/two-factor/disable", data={"password": PASSWORD, "code": "1"})
    assert refused.status_code == 400
    response = client.post(
        "/settings/two-factor/disable", data={"password": PASSWORD, "code": codes[0]}
    )
    assert response.status_code == 302
    assert not twofactor.is_enabled(user)


def test_required_two_factor_sends_seniors_to_enrol_until_they_do(
    client: FlaskClient, login: Any
) -> None:
    admin, senior = make_user(Role.ADMIN), make_user(Role.SENIOR)
    twofactor.set_required(admin, True)
    db.session.commit()
    login(senior)
    response = client.get("/")
    assert response.status_code == 302 and response.location == "/settings/two-factor"
    assert client.get("/settings").location == "/settings/two-factor"
    assert client.get("/settings/two-factor").status_code == 200
    client.post("/settings/two-factor/begin")
    done = client.post(
        "/settings/two-factor/confirm", data={"code": _code(senior, dt.datetime.now(dt.UTC))}
    )
    assert done.status_code == 201
    assert client.get("/settings").status_code == 200


def test_members_are_not_sent_to_enrol_and_api_tokens_are_unaffected(
    client: FlaskClient, login: Any, api: Any
) -> None:
    admin, member = make_user(Role.ADMIN), make_user()
    twofactor.set_required(admin, True)
    db.session.commit()
    login(member)
    assert client.get("/settings").status_code == 200
    # An admin without two-factor still uses the API with a token.
    assert api(admin).get("/api/v1/me").status_code == 200


def test_admins_set_the_requirement_on_a_page(client: FlaskClient, login: Any) -> None:
    admin = make_user(Role.ADMIN)
    senior = make_user(Role.SENIOR, display_name="Sally Senior")
    login(admin)
    page = client.get("/admin/two-factor").get_data(as_text=True)
    assert "Sally Senior" in page
    response = client.post("/admin/two-factor", data={"required": "y"})
    assert response.status_code == 302
    see_committed()
    assert twofactor.is_required() and twofactor.must_enrol(senior)
    login_page = client.get("/admin/two-factor")
    assert login_page.status_code == 200  # the admin's own sign-in predates the requirement


def test_the_two_factor_admin_page_is_for_admins_only(client: FlaskClient, login: Any) -> None:
    login(make_user(Role.SENIOR))
    assert client.get("/admin/two-factor").status_code == 403
    assert client.post("/admin/two-factor", data={"required": "y"}).status_code == 403
