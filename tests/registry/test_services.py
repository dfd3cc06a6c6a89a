"""Registry rules without HTTP: workflow, duplicates, validation, history, attention, lookup."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select

from forum.accounts.models import Role
from forum.core.errors import Conflict, Invalid, NotPermitted
from forum.extensions import db
from forum.registry import services
from forum.registry.models import Platform, ProfileChange, ProfileStatus, SocialProfile
from forum.registry.platforms import KNOWN_PLATFORMS
from tests.factories import make_department, make_user
from tests.registry.factories import make_profile

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _values(dept: object, **overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "platform": "x",
        "url": "https://twitter.com/CityParks",
        "display_name": "City Parks",
        "department": dept,
    }
    values.update(overrides)
    return values


def test_ensure_platforms_inserts_the_known_list_once(app: Flask) -> None:
    assert services.ensure_platforms() == len(KNOWN_PLATFORMS)
    assert services.ensure_platforms() == 0
    db.session.delete(db.session.scalar(select(Platform).where(Platform.slug == "twitch")))
    db.session.flush()
    assert services.ensure_platforms() == 1
    assert next(p.slug for p in services.list_platforms()) == "x"


def test_a_member_proposes_and_the_profile_starts_proposed(app: Flask) -> None:
    department = make_department()
    member = make_user(department=department)
    profile = services.register_profile(member, _values(department), now=NOW)
    assert profile.status == ProfileStatus.PROPOSED
    assert profile.owner == member
    assert profile.canonical_url == "https://x.com/cityparks"
    assert profile.handle == "@CityParks"
    assert profile.last_reviewed_at is None


def test_a_member_cannot_register_an_active_profile(app: Flask) -> None:
    department = make_department()
    member = make_user(department=department)
    with pytest.raises(NotPermitted):
        services.register_profile(member, _values(department), status="active")
    assert _count(SocialProfile) == 0


@pytest.mark.parametrize("role", [Role.SENIOR, Role.ADMIN])
def test_seniors_and_admins_register_active_anywhere(app: Flask, role: Role) -> None:
    department = make_department()
    actor = make_user(role, department=make_department())
    profile = services.register_profile(actor, _values(department), now=NOW)
    assert profile.status == ProfileStatus.ACTIVE
    assert profile.last_reviewed_at == NOW and profile.last_reviewed_by == actor


def test_an_enthusiast_approves_only_for_their_own_department(app: Flask) -> None:
    own, other = make_department(), make_department()
    enthusiast = make_user(Role.ENTHUSIAST, department=own)
    mine = services.register_profile(enthusiast, _values(own))
    theirs = services.register_profile(
        enthusiast, _values(other, url="https://x.com/OtherDept", display_name="Other")
    )
    assert mine.status == ProfileStatus.ACTIVE
    assert theirs.status == ProfileStatus.PROPOSED
    with pytest.raises(NotPermitted):
        services.approve_profile(enthusiast, theirs)
    services.approve_profile(make_user(Role.ENTHUSIAST, department=other), theirs, now=NOW)
    assert theirs.status == ProfileStatus.ACTIVE
    assert theirs.last_reviewed_at == NOW


@pytest.mark.parametrize(
    "second_form",
    [
        "https://mobile.twitter.com/cityparks?s=20",
        "http://www.x.com/CITYPARKS/",
        "@cityparks",
        "x.com/CityParks#about",
    ],
)
def test_the_same_account_in_any_form_is_a_conflict_naming_the_record(
    app: Flask, second_form: str
) -> None:
    department = make_department(name="Parks and Leisure")
    admin = make_user(Role.ADMIN)
    first = services.register_profile(admin, _values(department))
    db.session.commit()
    with pytest.raises(Conflict) as excinfo:
        services.register_profile(admin, _values(department, url=second_form, display_name="Again"))
    assert f"#{first.id} City Parks" in excinfo.value.message
    assert "Parks and Leisure" in excinfo.value.message
    assert "url" in excinfo.value.fields


def test_the_same_permanent_id_is_a_conflict_whatever_the_handle(app: Flask) -> None:
    department = make_department()
    admin = make_user(Role.ADMIN)
    services.register_profile(
        admin,
        _values(
            department,
            platform="youtube",
            url="https://www.youtube.com/@cityparks",
            platform_account_id="UCaBcDeFgHiJkLmNoPqRsTuV",
        ),
    )
    with pytest.raises(Conflict):
        services.register_profile(
            admin,
            _values(
                department,
                platform="youtube",
                display_name="Channel",
                url="https://www.youtube.com/channel/UCaBcDeFgHiJkLmNoPqRsTuV/videos",
            ),
        )


def test_a_renamed_handle_is_still_the_same_record(app: Flask) -> None:
    department = make_department()
    admin = make_user(Role.ADMIN)
    profile = services.register_profile(
        admin, _values(department, url="https://x.com/old_name", platform_account_id="783214")
    )
    services.update_profile(admin, profile, {"url": "https://x.com/new_name"})
    assert profile.canonical_url == "https://x.com/new_name"
    assert services.lookup("https://x.com/i/user/783214") == [profile]
    with pytest.raises(Conflict):
        services.register_profile(
            admin, _values(department, url="https://x.com/i/user/783214", display_name="Same")
        )


def test_a_handle_someone_else_took_over_is_not_mistaken_for_ours(app: Flask) -> None:
    department = make_department()
    admin = make_user(Role.ADMIN)
    ours = services.register_profile(
        admin,
        _values(
            department,
            platform="bluesky",
            url="https://bsky.app/profile/parks.example.org",
            platform_account_id="did:plc:aaaaaaaaaaaaaaaaaaaaaaaa",
        ),
    )
    services.change_status(admin, ours, "archived", reason="Handle given up")
    theirs = services.register_profile(
        admin,
        _values(
            department,
            platform="bluesky",
            display_name="New holder",
            url="https://bsky.app/profile/parks.example.org",
            platform_account_id="did:plc:bbbbbbbbbbbbbbbbbbbbbbbb",
        ),
    )
    assert theirs.id != ours.id
    assert services.lookup("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa") == [ours]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"platform": "myspace"}, "platform"),
        ({"url": "https://www.facebook.com/cityparks"}, "url"),
        ({"url": ""}, "url"),
        ({"department": "no-such-dept"}, "department"),
        ({"owner": "nobody@example.org"}, "owner"),
        ({"backup_owner": "ghost@example.org"}, "backup_owner"),
        ({"purpose": "campaign", "starts_on": "2026-05-01", "ends_on": "2026-04-01"}, "ends_on"),
        ({"starts_on": "first of May"}, "starts_on"),
        ({"purpose": "sideline"}, "purpose"),
        ({"engagement_mode": "shouting"}, "engagement_mode"),
        ({"audience_size": "-5"}, "audience_size"),
        ({"review_interval_months": "0"}, "review_interval_months"),
        ({"display_name": ""}, "display_name"),
        ({"credentials_note": "password: hunter2"}, "credentials_note"),
        ({"handle": "@someone_else"}, "handle"),
        ({"platform_account_id": "999"}, "platform_account_id"),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_written(
    app: Flask, overrides: dict[str, str], field: str
) -> None:
    department = make_department()
    values = _values(department, **overrides)
    if field == "platform_account_id":
        values["url"] = "https://x.com/i/user/783214"
    with pytest.raises(Invalid) as excinfo:
        services.register_profile(make_user(Role.ADMIN), values)
    assert field in excinfo.value.fields
    db.session.rollback()
    assert _count(SocialProfile) == 0
    assert _count(ProfileChange) == 0


def test_every_problem_is_reported_at_once(app: Flask) -> None:
    with pytest.raises(Invalid) as excinfo:
        services.register_profile(
            make_user(Role.ADMIN),
            {
                "platform": "nope",
                "department": "nope",
                "owner": "nobody@example.org",
                "starts_on": "2026-02-01",
                "ends_on": "2026-01-01",
            },
        )
    assert {"platform", "department", "owner", "ends_on", "display_name"} <= set(
        excinfo.value.fields
    )


def test_deactivated_people_cannot_be_chosen_as_new_owners(app: Flask) -> None:
    department = make_department()
    gone = make_user(is_active=False)
    with pytest.raises(Invalid) as excinfo:
        services.register_profile(make_user(Role.ADMIN), _values(department, owner=gone.email))
    assert "deactivated" in excinfo.value.fields["owner"]


def test_owner_and_backup_must_differ(app: Flask) -> None:
    department = make_department()
    person = make_user()
    with pytest.raises(Invalid) as excinfo:
        services.register_profile(
            make_user(Role.ADMIN),
            _values(department, owner=person.email, backup_owner=person.email),
        )
    assert "backup_owner" in excinfo.value.fields


@pytest.mark.parametrize(
    "note",
    [
        "password: Tr0ub4dor&3",
        "pwd=letmein",
        "PW: parks2026",
        "Password is summer2026",
        "api key = 9f8e7d6c",
        "recovery codes: 1234-5678",
        "login parks / Xk9#mP2$vL8q",
        "token ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    ],
)
def test_credential_notes_that_look_like_passwords_are_refused(app: Flask, note: str) -> None:
    assert services.secret_problem(note) is not None


@pytest.mark.parametrize(
    "note",
    [
        "Team password manager, folder Social/Parks",
        "Kept in 1Password vault Comms-Social-2024",
        "The password is in the comms vault; ask Priya",
        'LastPass shared folder "Parks"',
        "Bitwarden collection parks-social; 2FA on the team phone",
        "Vault item https://vault.example.org/items/8f3a9c2e7b1d4a5f",
    ],
)
def test_ordinary_credential_notes_are_accepted(app: Flask, note: str) -> None:
    assert services.secret_problem(note) is None


def test_owners_and_department_enthusiasts_edit_others_do_not(app: Flask) -> None:
    department = make_department()
    owner = make_user(department=department)
    profile = make_profile(department=department, owner=owner)
    for editor in (
        owner,
        profile.backup_owner,
        make_user(Role.ENTHUSIAST, department=department),
        make_user(Role.SENIOR),
        make_user(Role.ADMIN),
    ):
        assert editor is not None
        services.update_profile(editor, profile, {"description": f"by {editor.email}"})
    for outsider in (
        make_user(department=department),
        make_user(Role.ENTHUSIAST, department=make_department()),
    ):
        with pytest.raises(NotPermitted):
            services.update_profile(outsider, profile, {"description": "nope"})


def test_every_change_is_recorded_with_who_when_before_and_after(app: Flask) -> None:
    department = make_department()
    owner = make_user(department=department)
    profile = make_profile(department=department, owner=owner, display_name="Old name")
    new_backup = make_user()
    later = NOW + dt.timedelta(days=3)
    changes = services.update_profile(
        owner,
        profile,
        {
            "display_name": "New name",
            "backup_owner": new_backup.email,
            "audience_size": "1,200",
            "audience_counted_on": "2026-02-27",
        },
        now=later,
    )
    assert {c.field for c in changes} == {
        "display_name",
        "backup_owner",
        "audience_size",
        "audience_counted_on",
    }
    db.session.commit()
    entries = {c.field: c for c in services.history(profile, None)}
    assert entries["display_name"].before == "Old name"
    assert entries["display_name"].after == "New name"
    assert entries["display_name"].changed_by == owner
    assert entries["display_name"].changed_at == later
    assert entries["backup_owner"].after == new_backup.email
    assert entries["audience_size"].after == "1200"
    assert "registered" in entries


def test_saving_unchanged_values_records_nothing(app: Flask) -> None:
    profile = make_profile()
    admin = make_user(Role.ADMIN)
    before = len(services.history(profile, None))
    assert services.update_profile(admin, profile, services.current_values(profile)) == []
    assert len(services.history(profile, None)) == before


def test_a_new_handle_alone_moves_the_url(app: Flask) -> None:
    profile = make_profile(url="https://x.com/before_name")
    services.update_profile(make_user(Role.ADMIN), profile, {"handle": "@After_Name"})
    assert profile.canonical_url == "https://x.com/after_name"
    assert profile.handle == "@After_Name"


def test_editing_into_another_records_url_is_a_conflict(app: Flask) -> None:
    department = make_department()
    make_profile(department=department, url="https://x.com/taken_one")
    profile = make_profile(department=department)
    with pytest.raises(Conflict):
        services.update_profile(make_user(Role.ADMIN), profile, {"url": "twitter.com/Taken_One"})


def test_status_moves_with_reasons_and_only_admins_archive(app: Flask) -> None:
    department = make_department()
    owner = make_user(department=department)
    profile = make_profile(department=department, owner=owner)
    with pytest.raises(Invalid) as excinfo:
        services.change_status(owner, profile, "dormant")
    assert "reason" in excinfo.value.fields
    services.change_status(owner, profile, "dormant", reason="Paused until spring", now=NOW)
    assert (
        profile.status == ProfileStatus.DORMANT and profile.status_reason == "Paused until spring"
    )
    with pytest.raises(NotPermitted):
        services.archive_profile(owner, profile, reason="Closed")
    with pytest.raises(NotPermitted):
        services.archive_profile(make_user(Role.SENIOR), profile, reason="Closed")
    admin = make_user(Role.ADMIN)
    with pytest.raises(Invalid):
        services.archive_profile(admin, profile, reason="")
    services.archive_profile(admin, profile, reason="Account deleted on the platform")
    assert profile.status == ProfileStatus.ARCHIVED
    with pytest.raises(Invalid):
        services.update_profile(admin, profile, {"description": "x"})
    with pytest.raises(Invalid):
        services.change_status(admin, profile, "proposed")
    fields = [c.field for c in services.history(profile, None)]
    assert fields.count("status") == 2 and "status_reason" in fields


def test_mark_reviewed_restarts_the_cycle_and_keeps_the_note(app: Flask) -> None:
    department = make_department()
    owner = make_user(department=department)
    profile = make_profile(department=department, owner=owner)
    review = services.mark_reviewed(owner, profile, note="Bio and links checked", now=NOW)
    assert profile.last_reviewed_at == NOW and profile.last_reviewed_by == owner
    assert review.note == "Bio and links checked"
    assert services.review_due_on(profile) == dt.date(2026, 9, 1)
    assert services.reviews(profile) == [review]
    with pytest.raises(NotPermitted):
        services.mark_reviewed(make_user(), profile, note="drive-by")


def test_proposed_profiles_are_not_reviewed(app: Flask) -> None:
    department = make_department()
    member = make_user(department=department)
    profile = services.register_profile(member, _values(department))
    with pytest.raises(Invalid):
        services.mark_reviewed(member, profile, note="x")


def test_add_months_clamps_to_month_end() -> None:
    assert services.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert services.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert services.add_months(dt.date(2026, 3, 15), 12) == dt.date(2027, 3, 15)


def _codes(profile: SocialProfile, today: dt.date) -> list[str]:
    return [reason.code for reason in services.needs_attention(profile, today)]


def test_a_healthy_profile_needs_no_attention(app: Flask) -> None:
    profile = make_profile()
    assert _codes(profile, profile.created_at.date()) == []


def test_review_overdue_after_the_interval(app: Flask) -> None:
    profile = make_profile(review_interval_months="3")
    start = profile.last_reviewed_at.date()
    due = services.add_months(start, 3)
    assert _codes(profile, due) == []
    assert _codes(profile, due + dt.timedelta(days=1)) == ["review_overdue"]


def test_a_campaign_past_its_end_still_active_needs_attention(app: Flask) -> None:
    profile = make_profile(purpose="campaign", starts_on="2026-01-01", ends_on="2026-02-01")
    assert "campaign_ended" in _codes(profile, dt.date(2026, 2, 2))
    assert "campaign_ended" not in _codes(profile, dt.date(2026, 2, 1))


def test_missing_deactivated_and_absent_owners_need_attention(app: Flask) -> None:
    today = dt.date(2026, 3, 1)
    department = make_department()
    owner = make_user(department=department)
    no_backup = make_profile(department=department, owner=owner, backup_owner=None)
    assert _codes(no_backup, today) == ["backup_missing"]

    owner.away_from, owner.away_until = dt.date(2026, 2, 20), dt.date(2026, 3, 10)
    assert "owner_away" in _codes(no_backup, today)
    owner.cover_user = make_user()
    assert "owner_away" not in _codes(no_backup, today)

    backup = make_user(department=department)
    covered = make_profile(department=department, backup_owner=backup)
    backup.is_active = False
    assert _codes(covered, today) == ["backup_deactivated"]
    db.session.commit()

    ownerless = make_profile(department=department, owner=None)
    ownerless.owner = None
    assert "owner_missing" in _codes(ownerless, today)


def test_dormant_without_an_activity_note_needs_attention(app: Flask) -> None:
    department = make_department()
    owner = make_user(department=department)
    profile = make_profile(department=department, owner=owner)
    services.change_status(owner, profile, "dormant", reason="Quiet period")
    assert "dormant_without_note" in _codes(profile, profile.created_at.date())
    services.update_profile(owner, profile, {"activity_note": "Posting resumes in May"})
    assert _codes(profile, profile.created_at.date()) == []


def test_archived_profiles_never_need_attention(app: Flask) -> None:
    profile = make_profile(backup_owner=None)
    services.archive_profile(make_user(Role.ADMIN), profile, reason="Gone")
    assert _codes(profile, dt.date(2030, 1, 1)) == []


def test_list_filters_by_department_platform_status_attention_and_search(app: Flask) -> None:
    parks = make_department(slug="parks", name="Parks")
    libraries = make_department(slug="libraries", name="Libraries")
    a = make_profile(department=parks, display_name="Parks news", url="https://x.com/parksnews")
    b = make_profile(
        department=parks,
        platform="instagram",
        display_name="Parks pictures",
        url="https://instagram.com/parkspics",
        backup_owner=None,
    )
    c = make_profile(
        department=libraries, display_name="Library events", url="https://x.com/libraryevents"
    )

    def ids(**filters: object) -> list[int]:
        return [row.profile.id for row in services.list_profiles(**filters)]  # type: ignore[arg-type]

    assert ids(department="parks") == [a.id, b.id]
    assert ids(platform="instagram") == [b.id]
    assert ids(attention=True) == [b.id]
    assert ids(q="library") == [c.id]
    assert ids(q="https://twitter.com/ParksNews?s=1") == [a.id]
    assert ids(status="proposed") == []
    assert ids(sort="department") == [c.id, a.id, b.id]
    with pytest.raises(Invalid):
        services.list_profiles(status="sleeping")
    with pytest.raises(Invalid):
        services.list_profiles(department="nowhere")


def test_lookup_finds_a_profile_from_any_form_and_says_who_owns_it(app: Flask) -> None:
    department = make_department(name="Libraries")
    owner = make_user(display_name="Lena Fischer", department=department)
    profile = make_profile(
        department=department,
        owner=owner,
        platform="mastodon",
        url="https://social.example/@CityLibraries",
    )
    for form in (
        "@citylibraries@social.example",
        "https://social.example/@citylibraries/12",
        "https://social.example/users/CityLibraries",
    ):
        assert services.lookup(form) == [profile]
    verdict = services.verdict(profile)
    assert verdict.official
    assert verdict.message == "Official: registered to Libraries, owned by Lena Fischer."
    assert services.lookup("https://social.example/@impostor") == []
    assert not services.verdict(None).official


def test_lookup_by_bare_handle_and_verdicts_for_other_statuses(app: Flask) -> None:
    department = make_department()
    member = make_user(department=department)
    proposed = services.register_profile(member, _values(department))
    db.session.commit()
    assert services.lookup("@CityParks") == [proposed]
    assert not services.verdict(proposed).official
    assert "Proposed" in services.verdict(proposed).message


def test_review_reminders_go_to_owners_once_per_due_period(app: Flask) -> None:
    from forum.alerts.models import Notification, OutboxMessage

    department = make_department()
    owner = make_user(department=department)
    backup = make_user(department=department)
    profile = make_profile(department=department, owner=owner, backup_owner=backup)
    due = services.review_due_on(profile)
    assert due is not None
    before_due = dt.datetime.combine(due - dt.timedelta(days=1), dt.time(8), tzinfo=dt.UTC)
    on_due = dt.datetime.combine(due, dt.time(8), tzinfo=dt.UTC)
    assert services.send_review_reminders(now=before_due) == 0
    assert services.send_review_reminders(now=on_due) == 2
    assert services.send_review_reminders(now=on_due + dt.timedelta(days=1)) == 0
    notes = list(db.session.scalars(select(Notification)))
    assert {n.user_id for n in notes} == {owner.id, backup.id}
    assert notes[0].url == f"/profiles/{profile.id}"
    assert _count(OutboxMessage) == 2
    services.mark_reviewed(owner, profile, note="ok", now=on_due)
    next_due = services.review_due_on(profile)
    assert next_due is not None and next_due > due
    later = dt.datetime.combine(next_due, dt.time(8), tzinfo=dt.UTC)
    assert services.send_review_reminders(now=later) == 2


def test_reminders_reach_the_cover_of_an_owner_who_is_away(app: Flask) -> None:
    from forum.alerts.models import Notification

    department = make_department()
    cover = make_user()
    owner = make_user(department=department, cover_user=cover)
    profile = make_profile(department=department, owner=owner, backup_owner=None)
    due = services.review_due_on(profile)
    assert due is not None
    owner.away_from, owner.away_until = due, due + dt.timedelta(days=5)
    services.send_review_reminders(now=dt.datetime.combine(due, dt.time(8), tzinfo=dt.UTC))
    assert [n.user_id for n in db.session.scalars(select(Notification))] == [cover.id]


def test_demo_seed_registers_a_realistic_set_once(app: Flask) -> None:
    from forum.accounts.demo import seed as seed_accounts
    from forum.registry import demo

    seed_accounts()
    assert demo.seed() == f"{len(demo.PROFILES)} social profiles"
    assert len(demo.PROFILES) >= 30
    assert demo.seed() == "0 social profiles"
    rows = services.list_profiles()
    codes = {reason.code for row in rows for reason in row.attention}
    assert {
        "review_overdue",
        "campaign_ended",
        "backup_missing",
        "owner_away",
        "dormant_without_note",
    } <= codes
    assert len({row.profile.platform.slug for row in rows}) >= 14
