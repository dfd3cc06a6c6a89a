"""Serving uploads: their headers, and who may open them (as visible as the threads using them)."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask

from forum.accounts.models import Role
from forum.boards import services as board_services
from forum.extensions import db
from tests.boards.factories import make_board, make_thread
from tests.factories import make_department, make_user, reload
from tests.uploads.images import PDF, png


def upload(client: Any, data: bytes | None = None, name: str = "shot.png") -> dict[str, Any]:
    response = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(data or png()), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def test_images_are_served_inline_with_nosniff_and_a_sandbox(app: Flask, api: Any) -> None:
    member = api(make_user())
    body = upload(member, name="chart.png")
    for url in (body["url"], body["thumbnail_url"]):
        response = member.get(url)
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == 'inline; filename="chart.png"'
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        csp = response.headers["Content-Security-Policy"]
        assert csp.startswith("sandbox;")
        assert "default-src 'none'" in csp
        assert "script-src" not in csp
        assert response.mimetype == "image/png"


def test_documents_are_served_as_attachments(app: Flask, api: Any) -> None:
    member = api(make_user())
    body = upload(member, PDF, "minutes.pdf")
    response = member.get(body["url"])
    assert response.headers["Content-Disposition"] == 'attachment; filename="minutes.pdf"'
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Security-Policy"].startswith("sandbox;")
    # No thumbnail: its address gives the file itself.
    assert member.get(f"/uploads/{body['id']}/thumb/minutes.pdf").data == PDF


def test_a_served_file_answers_a_conditional_request_with_304(app: Flask, api: Any) -> None:
    member = api(make_user())
    body = upload(member)
    etag = member.get(body["url"]).headers["ETag"]
    assert member.get(body["url"], headers={"If-None-Match": etag}).status_code == 304


def test_an_unused_upload_is_seen_only_by_its_uploader_and_admins(
    app: Flask, api: Any, client: Any
) -> None:
    owner = make_user()
    colleague = make_user(department=owner.department)
    body = upload(api(owner))
    assert api(colleague).get(body["url"]).status_code == 404
    assert api(colleague).get(body["thumbnail_url"]).status_code == 404
    assert api(make_user(role=Role.ADMIN)).get(body["url"]).status_code == 200
    assert client.get(body["url"]).status_code == 302  # signed out: to /login


def test_a_file_in_a_department_thread_is_hidden_from_other_departments(
    app: Flask, api: Any, login: Any, client: Any
) -> None:
    department = make_department()
    owner = make_user(department=department)
    body = upload(api(owner))
    board = make_board(department=department)
    make_thread(board, author=owner, body=f"Our dashboard:\n\n![The dashboard]({body['url']})")
    colleague = make_user(department=department)
    outsider = make_user(department=make_department())
    db.session.commit()
    assert api(colleague).get(body["url"]).status_code == 200
    assert api(colleague).get(body["thumbnail_url"]).status_code == 200
    assert api(outsider).get(body["url"]).status_code == 404
    assert api(outsider).get(body["thumbnail_url"]).status_code == 404
    # Pages too: the signed-in outsider is answered like a file that does not exist.
    login(outsider)
    assert client.get(body["url"]).status_code == 404


def test_a_file_used_on_an_all_staff_board_is_open_to_all_staff(app: Flask, api: Any) -> None:
    owner = make_user()
    body = upload(api(owner))
    thread = make_thread(make_board(), author=owner, body="Before:")
    board_services.add_post(thread, author=owner, body=f"After:\n\n![Chart]({body['url']})")
    db.session.commit()
    assert api(make_user(department=make_department())).get(body["url"]).status_code == 200


def test_moving_the_thread_to_a_department_board_hides_the_file(app: Flask, api: Any) -> None:
    department = make_department()
    owner = make_user(department=department)
    body = upload(api(owner))
    thread = make_thread(make_board(), author=owner, body=f"![Chart]({body['url']})")
    outsider = api(make_user(department=make_department()))
    assert outsider.get(body["url"]).status_code == 200
    board_services.move_thread(
        reload(thread), actor=make_user(role=Role.ADMIN), to_board=make_board(department=department)
    )
    db.session.commit()
    assert outsider.get(body["url"]).status_code == 404


def test_pasting_someone_elses_address_does_not_publish_their_file(app: Flask, api: Any) -> None:
    owner = make_user()
    body = upload(api(owner))
    snoop = make_user()
    make_thread(make_board(), author=snoop, body=f"![Guess]({body['url']})")
    db.session.commit()
    assert api(make_user()).get(body["url"]).status_code == 404


def test_editing_the_image_out_of_the_post_makes_the_file_private_again(
    app: Flask, api: Any
) -> None:
    owner = make_user()
    body = upload(api(owner))
    thread = make_thread(make_board(), author=owner, body=f"![Chart]({body['url']})")
    reader = api(make_user())
    assert reader.get(body["url"]).status_code == 200
    first = thread.posts[0]
    board_services.edit_post(first, editor=owner, body="No chart after all.")
    db.session.commit()
    assert reader.get(body["url"]).status_code == 404


def test_a_wrong_name_or_id_is_404(app: Flask, api: Any) -> None:
    member = api(make_user())
    body = upload(member, name="chart.png")
    assert member.get(f"/uploads/{body['id']}/other.png").status_code == 404
    assert member.get(f"/uploads/{body['id'] + 1}/chart.png").status_code == 404
    assert member.get("/uploads/99999999999/chart.png").status_code == 404


def test_hiding_or_deleting_the_post_closes_the_file_and_restoring_reopens_it(
    app: Flask, api: Any, runner: Any
) -> None:
    owner = make_user()
    body = upload(api(owner))
    thread = make_thread(make_board(), author=owner, body="The report.")
    post = board_services.add_post(thread, author=owner, body=f"![Chart]({body['url']})")
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    reader = api(make_user())
    assert reader.get(body["url"]).status_code == 200
    board_services.hide_post(reload(post), actor=admin, reason="Shows a resident's address.")
    db.session.commit()
    assert reader.get(body["url"]).status_code == 404
    assert api(owner).get(body["url"]).status_code == 200
    board_services.restore_post(reload(post), actor=admin)
    db.session.commit()
    assert reader.get(body["url"]).status_code == 200
    board_services.delete_post(reload(post), actor=owner)
    db.session.commit()
    assert reader.get(body["url"]).status_code == 404
    # A deleted post still holds its file, so restoring it brings the image back.
    app.config["UPLOAD_ORPHAN_HOURS"] = 0
    assert runner.invoke(args=["uploads", "cleanup"]).output == "Deleted 0 unused uploads.\n"
    board_services.restore_post(reload(post), actor=admin)
    db.session.commit()
    assert reader.get(body["url"]).status_code == 200


def test_addresses_that_name_no_upload_are_ignored_in_posts(app: Flask, api: Any) -> None:
    owner = make_user()
    thread = make_thread(
        make_board(),
        author=owner,
        body="![a](/uploads/99999999999/x.png) ![b](/uploads/0/y.png) ![c](/uploads/123/z.png)",
    )
    db.session.commit()
    assert api(owner).get(f"/api/v1/threads/{thread.id}").status_code == 200


def test_a_merged_threads_files_follow_its_posts(app: Flask, api: Any) -> None:
    department = make_department()
    owner = make_user(department=department)
    body = upload(api(owner))
    older = make_thread(make_board(department=department), author=owner, body="First report.")
    newer = make_thread(make_board(), author=owner, body=f"![Chart]({body['url']})")
    colleague = api(make_user(department=department))
    outsider = api(make_user(department=make_department()))
    assert outsider.get(body["url"]).status_code == 200
    board_services.merge_thread(reload(newer), into=reload(older), actor=make_user(role=Role.ADMIN))
    db.session.commit()
    # The image is now shown in a department thread: its readers see it, nobody else.
    assert colleague.get(body["url"]).status_code == 200
    assert outsider.get(body["url"]).status_code == 404
