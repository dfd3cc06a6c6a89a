"""Journey: with PUBLIC_VERIFY on, staff copy a profile's badge address; a resident, not signed
in, checks accounts at /verify on a phone and opens the badge pages (official and archived)."""

from __future__ import annotations

from typing import Any

import pytest

from forum.accounts.models import Role
from tests.browser.journeys.journey import Journey, sign_in_as
from tests.factories import PASSWORD, make_department, make_user
from tests.registry.factories import make_profile

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "PUBLIC_VERIFY": True, "ORG_NAME": "Riverside Borough Council"}


def test_resident_checks_accounts_and_opens_badge_pages(journey: Journey) -> None:
    parks = make_department(slug="parks", name="Parks and Green Spaces")
    grace = make_user(Role.ENTHUSIAST, display_name="Grace Lee", department=parks)
    profile = make_profile(department=parks, owner=grace, url="https://twitter.com/RiversideParks_")
    old = make_profile(
        department=parks,
        owner=grace,
        platform="instagram",
        url="https://instagram.com/riverside_parks_2019",
        status="archived",
        status_reason="Replaced by the main account.",
    )

    # Grace copies the badge address from the profile's page.
    staff = journey.person("grace")
    sign_in_as(staff, journey, grace.email, PASSWORD)
    staff.goto(journey.url(f"/profiles/{profile.id}"))
    badge_field = staff.get_by_label("Address to copy")
    badge_address = badge_field.input_value()
    assert badge_address.endswith(f"/verify/{profile.badge_key}")
    journey.step(staff, "profile with badge address")

    # A resident, not signed in, checks the handle someone showed them.
    resident = journey.person("resident")
    resident.goto(journey.url("/verify"))
    journey.step(resident, "verify form")
    resident.get_by_label("Address or handle").fill("@riversideparks_")
    resident.get_by_role("button", name="Check").click()
    resident.get_by_role("heading", name="Official").wait_for()
    assert resident.get_by_text("Parks and Green Spaces").first.is_visible()
    assert resident.get_by_text("Grace Lee").count() == 0
    journey.step(resident, "official")

    resident.get_by_label("Address or handle").fill("https://x.com/riverside_parks_fake")
    resident.get_by_role("button", name="Check").click()
    resident.get_by_role("heading", name="Not ours").wait_for()
    journey.step(resident, "not ours")

    resident.get_by_label("Address or handle").fill("not an address")
    resident.get_by_role("button", name="Check").click()
    resident.get_by_text("not an address or handle we can read").wait_for()
    journey.step(resident, "unreadable")

    # The badge pages linked from the accounts' bios.
    resident.goto(badge_address)
    resident.get_by_role("heading", name="Verified by Riverside Borough Council").wait_for()
    journey.step(resident, "badge")
    resident.goto(journey.url(f"/verify/{old.badge_key}"))
    resident.get_by_role("heading", name="Archived account").wait_for()
    assert resident.get_by_text("Grace Lee").count() == 0
    journey.step(resident, "archived badge")
