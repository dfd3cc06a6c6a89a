"""A person's page (/u/<handle>), author links to it, and the people directory."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from forum.accounts import services as account_services
from forum.accounts.models import Role
from forum.boards import services as board_services
from forum.boards.models import PostKind
from forum.escalations.services import policies
from forum.extensions import db
from tests.boards.factories import make_board, make_post, make_thread
from tests.factories import make_department, make_user
from tests.people.factories import make_skill, pick
from tests.registry.factories import make_profile


def test_every_author_name_on_a_thread_page_links_to_their_page(
    app: Any, login: Any, client: FlaskClient
) -> None:
    housing = make_department(name="Housing")
    board = make_board()
    omar = make_user(
        email="omar.haddad@example.org", display_name="Omar Haddad", department=housing
    )
    lena = make_user(email="lena@example.org", display_name="Lena Fischer")
    thread = make_thread(board, author=omar)
    make_post(thread, author=lena)
    login(make_user())
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    authors = re.findall(
        r'class="post-author"><a class="person-link" href="([^"]+)">([^<]+)</a>', page
    )
    assert authors == [("/u/omar.haddad", "Omar Haddad"), ("/u/lena", "Lena Fischer")]
    person = client.get("/u/omar.haddad")
    assert person.status_code == 200
    text = person.get_data(as_text=True)
    assert "<h1>Omar Haddad" in text and "Housing" in text


def test_board_activity_and_search_lists_link_authors(
    app: Any, login: Any, client: FlaskClient
) -> None:
    board = make_board()
    author = make_user(email="writer@example.org", display_name="Wendy Writer")
    make_thread(board, author=author, title="Zebra crossings on social", body="zebra words")
    login(make_user())
    for path in ("/", f"/b/{board.slug}", "/search?q=zebra"):
        assert 'href="/u/writer">Wendy Writer</a>' in client.get(path).get_data(as_text=True), path


def test_the_page_shows_what_they_look_after_and_what_they_did(
    app: Any, login: Any, client: FlaskClient
) -> None:
    admin = make_user(Role.ADMIN)
    dept = make_department(name="Parks")
    grace = make_user(Role.SENIOR, email="grace@example.org", display_name="Grace", department=dept)
    cover = make_user(Role.SENIOR, display_name="Tom Cover")
    owned = make_profile(owner=grace, display_name="Parks on X", department=dept)
    backed = make_profile(backup_owner=grace, display_name="Parks on TikTok", department=dept)
    board = make_board(moderators=[grace], name="Parks board")
    policy = policies.save_policy(admin, name="Parks crisis")
    policies.add_level(admin, policy, users=[grace])
    account_services.set_away(grace, away_from=None, away_until=None, cover=cover)
    db.session.commit()
    question = make_thread(board, kind=PostKind.QUESTION, title="Who mows on Sunday?")
    answer = make_post(question, author=grace)
    board_services.mark_solution(question, actor=admin, post=answer)
    started = make_thread(board, author=grace, title="A story of her own", kind=PostKind.STORY)
    tiktok, video = make_skill("TikTok"), make_skill("Video editing")
    pick(grace, offers=[tiktok], wants=[video])
    login(make_user())
    text = client.get("/u/grace").get_data(as_text=True)
    for expected in (
        "Senior",
        owned.display_name,
        backed.display_name,
        "Parks board",
        "Level 1 of “Parks crisis”",
        started.title,
        question.title,
        'href="/people?skill=TikTok"',
        'href="/people?training=Video+editing"',
    ):
        assert expected in text, expected
    assert f'<a href="/u/{cover.handle}"' not in text  # not away: no cover shown


def test_threads_on_a_board_the_reader_cannot_see_are_left_out(
    app: Any, login: Any, client: FlaskClient
) -> None:
    housing, parks = make_department(), make_department()
    author = make_user(email="dept.author@example.org", department=housing)
    hidden = make_thread(make_board(department=housing), author=author, title="Quietzebra plan")
    open_thread = make_thread(make_board(), author=author, title="Everyone may read this")
    login(make_user(department=parks))
    text = client.get("/u/dept.author").get_data(as_text=True)
    assert open_thread.title in text and hidden.title not in text


def test_deleted_threads_are_left_out(app: Any, login: Any, client: FlaskClient) -> None:
    author = make_user(email="tidy.author@example.org")
    kept = make_thread(make_board(), author=author, title="Kept thread about herons")
    gone = make_thread(make_board(), author=author, title="Deleted thread about egrets")
    board_services.delete_thread(gone, actor=author)
    db.session.commit()
    login(make_user())
    text = client.get("/u/tidy.author").get_data(as_text=True)
    assert kept.title in text and gone.title not in text


def test_unknown_handles_are_404_and_other_cases_redirect(
    app: Any, login: Any, client: FlaskClient
) -> None:
    make_user(email="mixed.case@example.org")
    login(make_user())
    assert client.get("/u/nobody-here").status_code == 404
    assert client.get("/u/%3Cscript%3E").status_code == 404
    response = client.get("/u/Mixed.Case")
    assert response.status_code == 301 and response.location == "/u/mixed.case"


def test_a_deactivated_persons_page_stays_and_says_so(
    app: Any, login: Any, client: FlaskClient
) -> None:
    admin = make_user(Role.ADMIN)
    gone = make_user(email="gone@example.org", display_name="Gone Person")
    thread = make_thread(make_board(), author=gone)
    account_services.admin_update_user(admin, gone, is_active=False)
    db.session.commit()
    login(make_user())
    assert 'href="/u/gone">Gone Person</a>' in client.get(f"/t/{thread.id}").get_data(as_text=True)
    page = client.get("/u/gone")
    assert page.status_code == 200
    assert "deactivated" in page.get_data(as_text=True)
    assert "Gone Person" not in client.get("/people").get_data(as_text=True)


def test_the_directory_filters_by_skill_department_role_and_training(
    app: Any, login: Any, client: FlaskClient
) -> None:
    housing = make_department(slug="housing", name="Housing")
    tiktok, plain = make_skill("TikTok"), make_skill("Plain English")
    sam = make_user(Role.ENTHUSIAST, display_name="Sam Riley", department=housing)
    lena = make_user(Role.MEMBER, display_name="Lena Fischer")
    make_user(display_name="Nobody Special")
    pick(sam, offers=[tiktok], wants=[plain])
    pick(lena, offers=[plain], wants=[tiktok])
    login(make_user(display_name="Reader"))

    def names(query: str) -> list[str]:
        page = client.get(f"/people?{query}")
        assert page.status_code == 200
        return re.findall(
            r'class="person-link" href="/u/[^"]+">([^<]+)</a>', page.get_data(as_text=True)
        )

    assert names("skill=TikTok") == ["Sam Riley"]
    assert names("skill=tiktok") == ["Sam Riley"]  # any case
    assert names("skill=Plain+English") == ["Lena Fischer"]
    assert names("training=TikTok") == ["Lena Fischer"]
    assert names("department=housing&role=enthusiast") == ["Sam Riley"]
    assert names("role=member&skill=TikTok") == []
    assert "Nobody Special" in names("")


def test_the_directory_is_paged_with_the_pager(app: Any, login: Any, client: FlaskClient) -> None:
    skill = make_skill("Photography")
    for n in range(32):
        pick(make_user(display_name=f"Photographer {n:02d}"), offers=[skill])
    login(make_user())
    first = client.get("/people?skill=Photography").get_data(as_text=True)
    assert 'rel="next" href="/people?page=2&amp;skill=Photography"' in first
    second = client.get("/people?skill=Photography&page=2").get_data(as_text=True)
    assert "Photographer 31" in second and "Photographer 00" not in second


def test_people_pick_their_skills_and_training_and_see_them_on_their_page(
    app: Any, login: Any, client: FlaskClient
) -> None:
    tiktok, plain = make_skill("TikTok"), make_skill("Plain English")
    me = make_user(email="me@example.org")
    login(me)
    assert client.get("/people/me/skills").status_code == 200
    response = client.post("/people/me/skills", data={"offers": [tiktok.id], "wants": [plain.id]})
    assert response.status_code == 302 and response.location == "/u/me"
    text = client.get("/u/me").get_data(as_text=True)
    assert 'href="/people?skill=TikTok"' in text and 'href="/people?training=Plain+English"' in text
    assert client.post("/people/me/skills", data={"offers": [999999]}).status_code == 400


def test_a_suggestion_waits_for_an_admin(app: Any, login: Any, client: FlaskClient) -> None:
    login(make_user())
    response = client.post("/people/me/suggestions", data={"suggestion": "  Podcasting "})
    assert response.status_code == 302
    page = client.get("/people/me/skills").get_data(as_text=True)
    assert "“Podcasting” waits for an admin" in page  # said once, and not on the list yet
    assert "Podcasting</label>" not in page
    again = client.post("/people/me/suggestions", data={"suggestion": "podcasting"})
    assert again.status_code == 409
    assert "waiting for an admin" in again.get_data(as_text=True)
