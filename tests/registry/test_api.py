"""The registry API: shapes, filters, field errors, conflicts, lookup, history, CSV."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from forum.accounts.models import Role
from forum.extensions import db
from forum.registry.models import ProfileChange, SocialProfile
from tests.factories import make_department, make_user
from tests.registry.factories import make_profile


def _count(model: type = SocialProfile) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "platform": "x",
        "url": "https://twitter.com/CityParks",
        "display_name": "City Parks",
        "department": "parks",
    }
    body.update(overrides)
    return body


def test_every_route_is_in_the_openapi_document(app: Flask, client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/profiles"]) == {"get", "post"}
    assert set(paths["/api/v1/profiles/{profile_id}"]) == {"get", "patch", "delete"}
    for path in (
        "/api/v1/profiles/{profile_id}/history",
        "/api/v1/profiles/lookup",
        "/api/v1/profiles/export.csv",
        "/api/v1/profiles/import",
    ):
        assert path in paths


def test_the_api_needs_a_token(client: Any) -> None:
    assert client.get("/api/v1/profiles").status_code == 401


def test_create_by_email_and_slug_returns_canonical_url_and_attention(app: Flask, api: Any) -> None:
    department = make_department(slug="parks")
    enthusiast = make_user(Role.ENTHUSIAST, department=department)
    owner = make_user(department=department)
    response = api(enthusiast).post(
        "/api/v1/profiles",
        json=_body(
            owner=owner.email.upper(),
            purpose="campaign",
            starts_on="2026-01-01",
            ends_on="2026-02-01",
        ),
    )
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["canonical_url"] == "https://x.com/cityparks"
    assert data["status"] == "active"
    assert data["owner"] == owner.email and data["department"] == "parks"
    assert data["backup_owner"] is None
    assert "backup_missing" in data["needs_attention"]
    assert "campaign_ended" in data["needs_attention"]
    assert any(r["code"] == "backup_missing" for r in data["attention"])


def test_a_member_proposes_and_cannot_force_active(app: Flask, api: Any) -> None:
    make_department(slug="parks")
    client = api(make_user())
    assert client.post("/api/v1/profiles", json=_body(status="active")).status_code == 403
    response = client.post("/api/v1/profiles", json=_body())
    assert response.status_code == 201 and response.get_json()["status"] == "proposed"


def test_bad_input_is_400_with_field_messages_and_nothing_written(app: Flask, api: Any) -> None:
    make_department(slug="parks")
    client = api(make_user(Role.ADMIN))
    cases = [
        (_body(platform="friendster"), "platform"),
        (_body(url="https://www.instagram.com/cityparks"), "url"),
        (_body(purpose="campaign", starts_on="2026-03-01", ends_on="2026-02-01"), "ends_on"),
        (_body(owner="nobody@example.org"), "owner"),
        (_body(department="nowhere"), "department"),
        (_body(credentials_note="Password: Hunter22!"), "credentials_note"),
        (_body(purpose="sometimes"), "purpose"),
        (_body(surprise="field"), "surprise"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/profiles", json=body)
        assert response.status_code == 400, (field, response.get_json())
        assert field in response.get_json()["error"]["fields"], response.get_json()
    assert _count() == 0 and _count(ProfileChange) == 0


def test_a_second_registration_in_another_form_is_409_naming_the_record(
    app: Flask, api: Any
) -> None:
    make_department(slug="parks")
    client = api(make_user(Role.ADMIN))
    first = client.post("/api/v1/profiles", json=_body()).get_json()
    response = client.post(
        "/api/v1/profiles",
        json=_body(url="http://mobile.twitter.com/cityparks/?utm_source=x", display_name="Dupe"),
    )
    assert response.status_code == 409
    assert f"#{first['id']} City Parks" in response.get_json()["error"]["message"]


def test_list_filters_and_total(app: Flask, api: Any) -> None:
    parks = make_department(slug="parks")
    libraries = make_department(slug="libraries")
    a = make_profile(department=parks, url="https://x.com/parks_a")
    make_profile(department=libraries, url="https://x.com/library_b", backup_owner=None)
    c = make_profile(department=parks, platform="youtube", url="https://youtube.com/@parks")
    client = api(make_user())
    data = client.get("/api/v1/profiles?department=parks").get_json()
    assert data["total"] == 2 and {i["id"] for i in data["items"]} == {a.id, c.id}
    assert client.get("/api/v1/profiles?platform=youtube").get_json()["items"][0]["id"] == c.id
    assert client.get("/api/v1/profiles?attention=1").get_json()["total"] == 1
    assert client.get("/api/v1/profiles?status=archived").get_json() == {"items": [], "total": 0}
    assert client.get("/api/v1/profiles?status=gone").status_code == 400
    assert client.get("/api/v1/profiles?department=nowhere").status_code == 400


def test_get_patch_and_history(app: Flask, api: Any) -> None:
    department = make_department()
    owner = make_user(department=department)
    profile = make_profile(department=department, owner=owner)
    client = api(owner)
    assert client.get(f"/api/v1/profiles/{profile.id}").get_json()["id"] == profile.id
    assert client.get("/api/v1/profiles/99999").status_code == 404
    response = client.patch(
        f"/api/v1/profiles/{profile.id}", json={"description": "Park news", "backup_owner": None}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["backup_owner"] is None
    assert "backup_missing" in response.get_json()["needs_attention"]
    response = client.patch(
        f"/api/v1/profiles/{profile.id}",
        json={"status": "dormant", "status_reason": "Winter break"},
    )
    assert response.get_json()["status"] == "dormant"
    history = client.get(f"/api/v1/profiles/{profile.id}/history").get_json()
    fields = [item["field"] for item in history["items"]]
    assert history["total"] == len(fields)
    assert {"description", "backup_owner", "status", "status_reason", "registered"} <= set(fields)
    assert history["items"][0]["changed_by"] == owner.email
    outsider = api(make_user())
    assert (
        outsider.patch(f"/api/v1/profiles/{profile.id}", json={"description": "x"}).status_code
        == 403
    )


def test_patch_with_bad_values_changes_nothing(app: Flask, api: Any) -> None:
    profile = make_profile(display_name="Kept")
    client = api(make_user(Role.ADMIN))
    response = client.patch(
        f"/api/v1/profiles/{profile.id}",
        json={"display_name": "Changed", "ends_on": "2026-01-01", "starts_on": "2026-02-01"},
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(SocialProfile, profile.id).display_name == "Kept"  # type: ignore[union-attr]


def test_delete_archives_for_admins_only(app: Flask, api: Any) -> None:
    profile = make_profile()
    assert api(make_user(Role.SENIOR)).delete(f"/api/v1/profiles/{profile.id}").status_code == 403
    response = api(make_user(Role.ADMIN)).delete(
        f"/api/v1/profiles/{profile.id}", json={"reason": "Account closed"}
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "archived"
    assert response.get_json()["status_reason"] == "Account closed"
    assert response.get_json()["needs_attention"] == []


def test_lookup_is_200_with_the_profile_or_404(app: Flask, api: Any) -> None:
    department = make_department(name="Libraries")
    owner = make_user(display_name="Lena Fischer", department=department)
    profile = make_profile(
        department=department,
        owner=owner,
        platform="facebook",
        url="https://www.facebook.com/City.Libraries",
    )
    client = api(make_user())
    response = client.get(
        "/api/v1/profiles/lookup",
        query_string={"url": "https://m.facebook.com/citylibraries?ref=x"},
    )
    assert response.status_code == 200
    data = response.get_json()
    assert data["id"] == profile.id and data["official"] is True
    assert data["verdict"] == "Official: registered to Libraries, owned by Lena Fischer."
    missing = client.get(
        "/api/v1/profiles/lookup", query_string={"url": "https://facebook.com/citylibraries.fake"}
    )
    assert missing.status_code == 404
    assert client.get("/api/v1/profiles/lookup").status_code == 400


def test_export_csv_and_import_round_trip_change_nothing(app: Flask, api: Any) -> None:
    department = make_department(slug="parks")
    owner = make_user(department=department)
    make_profile(
        department=department,
        owner=owner,
        display_name="-Minus first",
        description="=SUM(A1:A2)",
        handle="@CityParks",
        url="https://x.com/cityparks",
        purpose="campaign",
        starts_on="2026-01-01",
        ends_on="2026-12-31",
        audience_size="1200",
        credentials_note="+ team vault, folder Parks",
    )
    make_profile(
        department=department, platform="mastodon", url="@news@social.example", backup_owner=None
    )
    admin = api(make_user(Role.ADMIN))
    export = admin.get("/api/v1/profiles/export.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    text = export.get_data(as_text=True)
    assert "'-Minus first" in text and "'=SUM(A1:A2)" in text and "'@CityParks" in text
    assert "'+ team vault" in text
    changes_before = _count(ProfileChange)
    response = admin.post("/api/v1/profiles/import", data=text.encode(), content_type="text/csv")
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["applied"] is True
    assert report["unchanged"] == 2 and report["created"] == 0 and report["updated"] == 0
    assert _count(ProfileChange) == changes_before
    assert admin.get("/api/v1/profiles/export.csv").get_data(as_text=True) == text


def test_import_dry_run_reports_row_errors_and_writes_nothing(app: Flask, api: Any) -> None:
    make_department(slug="parks")
    client = api(make_user(Role.ADMIN))
    csv_text = (
        "platform,url,display_name,department,owner\n"
        "x,https://x.com/good_account,Good,parks,\n"
        "x,https://www.facebook.com/not_x,Bad platform,parks,\n"
        "youtube,https://www.youtube.com/@fine,Fine,nowhere,\n"
        "x,https://x.com/another,Owner missing,parks,ghost@example.org\n"
        "x,https://twitter.com/GOOD_ACCOUNT,Same as row 2,parks,\n"
    )
    response = client.post(
        "/api/v1/profiles/import?dry_run=1", data=csv_text.encode(), content_type="text/csv"
    )
    assert response.status_code == 200
    report = response.get_json()
    assert report["dry_run"] is True and report["applied"] is False
    assert [row["action"] for row in report["rows"]] == [
        "create",
        "error",
        "error",
        "error",
        "error",
    ]
    assert "url" in report["rows"][1]["errors"]
    assert "department" in report["rows"][2]["errors"]
    assert "owner" in report["rows"][3]["errors"]
    assert "row 2" in report["rows"][4]["errors"]["url"]
    assert report["rows"][1]["row"] == 3
    assert _count() == 0 and _count(ProfileChange) == 0
    applied = client.post(
        "/api/v1/profiles/import", data=csv_text.encode(), content_type="text/csv"
    )
    assert applied.status_code == 400
    assert applied.get_json()["applied"] is False
    assert "row 3.url" in applied.get_json()["error"]["fields"]
    assert _count() == 0


def test_import_applies_creates_and_updates(app: Flask, api: Any) -> None:
    department = make_department(slug="parks")
    existing = make_profile(
        department=department, url="https://x.com/existing", display_name="Old name"
    )
    client = api(make_user(Role.ADMIN))
    csv_text = (
        "id,platform,url,display_name,department,status,status_reason\n"
        f"{existing.id},x,https://x.com/existing,New name,parks,dormant,Paused\n"
        ",instagram,https://instagram.com/newone,New one,parks,,\n"
    )
    response = client.post(
        "/api/v1/profiles/import", data=csv_text.encode(), content_type="text/csv"
    )
    report = response.get_json()
    assert response.status_code == 200, report
    assert report["created"] == 1 and report["updated"] == 1
    db.session.expire_all()
    refreshed = db.session.get(SocialProfile, existing.id)
    assert refreshed is not None
    assert refreshed.display_name == "New name" and refreshed.status == "dormant"


def test_import_with_missing_columns_is_400(app: Flask, api: Any) -> None:
    client = api(make_user(Role.ADMIN))
    response = client.post(
        "/api/v1/profiles/import?dry_run=1", data=b"name,link\na,b\n", content_type="text/csv"
    )
    assert response.status_code == 400
    assert "file" in response.get_json()["error"]["fields"]


def test_mark_reviewed_through_the_api(app: Flask, api: Any) -> None:
    department = make_department()
    owner = make_user(department=department)
    profile = make_profile(department=department, owner=owner)
    response = api(owner).post(f"/api/v1/profiles/{profile.id}/reviews", json={"note": "Checked"})
    assert response.status_code == 201
    assert response.get_json()["last_reviewed_by"] == owner.email
