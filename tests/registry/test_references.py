"""Cross-links: threads linked to a profile, and escalations contributed by a provider."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.accounts.models import Role
from forum.core.errors import Invalid, NotFound, NotPermitted
from forum.extensions import db
from forum.registry import services
from forum.registry.models import ProfileChange, SocialProfile
from tests.boards.factories import make_board, make_thread
from tests.factories import make_department, make_user
from tests.registry.factories import make_profile


def test_a_thread_links_once_and_is_listed_for_those_who_can_see_it(app: Flask) -> None:
    department = make_department()
    member = make_user(department=department)
    outsider = make_user(department=make_department())
    profile = make_profile()
    public = make_thread(make_board(), title="Impostor account spotted")
    private = make_thread(make_board(department=department), author=member, title="Department only")
    services.link_thread(profile, public.id, member)
    services.link_thread(profile, public.id, member)
    services.link_thread(profile, private.id, member)
    db.session.commit()
    assert {t.id for t in services.threads_for_profile(profile, member)} == {public.id, private.id}
    assert [t.id for t in services.threads_for_profile(profile, outsider)] == [public.id]
    assert [c.field for c in services.history(profile, None)].count("thread_linked") == 2


def test_linking_a_thread_one_cannot_see_is_not_found(app: Flask) -> None:
    profile = make_profile()
    hidden = make_thread(make_board(department=make_department()))
    with pytest.raises(NotFound):
        services.link_thread(profile, hidden.id, make_user(department=make_department()))
    with pytest.raises(NotFound):
        services.link_thread(profile, 99999, make_user())


def test_unlinking_is_for_the_linker_or_the_profiles_editors(app: Flask) -> None:
    profile = make_profile()
    thread = make_thread(make_board())
    linker = make_user()
    services.link_thread(profile, thread.id, linker)
    with pytest.raises(NotPermitted):
        services.unlink_thread(profile, thread.id, make_user())
    services.unlink_thread(profile, thread.id, linker)
    assert services.threads_for_profile(profile, linker) == []


@pytest.mark.parametrize(
    ("value", "thread_id"),
    [
        ("42", 42),
        ("/t/42-impostor-account", 42),
        ("http://forum.test/t/42-x?page=2#post-9", 42),
    ],
)
def test_thread_references_are_parsed_from_ids_and_addresses(value: str, thread_id: int) -> None:
    assert services.parse_thread_reference(value) == thread_id


def test_a_thread_reference_that_is_not_one_is_refused() -> None:
    with pytest.raises(Invalid):
        services.parse_thread_reference("the one about parks")


def test_profile_for_reference_is_not_found_for_missing_profiles(app: Flask) -> None:
    profile = make_profile()
    user = make_user()
    assert services.profile_for_reference(profile.id, user) == profile
    with pytest.raises(NotFound):
        services.profile_for_reference(99999, user)
    with pytest.raises(NotFound):
        services.profile_for_reference(profile.id, make_user(is_active=False))


def test_providers_contribute_references_to_the_profile_page(
    app: Flask, client: FlaskClient, login: Any
) -> None:
    def escalations(profile: SocialProfile, viewer: Any) -> list[services.ProfileReference]:
        return [
            services.ProfileReference(
                kind="escalation", title=f"Escalation about {profile.id}", url="/escalations/7"
            )
        ]

    def broken(profile: SocialProfile, viewer: Any) -> list[services.ProfileReference]:
        raise RuntimeError("provider bug")

    services.register_reference_provider(app, escalations)
    services.register_reference_provider(app, broken)
    profile = make_profile()
    thread = make_thread(make_board(), title="Impostor account spotted")
    user = make_user(Role.SENIOR)
    services.link_thread(profile, thread.id, user)
    db.session.commit()
    login(user)
    html = client.get(f"/profiles/{profile.id}").get_data(as_text=True)
    assert f"Escalation about {profile.id}" in html and "/escalations/7" in html
    assert "Impostor account spotted" in html


def test_linking_through_the_page(app: Flask, client: FlaskClient, login: Any) -> None:
    profile = make_profile()
    thread = make_thread(make_board(), title="Seen on the parks account")
    user = make_user()
    login(user)
    response = client.post(f"/profiles/{profile.id}/threads", data={"thread": f"/t/{thread.id}-x"})
    assert response.status_code == 302
    assert "Seen on the parks account" in client.get(f"/profiles/{profile.id}").get_data(
        as_text=True
    )
    response = client.post(f"/profiles/{profile.id}/threads/{thread.id}/unlink")
    assert response.status_code == 302
    assert services.threads_for_profile(profile, user) == []


def test_history_names_a_department_only_thread_only_to_those_who_can_see_it(
    app: Flask, login: Any, api: Any
) -> None:
    # The regression: "thread linked: #13 <title>" was shown to every member, on the page and
    # in GET /api/v1/profiles/<id>/history.
    housing = make_department(name="Housing")
    member = make_user(department=housing)
    outsider = make_user(department=make_department())
    profile = make_profile()
    secret = make_thread(
        make_board(department=housing), author=member, title="Rent arrears list leaked"
    )
    services.link_thread(profile, secret.id, member)
    services.unlink_thread(profile, secret.id, member)
    db.session.commit()

    stored = {c.field: c for c in db.session.scalars(select(ProfileChange))}
    assert stored["thread_linked"].after == f"#{secret.id}"
    assert stored["thread_unlinked"].before == f"#{secret.id}"

    entries = api(outsider).get(f"/api/v1/profiles/{profile.id}/history").get_json()["items"]
    linked = next(e for e in entries if e["field"] == "thread_linked")
    assert linked["after"] == "a thread you cannot see"
    assert "Rent arrears" not in str(entries) and f"#{secret.id}" not in str(entries)
    page = login(outsider).get(f"/profiles/{profile.id}").get_data(as_text=True)
    assert "Rent arrears" not in page and "a thread you cannot see" in page

    mine = services.history(profile, member)
    assert next(c for c in mine if c.field == "thread_linked").after == (
        f"#{secret.id} Rent arrears list leaked"
    )


def test_history_written_before_titles_were_dropped_is_named_by_id(app: Flask) -> None:
    housing = make_department()
    member = make_user(department=housing)
    profile = make_profile()
    secret = make_thread(make_board(department=housing), author=member, title="Old secret")
    db.session.add(
        ProfileChange(
            profile_id=profile.id, field="thread_linked", after=f"#{secret.id} Old secret"
        )
    )
    db.session.commit()
    [entry] = [c for c in services.history(profile, make_user()) if c.field == "thread_linked"]
    assert entry.after == "a thread you cannot see"
