"""Sign-in rules without HTTP: throttles that slow an attacker but never lock the owner out."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum.accounts.models import AuditAction, AuditEvent, LoginAttempt, Role, User
from forum.accounts.services import signin
from forum.core.errors import Invalid, NotPermitted, Throttled
from forum.extensions import db
from tests.factories import PASSWORD, make_user

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _fail(app: Flask, email: str, ip: str, at: dt.datetime, **kwargs: Any) -> None:
    with pytest.raises(Invalid):
        signin.authenticate(email, "wrong guess", ip=ip, settings=app.config, now=at, **kwargs)
    db.session.commit()


def _sign_in(app: Flask, user: User, ip: str, at: dt.datetime, **kwargs: Any) -> User:
    found = signin.authenticate(user.email, PASSWORD, ip=ip, settings=app.config, now=at, **kwargs)
    db.session.commit()
    return found


def test_authenticate_accepts_right_password_only(app: Flask) -> None:
    user = make_user()
    assert _sign_in(app, User(email=user.email.upper()), "1.1.1.1", T0) == user
    _fail(app, user.email, "1.1.1.1", T0)


def test_deactivated_user_cannot_sign_in(app: Flask) -> None:
    user = make_user(is_active=False)
    with pytest.raises(Invalid):
        signin.authenticate(user.email, PASSWORD, ip="1.1.1.1", settings=app.config)


def test_a_colleague_guessing_cannot_lock_the_owner_out(app: Flask) -> None:
    """Issue 10 item 8: five wrong passwords used to block the owner's right one everywhere."""
    senior = make_user(Role.SENIOR)
    for n in range(5):
        _fail(app, senior.email, "10.0.0.66", T0 + dt.timedelta(seconds=n))
    assert _sign_in(app, senior, "10.0.0.7", T0 + dt.timedelta(seconds=6)) == senior


def test_failures_from_one_address_bring_a_growing_delay_for_that_address(app: Flask) -> None:
    user = make_user()
    free = app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_IP"]
    base = app.config["LOGIN_DELAY_BASE_SECONDS"]
    for n in range(free):
        _fail(app, user.email, "10.0.0.66", T0 + dt.timedelta(seconds=n))
    last = T0 + dt.timedelta(seconds=free - 1)
    with pytest.raises(Throttled) as excinfo:
        signin.authenticate(
            user.email,
            PASSWORD,
            ip="10.0.0.66",
            settings=app.config,
            now=last + dt.timedelta(seconds=1),
        )
    first_wait = excinfo.value.retry_after
    assert base - 1 <= first_wait <= base
    assert f"Try again in {first_wait} seconds" in excinfo.value.message
    # Once the delay has passed one more guess is allowed, and the next delay is twice as long.
    after = last + dt.timedelta(seconds=base)
    _fail(app, user.email, "10.0.0.66", after)
    with pytest.raises(Throttled) as excinfo:
        signin.authenticate(user.email, PASSWORD, ip="10.0.0.66", settings=app.config, now=after)
    assert excinfo.value.retry_after == 2 * base
    assert excinfo.value.message.endswith("Try again in 1 minute.")
    # Refused tries are not counted: they cannot stretch the delay further.
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == free + 1


def test_delays_are_capped(app: Flask) -> None:
    settings = {**app.config, "LOGIN_DELAY_MAX_SECONDS": 100}
    assert signin._delay_seconds(4, 5, settings) == 0
    assert [signin._delay_seconds(n, 5, settings) for n in range(5, 9)] == [30, 60, 100, 100]
    assert signin._delay_seconds(10_000, 5, settings) == 100


def test_a_known_device_signs_in_through_the_delay(app: Flask) -> None:
    senior = make_user(Role.SENIOR)
    cookie = signin.known_device_cookie(senior, app.config)
    for n in range(app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_IP"]):
        # the colleague shares the senior's office address
        _fail(app, senior.email, "10.0.0.1", T0 + dt.timedelta(seconds=n))
    later = T0 + dt.timedelta(seconds=10)
    with pytest.raises(Throttled):
        signin.authenticate(senior.email, PASSWORD, ip="10.0.0.1", settings=app.config, now=later)
    assert _sign_in(app, senior, "10.0.0.1", later, known_device=cookie) == senior


def test_a_known_device_passes_the_per_ip_limit_too(app: Flask) -> None:
    senior = make_user(Role.SENIOR)
    cookie = signin.known_device_cookie(senior, app.config)
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_IP"]):
        _fail(app, f"nobody{n}@example.org", "10.0.0.1", T0)
    with pytest.raises(Throttled, match="from your network"):
        signin.authenticate(senior.email, PASSWORD, ip="10.0.0.1", settings=app.config, now=T0)
    assert _sign_in(app, senior, "10.0.0.1", T0, known_device=cookie) == senior


def test_a_known_device_has_a_failure_budget_of_its_own(app: Flask) -> None:
    user = make_user()
    cookie = signin.known_device_cookie(user, app.config)
    device_budget = app.config["LOGIN_MAX_FAILURES_PER_DEVICE"]
    for n in range(device_budget):
        _fail(app, user.email, f"10.1.0.{n}", T0, known_device=cookie)
    attempts = db.session.scalars(select(LoginAttempt)).all()
    assert {a.device for a in attempts} == {signin.read_known_device(cookie, app.config).device_id}  # type: ignore[union-attr]
    # Its budget spent, the device is like any other client: the address's delay applies.
    for _ in range(app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_IP"]):
        _fail(app, user.email, "10.1.9.9", T0, known_device=cookie)
    with pytest.raises(Throttled):
        signin.authenticate(
            user.email, PASSWORD, ip="10.1.9.9", settings=app.config, now=T0, known_device=cookie
        )


@pytest.mark.parametrize("kind", ["other person", "tampered", "other secret", "expired"])
def test_only_a_genuine_known_device_of_this_person_is_trusted(
    app: Flask, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, other = make_user(), make_user()
    cookie = signin.known_device_cookie(user, app.config)
    settings: dict[str, Any] = dict(app.config)
    if kind == "other person":
        cookie = signin.known_device_cookie(other, app.config)
    elif kind == "tampered":
        cookie = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    elif kind == "other secret":
        settings["SECRET_KEY"] = "another-secret"
    else:
        days = app.config["KNOWN_DEVICE_DAYS"]
        real_time = time.time
        with monkeypatch.context() as patch:  # a cookie given a day more than it lasts ago
            patch.setattr(time, "time", lambda: real_time() - (days + 1) * 86400)
            cookie = signin.known_device_cookie(user, app.config)
    for _ in range(app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_IP"]):
        _fail(app, user.email, "10.0.0.66", T0)
    with pytest.raises(Throttled):
        signin.authenticate(
            user.email,
            PASSWORD,
            ip="10.0.0.66",
            settings=settings,
            now=T0 + dt.timedelta(seconds=1),
            known_device=cookie,
        )


def test_a_known_device_keeps_its_id_across_sign_ins(app: Flask) -> None:
    user, other = make_user(), make_user()
    first = signin.known_device_cookie(user, app.config)
    again = signin.known_device_cookie(user, app.config, previous=first)
    device = signin.read_known_device(first, app.config)
    assert device is not None and device.user_id == user.id
    assert signin.read_known_device(again, app.config) == device
    switched = signin.read_known_device(
        signin.known_device_cookie(other, app.config, previous=first), app.config
    )
    assert switched is not None and switched.device_id != device.device_id


def test_a_spread_attack_slows_unknown_devices_but_not_known_ones(app: Flask) -> None:
    senior = make_user(Role.SENIOR)
    cookie = signin.known_device_cookie(senior, app.config)
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        _fail(app, senior.email, f"10.2.0.{n}", T0)
    with pytest.raises(Throttled, match="device you have used before"):
        signin.authenticate(senior.email, PASSWORD, ip="10.3.0.1", settings=app.config, now=T0)
    assert _sign_in(app, senior, "10.3.0.1", T0, known_device=cookie) == senior
    # The owner's sign-in does not hand the attackers a fresh budget.
    with pytest.raises(Throttled):
        signin.authenticate(senior.email, PASSWORD, ip="10.3.0.2", settings=app.config, now=T0)


def test_a_success_forgives_only_this_clients_failures(app: Flask) -> None:
    user = make_user()
    _fail(app, user.email, "10.0.0.66", T0)
    _fail(app, user.email, "10.0.0.7", T0)
    _sign_in(app, user, "10.0.0.7", T0)
    left = db.session.scalars(select(LoginAttempt.ip)).all()
    assert left == ["10.0.0.66"]


def test_failures_per_ip_are_refused_across_accounts(app: Flask) -> None:
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_IP"]):
        _fail(app, f"nobody{n}@example.org", "6.6.6.6", T0)
    user = make_user()
    with pytest.raises(Throttled):
        signin.authenticate(user.email, PASSWORD, ip="6.6.6.6", settings=app.config, now=T0)
    assert _sign_in(app, user, "7.7.7.7", T0) == user


def test_throttle_window_expires(app: Flask) -> None:
    user = make_user()
    for _ in range(app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_IP"]):
        _fail(app, user.email, "1.2.3.4", T0)
    with pytest.raises(Throttled):
        signin.authenticate(user.email, PASSWORD, ip="1.2.3.4", settings=app.config, now=T0)
    later = T0 + dt.timedelta(seconds=app.config["LOGIN_FAILURE_WINDOW_SECONDS"] + 1)
    assert _sign_in(app, user, "1.2.3.4", later) == user


def test_old_failures_are_pruned(app: Flask) -> None:
    user = make_user()
    _fail(app, user.email, "1.2.3.4", T0)
    later = T0 + dt.timedelta(seconds=app.config["LOGIN_FAILURE_WINDOW_SECONDS"] + 1)
    _fail(app, user.email, "1.2.3.5", later)
    assert db.session.scalars(select(LoginAttempt.ip)).all() == ["1.2.3.5"]


def test_throttle_is_off_when_rate_limits_are_disabled(app: Flask) -> None:
    user = make_user()
    settings = {**app.config, "RATELIMIT_ENABLED": False}
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_IP"] + 3):
        with pytest.raises(Invalid):
            signin.authenticate(user.email, "nope", ip="1.1.1.1", settings=settings, now=T0)
        db.session.commit()
    assert signin.authenticate(user.email, PASSWORD, ip="1.1.1.1", settings=settings) == user


def test_an_unknown_address_is_checked_against_a_hash_of_the_configured_method(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dummy hash once was scrypt whatever the configured method: unknown addresses then
    answered at a different speed from known ones."""
    checked: list[str] = []
    real = signin.check_password_hash

    def spy(stored: str, password: str) -> bool:
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(signin, "check_password_hash", spy)
    known = make_user()
    _fail(app, known.email, "1.1.1.1", T0)
    _fail(app, "nobody@example.org", "1.1.1.1", T0)
    method = app.config["PASSWORD_HASH_METHOD"]
    assert [h.startswith(method + "$") for h in checked] == [True, True]


def test_admin_unlock_lifts_every_delay_and_is_audited(app: Flask) -> None:
    admin, senior = make_user(Role.ADMIN), make_user(Role.SENIOR)
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        _fail(app, senior.email, f"10.2.0.{n % 4}", T0)
    status = signin.sign_in_status(senior, app.config, now=T0)
    assert status.failures == app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    assert status.addresses == 4
    assert status.delayed_until is not None and status.delayed_until > T0
    with pytest.raises(NotPermitted):
        signin.unlock(make_user(Role.SENIOR), senior)
    assert signin.unlock(admin, senior, ip="192.0.2.1", now=T0) == status.failures
    db.session.commit()
    assert _sign_in(app, senior, "10.2.0.1", T0) == senior
    assert signin.sign_in_status(senior, app.config, now=T0).failures == 0
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.SIGN_IN_UNLOCKED)
    ).one()
    assert event.action == AuditAction.SIGN_IN_UNLOCKED
    assert (event.actor_id, event.subject_type, event.subject_id) == (admin.id, "user", senior.id)
    assert event.details == {"failures_cleared": status.failures}
    assert event.ip == "192.0.2.1" and event.at == T0
