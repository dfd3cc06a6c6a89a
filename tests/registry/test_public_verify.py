"""The public "is this account ours?": /verify, /api/v1/verify and the badge pages, with
PUBLIC_VERIFY on and off; what the public sees (status, platform, department, never owners or
notes), the throttle, CORS and caching headers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from forum.accounts.models import Role
from forum.config import load_config
from forum.extensions import db
from forum.registry.models import SocialProfile
from tests.factories import make_department, make_user, reload
from tests.registry.factories import make_profile

OWNER_NAME = "Zebulon Quartermaine"
SECRET_NOTE = "Kept in the greenhouse vault beside the kettle"
REASON = "Retired-after-merger-unique-reason"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {
        **app_config,
        "PUBLIC_VERIFY": True,
        "ORG_NAME": "Riverside Council",
        "VERIFY_RATE_LIMIT": "6 per minute",
    }


@pytest.fixture
def parks(app: Flask) -> SocialProfile:
    """An official account whose owner, notes and description must never reach the public."""
    department = make_department(slug="parks", name="Parks and Green Spaces")
    owner = make_user(display_name=OWNER_NAME, department=department)
    return make_profile(
        department=department,
        owner=owner,
        url="https://twitter.com/RiversideParks",
        display_name="Riverside Parks internal name",
        credentials_note=SECRET_NOTE,
        activity_note=SECRET_NOTE,
        description=SECRET_NOTE,
    )


@pytest.fixture
def archived(app: Flask) -> SocialProfile:
    department = make_department(name="Libraries")
    owner = make_user(display_name=OWNER_NAME, department=department)
    return make_profile(
        department=department,
        owner=owner,
        url="https://www.instagram.com/riverside_libraries_old/",
        platform="instagram",
        status="archived",
        status_reason=REASON,
    )


def _assert_nothing_internal(text: str, profile: SocialProfile) -> None:
    for secret in (
        OWNER_NAME,
        SECRET_NOTE,
        REASON,
        "Riverside Parks internal name",
        "@example.org",
    ):
        assert secret not in text
    assert f"/profiles/{profile.id}" not in text


# --- the page ----------------------------------------------------------------------------------


def test_anonymous_sees_official_with_platform_and_department_and_nothing_else(
    app: Flask, parks: SocialProfile
) -> None:
    response = app.test_client().get("/verify", query_string={"url": "@riversideparks"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h2" in html and ">Official</h2>" in html
    assert "X (Twitter)" in html and "Parks and Green Spaces" in html
    assert "Riverside Council" in html
    _assert_nothing_internal(html, parks)
    assert "For staff" not in html


def test_anonymous_sees_archived_clearly(app: Flask, archived: SocialProfile) -> None:
    response = app.test_client().get(
        "/verify", query_string={"url": "https://instagram.com/riverside_libraries_old"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert ">Archived</h2>" in html and "no longer in use" in html
    assert "Instagram" in html and "Libraries" in html
    _assert_nothing_internal(html, archived)


def test_unknown_account_is_not_ours(app: Flask, parks: SocialProfile) -> None:
    client = app.test_client()
    for value in ("https://x.com/impostor", "https://x.com/a_handle_too_long_for_x", "@nobody"):
        response = client.get("/verify", query_string={"url": value})
        assert response.status_code == 200, value
        html = response.get_data(as_text=True)
        assert ">Not ours</h2>" in html and ">Official</h2>" not in html


def test_a_proposed_profile_is_not_vouched_for(app: Flask) -> None:
    make_profile(url="https://x.com/pending_acct", status="proposed")
    client = app.test_client()
    page = client.get("/verify?url=https://x.com/pending_acct").get_data(as_text=True)
    assert ">Not ours</h2>" in page and "Proposed" not in page
    assert client.get("/api/v1/verify?url=https://x.com/pending_acct").status_code == 404


def test_garbage_and_empty_input_are_a_400_on_the_form(app: Flask) -> None:
    client = app.test_client()
    for value in ("", "   ", "not a handle at all", "!!!"):
        response = client.get("/verify", query_string={"url": value})
        assert response.status_code == 400, value
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert client.get("/verify").status_code == 200  # the empty form


def test_signed_in_staff_see_links_into_the_registry(
    app: Flask, login: Any, parks: SocialProfile
) -> None:
    page = login(make_user()).get("/verify?url=@riversideparks")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert ">Official</h2>" in html and "For staff" in html
    assert f'href="/profiles/{parks.id}"' in html
    assert page.headers["Cache-Control"] == "private, no-store"


def test_with_the_setting_off_the_page_asks_for_sign_in(
    app: Flask, login: Any, parks: SocialProfile
) -> None:
    app.config["PUBLIC_VERIFY"] = False
    response = app.test_client().get("/verify?url=@riversideparks")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    badge = app.test_client().get(f"/verify/{parks.badge_key}")
    assert badge.status_code == 302 and badge.headers["Location"].startswith("/login")
    staff = login(make_user())
    assert staff.get("/verify?url=@riversideparks").status_code == 200
    assert staff.get(f"/verify/{parks.badge_key}").status_code == 200


def test_the_staff_verify_page_still_answers_with_owners(
    app: Flask, login: Any, parks: SocialProfile
) -> None:
    html = login(make_user()).get("/profiles/verify?q=@riversideparks").get_data(as_text=True)
    assert OWNER_NAME in html
    assert 'href="/verify?url=@riversideparks"' in html
    assert app.test_client().get("/profiles/verify?q=@riversideparks").status_code == 302


def test_public_page_caching_headers(app: Flask, parks: SocialProfile) -> None:
    client = app.test_client()
    found = client.get("/verify?url=@riversideparks")
    assert found.headers["Cache-Control"] == "public, max-age=300"
    assert "Cookie" in found.headers["Vary"]
    assert "Set-Cookie" not in found.headers
    missing = client.get("/verify?url=@nobody_here_at_all")
    assert missing.status_code == 200
    assert missing.headers["Cache-Control"] == "public, max-age=60"
    assert client.get("/verify?url=!!!").headers["Cache-Control"] == "no-store"


# --- the JSON endpoint -------------------------------------------------------------------------


def test_api_answers_anonymous_with_exactly_status_platform_department(
    app: Flask, parks: SocialProfile, archived: SocialProfile
) -> None:
    client = app.test_client()
    for value in ("https://mobile.twitter.com/RiversideParks?s=20", "@riversideparks"):
        response = client.get("/api/v1/verify", query_string={"url": value})
        assert response.status_code == 200, value
        assert response.get_json() == {
            "status": "official",
            "platform": "x",
            "department": "Parks and Green Spaces",
        }
        _assert_nothing_internal(response.get_data(as_text=True), parks)
    response = client.get(
        "/api/v1/verify", query_string={"url": "instagram.com/riverside_libraries_old"}
    )
    assert response.get_json() == {
        "status": "archived",
        "platform": "instagram",
        "department": "Libraries",
    }
    _assert_nothing_internal(response.get_data(as_text=True), archived)
    assert str(archived.id) not in response.get_data(as_text=True)


def test_api_unknown_is_a_json_404(app: Flask, parks: SocialProfile) -> None:
    response = app.test_client().get("/api/v1/verify?url=https://x.com/impostor")
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found" and "Not registered" in error["message"]


def test_api_lookalike_host_is_a_404_that_says_so(app: Flask) -> None:
    lookalike = "https://ex\u0430mple.org/parks"  # a Cyrillic "a"
    for form in (lookalike, "https://xn--exmple-4nf.org/parks"):
        response = app.test_client().get("/api/v1/verify", query_string={"url": form})
        assert response.status_code == 404
        assert "look-alike" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?url=",
        "?url=%20%20",
        "?url=not%20a%20url",
        "?url=http://",
        "?url=!!!",
        "?url=" + "a" * 501,
        "?u=x",
    ],
)
def test_api_missing_empty_or_garbage_url_is_a_clear_400(app: Flask, query: str) -> None:
    response = app.test_client().get("/api/v1/verify" + query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and error["message"]
    assert error["fields"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_api_with_the_setting_off_needs_a_token(app: Flask, api: Any, parks: SocialProfile) -> None:
    app.config["PUBLIC_VERIFY"] = False
    response = app.test_client().get("/api/v1/verify?url=@riversideparks")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    answer = api(make_user()).get("/api/v1/verify?url=@riversideparks")
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "official"
    assert answer.headers["Cache-Control"] == "private, no-store"


def test_api_with_a_token_is_private_and_a_bad_token_is_refused(
    app: Flask, api: Any, parks: SocialProfile
) -> None:
    answer = api(make_user()).get("/api/v1/verify?url=@riversideparks")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "private, no-store"
    bad = app.test_client().get(
        "/api/v1/verify?url=@riversideparks", headers={"Authorization": "Bearer nonsense"}
    )
    assert bad.status_code == 401


def test_api_cors_headers_and_preflight(app: Flask, parks: SocialProfile) -> None:
    client = app.test_client()
    response = client.get(
        "/api/v1/verify?url=@riversideparks", headers={"Origin": "https://news.example"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options(
        "/api/v1/verify?url=@riversideparks",
        headers={
            "Origin": "https://news.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    # The preflight is answered with the setting off too (the request then needs a token).
    app.config["PUBLIC_VERIFY"] = False
    assert client.options("/api/v1/verify").headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/v1/verify?url=@x").headers["Access-Control-Allow-Origin"] == "*"


def test_cors_is_on_the_verify_endpoint_only(app: Flask, api: Any) -> None:
    client = app.test_client()
    for path in ("/api/v1/profiles/lookup?url=@x", "/api/v1/openapi.json", "/verify?url=@x"):
        response = client.get(path, headers={"Origin": "https://news.example"})
        assert "Access-Control-Allow-Origin" not in response.headers, path
    assert client.options("/api/v1/profiles/lookup").status_code == 401


def test_api_caching_headers(app: Flask, parks: SocialProfile) -> None:
    client = app.test_client()
    found = client.get("/api/v1/verify?url=@riversideparks")
    assert found.headers["Cache-Control"] == "public, max-age=300"
    assert "Authorization" in found.headers["Vary"]
    missing = client.get("/api/v1/verify?url=@nobody_here_at_all")
    assert missing.headers["Cache-Control"] == "public, max-age=60"
    assert client.get("/api/v1/verify?url=!!!").headers["Cache-Control"] == "no-store"


def test_anonymous_lookups_are_throttled_per_ip_page_and_api_together(
    app: Flask, api: Any, parks: SocialProfile
) -> None:
    client = app.test_client()
    statuses = [client.get("/api/v1/verify?url=@riversideparks").status_code for _ in range(4)]
    statuses += [client.get("/verify?url=@riversideparks").status_code for _ in range(2)]
    assert statuses == [200] * 6
    throttled = client.get("/api/v1/verify?url=@riversideparks")
    assert throttled.status_code == 429
    assert throttled.get_json()["error"]["code"] == "rate_limited"
    assert throttled.headers["Retry-After"]
    assert throttled.headers["Access-Control-Allow-Origin"] == "*"
    assert throttled.headers["Cache-Control"] == "no-store"
    assert client.get("/verify?url=@riversideparks").status_code == 429
    # Another address has its own count; staff with a token are not counted.
    other = client.get(
        "/api/v1/verify?url=@riversideparks", environ_base={"REMOTE_ADDR": "192.0.2.9"}
    )
    assert other.status_code == 200
    assert api(make_user()).get("/api/v1/verify?url=@riversideparks").status_code == 200


# --- badge pages -------------------------------------------------------------------------------


def test_badge_page_shows_verified_by_the_organization(app: Flask, parks: SocialProfile) -> None:
    response = app.test_client().get(f"/verify/{parks.badge_key}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Verified by Riverside Council" in html
    assert "X (Twitter)" in html and "Parks and Green Spaces" in html
    assert "https://x.com/riversideparks" in html and "@riversideparks" in html.lower()
    assert "Official" in html
    _assert_nothing_internal(html, parks)
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_badge_page_of_an_archived_profile_says_archived(
    app: Flask, archived: SocialProfile
) -> None:
    html = app.test_client().get(f"/verify/{archived.badge_key}").get_data(as_text=True)
    assert "Archived account" in html and "no longer in use" in html
    assert "Verified by" not in html
    _assert_nothing_internal(html, archived)


def test_badge_page_of_unknown_or_proposed_is_a_404(app: Flask) -> None:
    proposed = make_profile(status="proposed")
    client = app.test_client()
    assert client.get(f"/verify/{proposed.badge_key}").status_code == 404
    assert client.get("/verify/AAAAAAAAAAAAAAAA").status_code == 404
    assert client.get("/verify/x").status_code == 404


def test_every_profile_gets_its_own_unguessable_badge_key(app: Flask) -> None:
    keys = {make_profile().badge_key for _ in range(3)}
    assert len(keys) == 3
    assert all(key and re.fullmatch(r"[A-Za-z0-9_-]{16}", key) for key in keys)


def test_staff_see_the_badge_address_on_the_profile_page(
    app: Flask, login: Any, parks: SocialProfile
) -> None:
    staff = login(make_user())
    html = staff.get(f"/profiles/{parks.id}").get_data(as_text=True)
    assert f'value="http://forum.test/verify/{parks.badge_key}"' in html
    assert 'for="badge-url"' in html
    proposed = make_profile(status="proposed")
    page = staff.get(f"/profiles/{proposed.id}").get_data(as_text=True)
    assert "opens once the profile is approved" in page
    assert f"/verify/{proposed.badge_key}" not in page


def test_a_badge_follows_the_profile_when_it_is_archived(
    app: Flask, api: Any, parks: SocialProfile
) -> None:
    admin = make_user(Role.ADMIN)
    response = api(admin).delete(f"/api/v1/profiles/{parks.id}?reason=Merged")
    assert response.status_code == 200
    parks = reload(parks)
    html = app.test_client().get(f"/verify/{parks.badge_key}").get_data(as_text=True)
    assert "Archived account" in html


# --- the setting -------------------------------------------------------------------------------


def test_public_verify_is_off_by_default_and_read_from_the_environment(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_config(str(tmp_path))["PUBLIC_VERIFY"] is False
    monkeypatch.setenv("PUBLIC_VERIFY", "true")
    monkeypatch.setenv("ORG_NAME", "Riverside Council")
    settings = load_config(str(tmp_path))
    assert settings["PUBLIC_VERIFY"] is True and settings["ORG_NAME"] == "Riverside Council"


def test_profiles_imported_in_batches_get_badge_keys_too(app: Flask, api: Any) -> None:
    make_department(slug="libraries", name="Libraries")
    rows = "".join(f"x,https://x.com/batch_import_{n},Batch {n},libraries\n" for n in range(3))
    response = api(make_user(Role.ADMIN)).post(
        "/api/v1/profiles/import",
        data="platform,url,display_name,department\n" + rows,
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.get_json()
    client = app.test_client()
    keys = set()
    for n in range(3):
        html = client.get(f"/verify?url=https://x.com/batch_import_{n}").get_data(as_text=True)
        assert ">Official</h2>" in html
    for profile in db.session.scalars(select(SocialProfile)):
        assert profile.badge_key
        keys.add(profile.badge_key)
        assert client.get(f"/verify/{profile.badge_key}").status_code == 200
    assert len(keys) == 3
