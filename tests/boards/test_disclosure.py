"""A solution never names a fix thread its reader cannot see: service, choices, page, API, notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum.accounts.models import Role
from forum.alerts.models import Notification, OutboxMessage
from forum.boards import services
from forum.boards.models import BoardVisibility, PostKind
from forum.core.errors import Invalid
from forum.extensions import db
from tests.boards.factories import make_board, make_thread
from tests.factories import make_department, make_user

Api = Callable[[Any], Any]
SECRET = "Quokkaflume rent arrears script"


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    housing, parks = make_department(name="Housing"), make_department(name="Parks")
    asker = make_user(Role.ENTHUSIAST, department=parks)
    housing_board = make_board(department=housing, name="Housing only")
    return {
        "housing": housing,
        "parks": parks,
        "asker": asker,
        "senior": make_user(Role.SENIOR, department=housing),
        "open_board": make_board(),
        "housing_board": housing_board,
        "question": make_thread(make_board(), author=asker, kind=PostKind.QUESTION),
        "secret_fix": make_thread(housing_board, kind=PostKind.FIX, title=SECRET),
    }


def _texts_for(user: Any) -> str:
    notices = db.session.scalars(select(Notification).where(Notification.user_id == user.id))
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    return " ".join([f"{n.title} {n.body}" for n in notices] + [str(m.payload) for m in mails])


def test_a_department_only_fix_cannot_solve_a_thread_on_an_open_board(
    world: dict[str, Any],
) -> None:
    # The regression: a senior who sees both boards linked a Housing-only fix, and the asker
    # (Parks) was sent its title by notice and email.
    question, fix = world["question"], world["secret_fix"]
    with pytest.raises(Invalid) as refused:
        services.mark_solution(question, actor=world["senior"], solution_thread=fix)
    assert "Housing only" in refused.value.fields["solution_thread_id"]
    db.session.rollback()
    db.session.expire_all()
    assert not services.get_visible_thread(world["asker"], question.id).is_solved
    assert SECRET not in _texts_for(world["asker"])


def test_fix_choices_are_only_those_every_reader_of_the_thread_can_see(
    world: dict[str, Any],
) -> None:
    open_fix = make_thread(world["open_board"], kind=PostKind.FIX, title="Open fix")
    housing_question = make_thread(world["housing_board"], kind=PostKind.QUESTION)
    senior = world["senior"]

    assert [t.id for t in services.fix_threads_for(senior, world["question"])] == [open_fix.id]
    # On the Housing board itself, a Housing-only fix may solve a Housing question.
    assert {t.id for t in services.fix_threads_for(senior, housing_question)} == {
        open_fix.id,
        world["secret_fix"].id,
    }
    services.mark_solution(housing_question, actor=senior, solution_thread=world["secret_fix"])


def test_a_department_board_with_an_outside_moderator_may_not_name_another_department_board(
    world: dict[str, Any],
) -> None:
    outside_moderator = make_user(department=world["parks"])
    moderated = make_board(department=world["housing"], moderators=[outside_moderator])
    assert not services.readers_can_read(moderated, world["housing_board"])
    assert services.readers_can_read(world["housing_board"], moderated)
    assert services.readers_can_read(moderated, world["open_board"])
    assert not services.readers_can_read(world["open_board"], world["housing_board"])


def test_the_page_form_offers_only_fixes_every_reader_can_see(
    world: dict[str, Any], login: Callable[..., FlaskClient]
) -> None:
    question = world["question"]
    client = login(world["senior"])
    page = client.get(f"/t/{question.id}").get_data(as_text=True)
    assert "Solved by a fix thread?" in page
    assert SECRET not in page
    # The picker has its own page (the thread page does not query the choices on every view).
    picker = client.get(f"/t/{question.id}/solution")
    assert picker.status_code == 200
    assert 'name="solution_thread_id"' in picker.get_data(as_text=True)
    assert SECRET not in picker.get_data(as_text=True)
    response = client.post(
        f"/t/{question.id}/solution", data={"solution_thread_id": str(world["secret_fix"].id)}
    )
    assert response.status_code == 400


def test_the_api_refuses_the_link_with_a_field_message(world: dict[str, Any], api: Api) -> None:
    question = world["question"]
    response = api(world["senior"]).post(
        f"/api/v1/threads/{question.id}/solution",
        json={"solution_thread_id": world["secret_fix"].id},
    )
    assert response.status_code == 400
    assert "cannot see" in response.get_json()["error"]["fields"]["solution_thread_id"]


def test_a_fix_that_moves_out_of_sight_is_not_named_to_those_who_cannot_see_it(
    world: dict[str, Any], login: Callable[..., FlaskClient], api: Api
) -> None:
    question, asker, senior = world["question"], world["asker"], world["senior"]
    fix = make_thread(world["open_board"], kind=PostKind.FIX, title="Rota checklist")
    services.mark_solution(question, actor=senior, solution_thread=fix)
    db.session.commit()
    notice = db.session.scalar(
        select(Notification).where(
            Notification.user_id == asker.id, Notification.kind == "solution"
        )
    )
    assert notice is not None and "Rota checklist" in notice.body

    services.move_thread(fix, actor=make_user(Role.ADMIN), to_board=world["housing_board"])
    db.session.commit()

    client = login(asker)
    page = client.get(f"/t/{question.id}").get_data(as_text=True)
    assert "Solved" in page
    assert (
        f'Marked as solved by <a class="person-link" href="/u/{senior.handle}">'
        f"{senior.display_name}</a>" in page
    )
    assert "Rota checklist" not in page
    notices = client.get("/notifications").get_data(as_text=True)
    assert "Rota checklist" not in notices
    assert "something you can no longer see" in notices
    body = api(asker).get(f"/api/v1/threads/{question.id}").get_json()
    assert body["solution_thread_id"] is None
    listing = api(asker).get(f"/api/v1/boards/{question.board.slug}/threads").get_json()
    assert [t["solution_thread_id"] for t in listing["items"]] == [None]
    # Those who can see the fix still get it.
    assert (
        api(senior).get(f"/api/v1/threads/{question.id}").get_json()["solution_thread_id"] == fix.id
    )


def test_moving_a_board_to_department_only_hides_stored_notices_about_its_threads(
    world: dict[str, Any],
) -> None:
    from forum.alerts import services as alerts

    board = make_board()
    watcher = make_user(department=world["parks"])
    thread = make_thread(board)
    services.watch_thread(watcher, thread)
    services.add_post(thread, author=thread.author, body="Update on the rota.")
    db.session.commit()
    assert [n.title for n in alerts.list_notifications(watcher).items if n.kind == "reply"]

    board.visibility, board.department = BoardVisibility.DEPARTMENT, world["housing"]
    db.session.commit()
    shown = [n for n in alerts.list_notifications(watcher).items if n.kind == "reply"]
    assert [n.withdrawn for n in shown] == [True]
    assert thread.title not in shown[0].title and shown[0].body == ""
