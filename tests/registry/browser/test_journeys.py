"""The registry on a phone-sized screen (375px), driven by Chromium with CSRF on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from forum.accounts.models import Role
from tests.browser.conftest import assert_no_horizontal_scroll, sign_in
from tests.factories import PASSWORD, make_department, make_user
from tests.registry.factories import make_profile

pytestmark = pytest.mark.browser


def test_registry_pages_fit_a_phone_and_verify_works(page: Any, live_server: str) -> None:
    parks = make_department(slug="parks", name="Parks and Leisure")
    owner = make_user(
        display_name="Grace Lee",
        department=parks,
        email="a.very.long.email.address.for.wrapping@example.org",
    )
    for n in range(6):
        make_profile(
            department=parks,
            owner=owner,
            url=f"https://x.com/parks_account_{n}",
            display_name=f"Parks account number {n} with a long name",
            backup_owner=None if n % 2 else make_user(department=parks),
        )
    profile = make_profile(
        department=parks,
        owner=owner,
        platform="youtube",
        url="https://www.youtube.com/channel/UCaBcDeFgHiJkLmNoPqRsTuV",
    )
    admin = make_user(Role.ADMIN)
    sign_in(page, live_server, admin.email, PASSWORD)
    for path in (
        "/profiles",
        "/profiles?attention=1",
        f"/profiles/{profile.id}",
        "/profiles/new",
        f"/profiles/{profile.id}/edit",
        "/profiles/verify",
        "/profiles/import",
    ):
        page.goto(live_server + path)
        assert_no_horizontal_scroll(page)
    page.goto(live_server + "/profiles/verify")
    page.get_by_label("Any address or handle").fill("https://mobile.twitter.com/Parks_Account_2")
    page.keyboard.press("Enter")
    page.wait_for_url("**/profiles/verify?q=*")
    verdict = "Official: registered to Parks and Leisure, owned by Grace Lee."
    assert page.get_by_text(verdict).first.is_visible()
    assert page.csp_errors == []


def test_register_then_import_with_progress(page: Any, live_server: str, tmp_path: Path) -> None:
    make_department(slug="parks", name="Parks")
    admin = make_user(Role.ADMIN)
    sign_in(page, live_server, admin.email, PASSWORD)
    page.goto(live_server + "/profiles/new")
    page.get_by_label("Platform", exact=True).select_option("x")
    page.get_by_label("Display name", exact=True).fill("Parks on X")
    page.get_by_label("Address (URL)").fill("twitter.com/CityParks?s=20")
    page.get_by_label("Department", exact=True).select_option("parks")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/profiles/*")
    assert page.get_by_text("https://x.com/cityparks").first.is_visible()
    csv_file = tmp_path / "profiles.csv"
    csv_file.write_text(
        "platform,url,display_name,department\n"
        "instagram,https://instagram.com/cityparks,Parks on Instagram,parks\n"
    )
    page.goto(live_server + "/profiles/import")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check (dry run)").click()
    page.wait_for_load_state()
    assert page.get_by_text("Dry run: nothing has been written").is_visible()
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Apply the import").click()
    page.wait_for_url("**/profiles?*")
    assert page.get_by_text("Imported: 1 registered").is_visible()
    assert page.get_by_text("Parks on Instagram").first.is_visible()
    assert page.csp_errors == []
