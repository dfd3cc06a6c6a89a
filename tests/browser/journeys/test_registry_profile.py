"""Journey 3: a profile registered from a pasted URL, a duplicate refused, verified, exported and
re-imported as a dry run."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from forum.accounts.models import Role
from tests.browser.journeys.journey import Journey, sign_in_as
from tests.factories import PASSWORD, make_department, make_user

pytestmark = pytest.mark.browser


def test_profile_registered_refused_twice_verified_exported_and_reimported(
    journey: Journey, tmp_path: Path
) -> None:
    make_department(slug="parks", name="Parks and Leisure")
    parks = make_department(slug="parks-team", name="Parks Team")
    grace = make_user(Role.ENTHUSIAST, display_name="Grace Lee", department=parks)

    # Grace registers the account from the address she copied out of her browser.
    page = journey.person("grace")
    sign_in_as(page, journey, grace.email, PASSWORD)
    page.get_by_role("link", name="Registry").first.click()
    journey.step(page, "registry")
    page.get_by_role("link", name="Register a profile").click()
    journey.step(page, "register form")
    page.get_by_label("Platform", exact=True).select_option("x")
    page.get_by_label("Display name", exact=True).fill("Parks on X")
    page.get_by_label("Address (URL)").fill("https://twitter.com/CityParks?s=20")
    page.get_by_label("Department", exact=True).select_option("parks-team")
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="Parks on X").wait_for()
    profile_url = page.url
    assert page.get_by_text("https://x.com/cityparks").first.is_visible()
    journey.step(page, "registered")

    # The same account again, as its mobile address: refused, pointing at the record.
    page.goto(journey.url("/profiles/new"))
    page.get_by_label("Platform", exact=True).select_option("x")
    page.get_by_label("Display name", exact=True).fill("City parks (again)")
    page.get_by_label("Address (URL)").fill("mobile.twitter.com/cityparks/")
    page.get_by_label("Department", exact=True).select_option("parks-team")
    page.get_by_role("button", name="Register").click()
    page.get_by_text("This account is already registered").first.wait_for()
    journey.step(page, "duplicate refused")
    page.get_by_role("link", name="Parks on X").first.click()
    page.wait_for_url(profile_url)

    # "Is this ours?" for a third form of the address.
    page.goto(journey.url("/profiles"))
    page.get_by_role("link", name="Verify an account").click()
    journey.step(page, "verify")
    page.get_by_label("Any address or handle").fill("http://www.x.com/CityParks")
    page.get_by_role("button", name="Verify").click()
    verdict = "Official: registered to Parks Team, owned by Grace Lee."
    page.get_by_text(verdict).first.wait_for()
    journey.step(page, "verified")

    # The registry as CSV, edited and checked again (dry run).
    page.goto(journey.url("/profiles"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    exported = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(exported)
    assert exported.name.startswith("social-profiles-")
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
    assert [row["canonical_url"] for row in rows] == ["https://x.com/cityparks"]
    rows[0]["display_name"] = "Parks and gardens on X"
    new_row = dict.fromkeys(rows[0], "")
    new_row.update(
        platform="instagram",
        url="https://instagram.com/cityparks",
        display_name="Parks on Instagram",
        department="parks-team",
    )
    edited = tmp_path / "edited.csv"
    with edited.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([rows[0], new_row])
    page.get_by_role("link", name="Import CSV").click()
    journey.step(page, "import")
    page.get_by_label("CSV file").set_input_files(str(edited))
    page.get_by_role("button", name="Check (dry run)").click()
    report = page.get_by_role("region", name="Dry run: nothing has been written")
    report.wait_for()
    updated = report.get_by_role("row").filter(has_text="Parks and gardens on X")
    assert "update" in updated.inner_text() and "display_name" in updated.inner_text()
    assert "create" in report.get_by_role("row").filter(has_text="Parks on Instagram").inner_text()
    journey.step(page, "dry run")
