"""Away and cover: the cover must be able to take on the person's duties."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum.accounts import services
from forum.accounts.models import Role, User
from forum.core.errors import Invalid
from forum.extensions import db
from tests.factories import make_user

Login = Callable[..., FlaskClient]
FROM, UNTIL = dt.date(2026, 12, 20), dt.date(2026, 12, 31)


def fresh(user: User) -> User:
    db.session.expire_all()
    found = db.session.get(User, user.id)
    assert found is not None
    return found


def test_a_seniors_cover_must_be_able_to_act_on_escalations(app: Flask) -> None:
    senior = make_user(Role.SENIOR)
    with pytest.raises(Invalid) as refused:
        services.set_away(
            senior, away_from=FROM, away_until=UNTIL, cover=make_user(Role.ENTHUSIAST)
        )
    assert "choose a senior or an administrator" in refused.value.fields["cover"]
    assert (
        services.set_away(senior, away_from=FROM, away_until=UNTIL, cover=make_user(Role.ADMIN))
        == []
    )
    # A member's duties (registry reminders) can go to any active colleague.
    assert (
        services.set_away(
            make_user(), away_from=FROM, away_until=UNTIL, cover=make_user(Role.MEMBER)
        )
        == []
    )


def test_a_cover_away_on_the_same_days_is_saved_with_a_warning(app: Flask) -> None:
    cover = make_user(Role.SENIOR, display_name="Tom Hughes")
    cover.away_from, cover.away_until = dt.date(2026, 12, 28), dt.date(2027, 1, 3)
    senior = make_user(Role.SENIOR)
    [warning] = services.set_away(senior, away_from=FROM, away_until=UNTIL, cover=cover)
    assert warning.startswith("Tom Hughes is away too until 03 Jan 2027")
    assert senior.cover_user == cover
    assert (
        services.set_away(senior, away_from=FROM, away_until=dt.date(2026, 12, 27), cover=cover)
        == []
    )


def test_choosing_yourself_is_an_error_that_keeps_the_choice_on_the_page(
    app: Flask, login: Login
) -> None:
    # The regression: the page answered with the form showing "Nobody", so saving again
    # silently removed the cover.
    me = make_user(Role.SENIOR, display_name="Grace Lee")
    client = login(me)
    response = client.post(
        "/settings/away",
        data={"away_from": FROM.isoformat(), "away_until": UNTIL.isoformat(), "cover": str(me.id)},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "You cannot cover for yourself" in html
    assert f'<option selected value="{me.id}">' in html
    assert fresh(me).away_from is None


def test_the_form_offers_seniors_only_covers_who_can_act_and_explains_refusals(
    app: Flask, login: Login
) -> None:
    me = make_user(Role.SENIOR)
    enthusiast = make_user(Role.ENTHUSIAST, display_name="Mia Evans")
    senior = make_user(Role.SENIOR, display_name="Tom Hughes")
    client = login(me)
    page = client.get("/settings").get_data(as_text=True)
    assert "Tom Hughes" in page and "Mia Evans" not in page

    response = client.post(
        "/settings/away",
        data={
            "away_from": FROM.isoformat(),
            "away_until": UNTIL.isoformat(),
            "cover": str(enthusiast.id),
        },
    )
    assert response.status_code == 400
    assert "Mia Evans" in response.get_data(as_text=True)
    assert "cannot act on them: choose a senior" in response.get_data(as_text=True)
    assert fresh(me).cover_user_id is None

    senior.away_from, senior.away_until = FROM, UNTIL
    db.session.commit()
    saved = client.post(
        "/settings/away",
        data={
            "away_from": FROM.isoformat(),
            "away_until": UNTIL.isoformat(),
            "cover": str(senior.id),
        },
        follow_redirects=True,
    )
    assert saved.status_code == 200
    assert "Tom Hughes is away too" in saved.get_data(as_text=True)
    assert fresh(me).cover_user_id == senior.id


def test_a_saved_cover_who_can_no_longer_act_is_flagged_on_the_settings_page(
    app: Flask, login: Login
) -> None:
    me = make_user(Role.SENIOR)
    me.cover_user = make_user(Role.ENTHUSIAST, display_name="Mia Evans")
    db.session.commit()
    page = login(me).get("/settings").get_data(as_text=True)
    assert "Mia Evans cannot act on them" in page
