"""The composer: a plain file input in the new-thread and reply forms (no JavaScript needed),
the "Describe the image" field, and the upload the scripts use for drag and drop and paste."""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from forum.boards.models import Post, Thread
from forum.extensions import db
from forum.uploads.models import Upload
from tests.boards.factories import make_board, make_thread
from tests.conftest import csrf_token_from
from tests.factories import make_user, see_committed
from tests.uploads.images import SVG, phone_photo, png


def uploads_stored() -> int:
    see_committed()
    return db.session.scalar(select(func.count()).select_from(Upload)) or 0


def test_the_writing_forms_offer_a_labelled_file_input(app: Flask, login: Any, client: Any) -> None:
    user = make_user()
    board = make_board()
    thread = make_thread(board, author=user)
    login(user)
    for path in (f"/b/{board.slug}/new", f"/t/{thread.id}/reply", f"/t/{thread.id}"):
        html = client.get(path).get_data(as_text=True)
        assert 'enctype="multipart/form-data"' in html
        assert '<label for="attach-file">Image or document</label>' in html
        assert '<input type="file" id="attach-file" name="file"' in html
        assert '<label for="attach-alt">Describe the image</label>' in html
        assert 'src="/static/js/uploads.js"' in html
        assert "<script>" not in html


def test_a_new_thread_with_a_photo_gets_the_markdown_image_appended(
    app: Flask, login: Any, client: Any
) -> None:
    user = make_user()
    board = make_board()
    login(user)
    response = client.post(
        f"/b/{board.slug}/new",
        data={
            "kind": "win",
            "title": "The new sign-up page",
            "body": "It went live today.",
            "alt": "The sign-up page on a phone",
            "file": (io.BytesIO(phone_photo()), "IMG_0001.jpg"),
            "action": "post",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    see_committed()
    thread = db.session.scalars(select(Thread).where(Thread.title == "The new sign-up page")).one()
    body = thread.posts[0].body
    match = re.fullmatch(
        r"It went live today\.\n\n!\[The sign-up page on a phone\]\((/uploads/\d+/IMG_0001\.jpg)\)",
        body,
    )
    assert match, body
    assert '<img src="' + match.group(1) in thread.posts[0].body_html
    # The post uses the file, so every reader of the board may open it.
    reader = make_user()
    db.session.commit()
    login(reader)
    assert client.get(match.group(1)).status_code == 200


def test_a_reply_with_an_image_but_no_description_is_refused_and_stores_nothing(
    app: Flask, login: Any, client: Any
) -> None:
    user = make_user()
    thread = make_thread(make_board(), author=user)
    login(user)
    response = client.post(
        f"/t/{thread.id}/reply",
        data={"body": "Here it is.", "file": (io.BytesIO(png()), "shot.png"), "action": "post"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<p class="error" id="attach-alt-error">Describe the image' in html
    assert 'aria-invalid="true"' in html
    assert "Here it is." in html
    assert uploads_stored() == 0
    assert len(thread.posts) == 1


def test_a_reply_with_an_svg_is_refused_with_415_and_a_message_on_the_field(
    app: Flask, login: Any, client: Any
) -> None:
    user = make_user()
    thread = make_thread(make_board(), author=user)
    login(user)
    response = client.post(
        f"/t/{thread.id}/reply",
        data={
            "body": "Diagram attached.",
            "alt": "A diagram",
            "file": (io.BytesIO(SVG), "diagram.svg"),
            "action": "post",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 415
    html = response.get_data(as_text=True)
    assert '<p class="error" id="attach-file-error">Choose a PNG' in html
    assert uploads_stored() == 0


def test_a_refused_post_keeps_the_uploaded_file_in_its_text(
    app: Flask, login: Any, client: Any
) -> None:
    user = make_user()
    board = make_board()
    login(user)
    response = client.post(
        f"/b/{board.slug}/new",
        data={
            "kind": "win",
            "title": "",
            "body": "No title yet.",
            "alt": "A chart",
            "file": (io.BytesIO(png()), "chart.png"),
            "action": "post",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert uploads_stored() == 1
    assert "![A chart](/uploads/" in html
    url = re.search(r"\((/uploads/\d+/chart\.png)\)", html)
    assert url
    assert client.get(url.group(1)).status_code == 200


def test_a_reply_without_a_file_is_unchanged(app: Flask, login: Any, client: Any) -> None:
    user = make_user()
    thread = make_thread(make_board(), author=user)
    login(user)
    response = client.post(
        f"/t/{thread.id}/reply", data={"body": "Just words.", "alt": "", "action": "post"}
    )
    assert response.status_code == 302
    see_committed()
    assert db.session.scalars(select(Post.body).order_by(Post.id.desc())).first() == "Just words."


def test_the_scripts_upload_answers_with_the_markdown(app: Flask, login: Any, client: Any) -> None:
    login(make_user())
    response = client.post(
        "/uploads",
        data={"file": (io.BytesIO(png()), "pasted.png"), "alt": "The error message"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["is_image"] is True
    assert body["markdown"] == f"![The error message]({body['url']})"
    refused = client.post(
        "/uploads",
        data={"file": (io.BytesIO(SVG), "x.svg")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 415
    assert refused.get_json()["error"]["code"] == "unsupported_type"


def test_the_scripts_upload_needs_the_csrf_token(app: Flask, login: Any, client: Any) -> None:
    user = make_user()
    board = make_board()
    login(user)
    app.config["WTF_CSRF_ENABLED"] = True
    without = client.post(
        "/uploads",
        data={"file": (io.BytesIO(png()), "pasted.png")},
        content_type="multipart/form-data",
    )
    assert without.status_code == 400
    assert uploads_stored() == 0
    token = csrf_token_from(client.get(f"/b/{board.slug}/new").get_data(as_text=True))
    with_token = client.post(
        "/uploads",
        data={"csrf_token": token, "file": (io.BytesIO(png()), "pasted.png")},
        content_type="multipart/form-data",
    )
    assert with_token.status_code == 201


def test_a_file_over_the_limit_in_the_form_is_413_with_a_message(
    app: Flask, login: Any, client: Any
) -> None:
    app.config["UPLOAD_MAX_BYTES"] = 500
    user = make_user()
    thread = make_thread(make_board(), author=user)
    login(user)
    response = client.post(
        f"/t/{thread.id}/reply",
        data={
            "body": "The big one.",
            "alt": "A large chart",
            "file": (io.BytesIO(png(300, 300, "red") + b"\0" * 1000), "big.png"),
            "action": "post",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert '<p class="error" id="attach-file-error">Choose a file of at most' in html
    assert 'value="A large chart"' in html
    assert uploads_stored() == 0


def test_the_scripts_upload_is_throttled_per_person(app: Flask, login: Any, client: Any) -> None:
    app.config["UPLOAD_RATE_LIMIT"] = "2 per minute"
    login(make_user())
    statuses = [
        client.post(
            "/uploads",
            data={"file": (io.BytesIO(png()), "pasted.png")},
            content_type="multipart/form-data",
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [201, 201, 429]


def test_a_form_request_over_the_upload_limit_gets_the_413_page(
    app: Flask, login: Any, client: Any
) -> None:
    app.config["UPLOAD_MAX_BYTES"] = 10_000
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    user = make_user()
    thread = make_thread(make_board(), author=user)
    login(user)
    # The body is built here: the test client would spool a large file to an unclosed temp file.
    body = (
        b'--B\r\nContent-Disposition: form-data; name="body"\r\n\r\nBig.\r\n'
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + b"\0" * 1_100_000 + b"\r\n--B--\r\n"
    )
    response = client.post(
        f"/t/{thread.id}/reply", data=body, content_type="multipart/form-data; boundary=B"
    )
    assert response.status_code == 413
    assert "That upload is too large" in response.get_data(as_text=True)
    assert uploads_stored() == 0
