"""Look-alike hosts: IDNA is the one stored form, and mixed-script hosts are refused."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from forum.accounts.models import Role
from forum.core.errors import Conflict, Invalid
from forum.extensions import db
from forum.registry import services
from forum.registry.canonical import CanonicalError, canonicalize, detect_platform_of_host, guess
from forum.registry.models import SocialProfile
from tests import test_migrations
from tests.factories import make_department, make_user

# "example.org" with a Cyrillic a (U+0430) in place of the Latin one, and its IDNA form.
CYRILLIC_A = "\u0430"
LOOKALIKE = f"https://ex{CYRILLIC_A}mple.org/parks"
LOOKALIKE_PUNYCODE = "https://xn--exmple-4nf.org/parks"
# A real internationalized name in one script, in both forms.
IDN = "https://münchen.example/parks"
IDN_PUNYCODE = "https://xn--mnchen-3ya.example/parks"


@pytest.mark.parametrize(
    ("platform", "value"),
    [
        ("other", LOOKALIKE),
        ("other", LOOKALIKE_PUNYCODE),
        ("other", f"ex{CYRILLIC_A}mple.org/parks"),
        ("other", f"https://f{CYRILLIC_A}cebook.com/council"),
        ("facebook", f"https://f{CYRILLIC_A}cebook.com/council"),
        ("mastodon", f"https://m{CYRILLIC_A}stodon.social/@parks"),
        ("mastodon", f"@parks@m{CYRILLIC_A}stodon.social"),
        ("mastodon", "@parks@xn--mstodon-2fg.social"),
        ("bluesky", f"parks.ex{CYRILLIC_A}mple.org"),
        ("other", "https://paypal.com\u0455.example/x"),  # Cyrillic dze (U+0455)
        ("other", "https://\u03bfpen.example/x"),  # Greek omicron
    ],
)
def test_mixed_script_hosts_are_refused_in_either_form(platform: str, value: str) -> None:
    with pytest.raises(CanonicalError, match="mixes letters of different scripts"):
        canonicalize(platform, value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (IDN, IDN_PUNYCODE),
        (IDN_PUNYCODE, IDN_PUNYCODE),
        ("https://MÜNCHEN.example/parks", IDN_PUNYCODE),
        ("https://пример.рф/x", "https://xn--e1afmkfd.xn--p1ai/x"),
        ("https://日本語.jp/x", "https://xn--wgv71a119e.jp/x"),
    ],
)
def test_single_script_hosts_are_kept_in_idna_form(value: str, expected: str) -> None:
    assert canonicalize("other", value).url == expected


def test_a_lookalike_of_a_platform_is_not_that_platform() -> None:
    # Before, "eviltiktok.com" counted as TikTok (a suffix match), and a look-alike host of a
    # known platform was only caught by each platform's own rule.
    assert detect_platform_of_host(f"f{CYRILLIC_A}cebook.com") is None
    assert detect_platform_of_host("xn--fcebook-2fg.com") is None
    assert detect_platform_of_host("eviltiktok.com") is None
    assert detect_platform_of_host("www.tiktok.com") == "tiktok"
    assert canonicalize("other", "https://eviltiktok.com/@parks").url == (
        "https://eviltiktok.com/@parks"
    )
    with pytest.raises(CanonicalError, match="That is a Facebook address"):
        canonicalize("other", "https://\uff46\uff41\uff43\uff45\uff42\uff4f\uff4f\uff4b.com/x")
    assert guess(f"https://f{CYRILLIC_A}cebook.com/council") == []


def test_registering_a_lookalike_is_a_field_error(app: Flask) -> None:
    department = make_department()
    with pytest.raises(Invalid) as refused:
        services.register_profile(
            make_user(Role.ADMIN),
            {
                "platform": "other",
                "url": LOOKALIKE,
                "display_name": "Fake",
                "department": department,
            },
        )
    assert "mixes letters of different scripts" in refused.value.fields["url"]
    assert db.session.scalar(select(func.count()).select_from(SocialProfile)) == 0


def test_unicode_and_punycode_forms_are_one_account_everywhere(
    app: Flask, client: FlaskClient, login: Any, api: Any
) -> None:
    department = make_department(slug="parks", name="Parks")
    admin = make_user(Role.ADMIN)
    values = {"platform": "other", "url": IDN, "display_name": "Parks", "department": department}
    profile = services.register_profile(admin, values)
    db.session.commit()
    assert profile.canonical_url == IDN_PUNYCODE
    with pytest.raises(Conflict):
        services.register_profile(admin, {**values, "url": IDN_PUNYCODE})
    db.session.rollback()
    for form in (IDN, IDN_PUNYCODE):
        assert [p.id for p in services.lookup(form)] == [profile.id]
        found = api(admin).get("/api/v1/profiles/lookup", query_string={"url": form})
        assert found.status_code == 200 and found.get_json()["official"] is True
        page = login(admin).get("/profiles/verify", query_string={"q": form})
        assert "Official: registered to Parks" in page.get_data(as_text=True)
    csv_text = f"platform,url,display_name,department\nother,{IDN_PUNYCODE},Parks,parks\n"
    report = services.check_import(admin, csv_text)
    # The same record, not a new one; only the address as typed would change.
    assert [(row.action, row.changes) for row in report.rows] == [("update", ["url"])]
    assert report.rows[0].profile_id == profile.id


def test_verify_calls_a_lookalike_a_lookalike_in_either_form(
    app: Flask, client: FlaskClient, login: Any, api: Any
) -> None:
    # Before, the look-alike could be registered, and verify then answered "official" for
    # it and "not registered" for the same host in punycode.
    admin = make_user(Role.ADMIN)
    for form in (LOOKALIKE, LOOKALIKE_PUNYCODE):
        page = login(admin).get("/profiles/verify", query_string={"q": form})
        html = page.get_data(as_text=True)
        assert "Not registered, and a look-alike" in html and "xn--exmple-4nf.org" in html
        missing = api(admin).get("/api/v1/profiles/lookup", query_string={"url": form})
        assert missing.status_code == 404
        assert "look-alike" in missing.get_json()["error"]["message"]


def test_form_api_and_import_all_refuse_a_lookalike(
    app: Flask, client: FlaskClient, login: Any, api: Any
) -> None:
    make_department(slug="parks")
    admin = make_user(Role.ADMIN)
    form = login(admin).post(
        "/profiles/new",
        data={
            "platform": "other",
            "url": LOOKALIKE,
            "display_name": "Fake parks",
            "department": "parks",
            "purpose": "business_as_usual",
            "engagement_mode": "communicating",
            "owner": admin.email,
            "review_interval_months": "6",
        },
    )
    assert form.status_code == 400
    assert "mixes letters of different scripts" in form.get_data(as_text=True)
    response = api(admin).post(
        "/api/v1/profiles",
        json={
            "platform": "other",
            "url": LOOKALIKE_PUNYCODE,
            "display_name": "Fake parks",
            "department": "parks",
        },
    )
    assert response.status_code == 400
    assert "mixes letters" in response.get_json()["error"]["fields"]["url"]
    csv_text = f"platform,url,display_name,department\nother,{LOOKALIKE},Fake,parks\n"
    page = client.post(
        "/profiles/import",
        data={"file": (io.BytesIO(csv_text.encode()), "p.csv")},
        content_type="multipart/form-data",
    )
    assert "1 with errors" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SocialProfile)) == 0


# A fresh database at revision 0010, on SQLite or in a PostgreSQL schema (as test_migrations).
migration_app = test_migrations.migration_app


def test_migration_rewrites_stored_unicode_hosts_to_idna(migration_app: Flask) -> None:
    upgrade(revision="0010")
    connection = db.session.connection()
    connection.execute(
        text(
            "INSERT INTO departments (id, slug, name, created_at) "
            "VALUES (1, 'parks', 'Parks', '2026-01-01 00:00:00')"
        )
    )
    for profile_id, address in ((1, IDN), (2, LOOKALIKE), (3, "https://x.com/parks")):
        connection.execute(
            text(
                "INSERT INTO social_profiles (id, platform_id, handle, handle_key, url, "
                "canonical_url, display_name, department_id, purpose, engagement_mode, "
                "description, status, status_reason, activity_note, "
                "review_interval_months, credentials_note, created_at, updated_at) "
                "SELECT :id, id, '', '', :url, :url, 'P', 1, 'business_as_usual', "
                "'communicating', '', 'active', '', '', 6, '', '2026-01-01 00:00:00', "
                "'2026-01-01 00:00:00' FROM platforms WHERE slug = 'other'"
            ),
            {"id": profile_id, "url": address},
        )
    db.session.commit()
    upgrade()
    rows = db.session.execute(text("SELECT id, canonical_url FROM social_profiles"))
    stored = dict(rows.all())
    assert stored == {1: IDN_PUNYCODE, 2: LOOKALIKE_PUNYCODE, 3: "https://x.com/parks"}
    assert [p.id for p in services.lookup(IDN)] == [1]
