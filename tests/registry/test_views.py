"""Registry pages: status codes, rendered text, permissions, import dry run then apply."""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forum.accounts.models import Role
from forum.extensions import db
from forum.registry import services
from forum.registry.models import ProfileStatus, SocialProfile
from tests.factories import make_department, make_user
from tests.registry.factories import make_profile


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(SocialProfile)) or 0


def test_registry_pages_need_sign_in(client: FlaskClient) -> None:
    for path in (
        "/profiles",
        "/profiles/new",
        "/profiles/verify",
        "/profiles/import",
        "/profiles/export.csv",
        "/profiles/1",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_nav_has_a_registry_link(app: Flask, client: FlaskClient, login: Any) -> None:
    login(make_user())
    html = client.get("/profiles").get_data(as_text=True)
    assert re.search(r'<a href="/profiles"[^>]*>Registry</a>', html)


def test_list_shows_profiles_with_attention_badges_and_filters(
    app: Flask, client: FlaskClient, login: Any
) -> None:
    parks = make_department(slug="parks", name="Parks")
    libraries = make_department(slug="libraries", name="Libraries")
    make_profile(department=parks, display_name="Parks on X", url="https://x.com/parks")
    make_profile(
        department=libraries,
        display_name="Library on Instagram",
        platform="instagram",
        url="https://instagram.com/library",
        backup_owner=None,
    )
    login(make_user())
    html = client.get("/profiles").get_data(as_text=True)
    assert "Parks on X" in html and "Library on Instagram" in html
    assert "No backup owner (single point of failure)" in html
    html = client.get("/profiles?department=parks").get_data(as_text=True)
    assert "Parks on X" in html and "Library on Instagram" not in html
    html = client.get("/profiles?attention=1").get_data(as_text=True)
    assert "Parks on X" not in html and "Library on Instagram" in html
    html = client.get("/profiles?q=https://twitter.com/PARKS").get_data(as_text=True)
    assert "Parks on X" in html and "Library on Instagram" not in html
    html = client.get("/profiles?platform=instagram&sort=department&dir=desc").get_data(
        as_text=True
    )
    assert "Library on Instagram" in html and "Parks on X" not in html
    assert 'data-label="Attention"' in html  # the stacked-card layout on narrow screens


def test_unknown_filter_is_explained_not_a_crash(client: FlaskClient, login: Any) -> None:
    login(make_user())
    response = client.get("/profiles?status=sleeping", follow_redirects=True)
    assert response.status_code == 200
    assert "Choose one of" in response.get_data(as_text=True)


def test_a_member_proposes_through_the_form(app: Flask, client: FlaskClient, login: Any) -> None:
    department = make_department(slug="parks")
    member = make_user(department=department)
    login(member)
    page = client.get("/profiles/new").get_data(as_text=True)
    assert 'list="registry-staff"' in page and member.email in page
    response = client.post(
        "/profiles/new",
        data={
            "platform": "x",
            "url": "https://mobile.twitter.com/CityParks?s=20",
            "display_name": "City Parks",
            "department": "parks",
            "purpose": "business_as_usual",
            "engagement_mode": "communicating",
            "owner": member.email,
            "review_interval_months": "6",
        },
    )
    assert response.status_code == 302
    profile = db.session.scalar(select(SocialProfile))
    assert profile is not None and profile.status == ProfileStatus.PROPOSED
    assert profile.canonical_url == "https://x.com/cityparks"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Proposed, not yet approved" in html and "https://x.com/cityparks" in html


def test_form_errors_show_beside_fields_and_nothing_is_written(
    app: Flask, client: FlaskClient, login: Any
) -> None:
    department = make_department(slug="parks")
    login(make_user(Role.ADMIN, department=department))
    response = client.post(
        "/profiles/new",
        data={
            "platform": "x",
            "url": "https://www.facebook.com/cityparks",
            "display_name": "X",
            "department": "parks",
            "purpose": "campaign",
            "starts_on": "2026-05-01",
            "ends_on": "2026-04-01",
            "engagement_mode": "communicating",
            "owner": "nobody@example.org",
            "credentials_note": "pwd=hunter2",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="url-error"' in html and 'id="ends_on-error"' in html
    assert 'id="owner-error"' in html and 'id="credentials_note-error"' in html
    assert _count() == 0


def test_duplicate_registration_names_the_existing_record(
    app: Flask, client: FlaskClient, login: Any
) -> None:
    department = make_department(slug="parks")
    existing = make_profile(
        department=department, url="https://x.com/cityparks", display_name="City Parks"
    )
    login(make_user(Role.ADMIN))
    response = client.post(
        "/profiles/new",
        data={
            "platform": "x",
            "url": "twitter.com/CITYPARKS/",
            "display_name": "Again",
            "department": "parks",
            "purpose": "business_as_usual",
            "engagement_mode": "communicating",
        },
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert f"#{existing.id} City Parks" in page
    assert f'<a href="/profiles/{existing.id}">City Parks</a>' in page


def test_detail_shows_history_reviews_and_actions_for_editors(
    app: Flask, client: FlaskClient, login: Any
) -> None:
    department = make_department()
    owner = make_user(department=department)
    profile = make_profile(department=department, owner=owner, display_name="Before")
    services.update_profile(owner, profile, {"display_name": "After"})
    db.session.commit()
    login(owner)
    html = client.get(f"/profiles/{profile.id}").get_data(as_text=True)
    assert "History" in html and "Before" in html and "After" in html
    assert "Mark reviewed" in html and f"/profiles/{profile.id}/edit" in html
    response = client.post(f"/profiles/{profile.id}/review", data={"note": "All checked"})
    assert response.status_code == 302
    html = client.get(f"/profiles/{profile.id}").get_data(as_text=True)
    assert "All checked" in html


def test_history_shows_dates_and_times_readably_not_as_iso_text(
    app: Flask, client: FlaskClient, login: Any
) -> None:
    department = make_department()
    owner = make_user(department=department)
    profile = make_profile(department=department, owner=owner)
    login(owner)
    for note in ("First look", "Second look"):
        assert client.post(f"/profiles/{profile.id}/review", data={"note": note}).status_code == 302
    html = client.get(f"/profiles/{profile.id}").get_data(as_text=True)
    history = html[html.index('id="history-heading"') :]
    cells = re.findall(r'data-label="(?:Before|After)" class="wrap">(.*?)</td>', history)
    assert any("<time datetime=" in cell for cell in cells)
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}T", re.sub(r"<[^>]+>", "", c)) for c in cells)
    # The API keeps the ISO text.
    entries = services.history(profile, owner)
    assert any(e.field == "reviewed" and e.after and "T" in e.after for e in entries)


def test_outsiders_see_the_profile_but_cannot_edit(
    app: Flask, client: FlaskClient, login: Any
) -> None:
    profile = make_profile()
    login(make_user())
    html = client.get(f"/profiles/{profile.id}").get_data(as_text=True)
    assert "Mark reviewed" not in html and "/edit" not in html
    assert client.get(f"/profiles/{profile.id}/edit").status_code == 403
    response = client.post(
        f"/profiles/{profile.id}/status", data={"status": "archived", "reason": "x"}
    )
    assert response.status_code == 403
    assert client.get("/profiles/9999").status_code == 404


def test_edit_form_saves_changes(app: Flask, client: FlaskClient, login: Any) -> None:
    department = make_department()
    owner = make_user(department=department)
    profile = make_profile(department=department, owner=owner)
    login(owner)
    assert client.get(f"/profiles/{profile.id}/edit").status_code == 200
    data = {k: ("" if v is None else v) for k, v in services.current_values(profile).items()}
    data["description"] = "Daily park updates"
    response = client.post(f"/profiles/{profile.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(profile)
    assert profile.description == "Daily park updates"
    assert next(c.field for c in services.history(profile, None)) == "description"


def test_admin_archives_with_a_reason(app: Flask, client: FlaskClient, login: Any) -> None:
    profile = make_profile()
    login(make_user(Role.ADMIN))
    response = client.post(
        f"/profiles/{profile.id}/status", data={"status": "archived", "reason": "Closed down"}
    )
    assert response.status_code == 302
    db.session.refresh(profile)
    assert profile.status == ProfileStatus.ARCHIVED and profile.status_reason == "Closed down"


def test_verify_page_says_official_or_not_registered(
    app: Flask, client: FlaskClient, login: Any
) -> None:
    department = make_department(name="Parks and Leisure")
    owner = make_user(display_name="Grace Lee", department=department)
    make_profile(department=department, owner=owner, url="https://x.com/cityparks")
    login(make_user())
    html = client.get("/profiles/verify?q=https://mobile.twitter.com/CityParks").get_data(
        as_text=True
    )
    assert "Official: registered to Parks and Leisure, owned by Grace Lee." in html
    html = client.get("/profiles/verify?q=https://x.com/cityparks_official").get_data(as_text=True)
    assert "Not registered" in html


def test_export_link_downloads_safe_csv(app: Flask, client: FlaskClient, login: Any) -> None:
    make_profile(display_name='=HYPERLINK("http://evil")')
    login(make_user())
    response = client.get("/profiles/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert "'=HYPERLINK" in body and "'@" in body


def test_import_is_a_dry_run_first_then_applies(
    app: Flask, client: FlaskClient, login: Any, tmp_path: Any
) -> None:
    department = make_department(slug="parks")
    admin = make_user(Role.ADMIN)
    login(admin)
    csv_text = (
        "platform,url,display_name,department\r\n"
        "x,https://x.com/parks_one,Parks one,parks\r\n"
        "instagram,https://instagram.com/parks_two,Parks two,parks\r\n"
    )
    response = client.post(
        "/profiles/import",
        data={"file": (io.BytesIO(csv_text.encode()), "profiles.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Dry run: nothing has been written" in html and "2 to register" in html
    assert "data-registry-progress" in html and "<progress>" in html
    assert _count() == 0
    token = re.search(r'name="token" value="([^"]+)"', html)
    assert token
    response = client.post("/profiles/import/apply", data={"token": token.group(1)})
    assert response.status_code == 302
    assert _count() == 2
    assert department.id == db.session.scalar(select(SocialProfile.department_id).limit(1))
    # The staged file is single-use.
    assert client.post("/profiles/import/apply", data={"token": token.group(1)}).status_code == 404


def test_import_with_row_errors_offers_no_apply(
    app: Flask, client: FlaskClient, login: Any
) -> None:
    make_department(slug="parks")
    login(make_user(Role.ADMIN))
    csv_text = (
        "platform,url,display_name,department\n"
        "x,https://x.com/good_one,Good,parks\n"
        "x,https://facebook.com/wrong,Bad,parks\n"
    )
    response = client.post(
        "/profiles/import",
        data={"file": (io.BytesIO(csv_text.encode()), "p.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert "1 with errors" in html and "Apply the import" not in html
    assert _count() == 0


def test_another_persons_staged_import_cannot_be_applied(
    app: Flask, client: FlaskClient, login: Any
) -> None:
    login(make_user(Role.ADMIN))
    response = client.post("/profiles/import/apply", data={"token": "../../etc/passwd"})
    assert response.status_code == 404


def test_an_empty_register_tells_a_newcomer_what_to_do(app: Any, client: Any, login: Any) -> None:
    from tests.factories import make_user as _make_user

    login(_make_user())
    html = client.get("/profiles").get_data(as_text=True)
    assert "The register is empty." in html
    assert 'href="/profiles/new">Register the first account</a>' in html
    filtered = client.get("/profiles?q=nothing-like-this").get_data(as_text=True)
    assert (
        "No profiles match these filters." in filtered and "The register is empty." not in filtered
    )
