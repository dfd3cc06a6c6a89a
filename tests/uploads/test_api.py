"""POST /api/v1/uploads: what is accepted, how it is stored, and the limits (413, 415, quota)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from PIL import Image

from forum.accounts.models import Role
from tests.factories import make_user
from tests.uploads.images import HTML, PDF, SVG, gps_of, phone_photo, png


def send(client: Any, data: bytes, name: str = "shot.png", field: str = "file") -> Any:
    return client.post(
        "/api/v1/uploads",
        data={field: (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_image_upload_answers_201_with_its_url_and_thumbnail_url(app: Flask, api: Any) -> None:
    member = api(make_user())
    response = send(member, png(800, 600), "Screenshot 2026-12-04 at 10.15.png")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["url"] == f"/uploads/{body['id']}/Screenshot_2026-12-04_at_10.15.png"
    assert (
        body["thumbnail_url"] == f"/uploads/{body['id']}/thumb/Screenshot_2026-12-04_at_10.15.png"
    )
    assert (body["width"], body["height"]) == (800, 600)
    image = member.get(body["url"])
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    assert Image.open(io.BytesIO(image.data)).size == (800, 600)
    thumb = member.get(body["thumbnail_url"])
    assert thumb.status_code == 200
    assert Image.open(io.BytesIO(thumb.data)).size == (400, 300)


def test_stored_photo_has_no_gps_and_is_turned_upright(app: Flask, api: Any) -> None:
    member = api(make_user())
    original = phone_photo()
    assert gps_of(original)  # the photo says where it was taken
    body = send(member, original, "IMG_2041.JPG").get_json()
    stored = member.get(body["url"]).data
    assert gps_of(stored) == {}
    assert b"Exif" not in stored
    assert b"PhoneMaker" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    # 40 x 20 turned a quarter clockwise: the red left half is now on top.
    assert image.size == (20, 40)
    assert image.getpixel((10, 5))[0] > 200
    assert image.getpixel((10, 35))[2] > 200
    assert body["url"].endswith("/IMG_2041.jpg")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (SVG, "diagram.svg"),
        (SVG, "diagram.png"),
        (HTML, "page.html"),
        (HTML, "photo.jpg"),
        (b"MZ\x90\x00 an executable renamed", "holiday.gif"),
        (b"just text", "notes.pdf"),
    ],
)
def test_svg_html_and_renamed_files_are_refused_with_415(
    app: Flask, api: Any, data: bytes, name: str
) -> None:
    response = send(api(make_user()), data, name)
    assert response.status_code == 415
    error = response.get_json()["error"]
    assert error["code"] == "unsupported_type"
    assert "PNG" in error["message"]


def test_a_broken_image_is_refused_with_415(app: Flask, api: Any) -> None:
    truncated = png(200, 200)[:60]
    response = send(api(make_user()), truncated)
    assert response.status_code == 415
    assert response.get_json()["error"]["fields"]["file"]


def test_pdf_is_accepted_as_a_document_and_stored_as_sent(app: Flask, api: Any) -> None:
    member = api(make_user())
    response = send(member, PDF, "minutes.pdf")
    assert response.status_code == 201
    body = response.get_json()
    assert body["thumbnail_url"] is None
    assert body["content_type"] == "application/pdf"
    assert member.get(body["url"]).data == PDF


def test_documents_are_refused_when_no_document_type_is_configured(app: Flask, api: Any) -> None:
    app.config["UPLOAD_DOCUMENT_TYPES"] = []
    response = send(api(make_user()), PDF, "minutes.pdf")
    assert response.status_code == 415
    assert "PDF" not in response.get_json()["error"]["message"]


def test_a_file_over_the_size_limit_is_413(app: Flask, api: Any) -> None:
    app.config["UPLOAD_MAX_BYTES"] = 1000
    member = api(make_user())
    response = send(member, png(64, 64, "red") + b"\0" * 2000)
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "too_large"
    assert "at most" in error["fields"]["file"]
    assert send(member, png(8, 8)).status_code == 201


def test_a_request_over_the_upload_limit_is_a_clean_413(app: Flask, api: Any) -> None:
    app.config["UPLOAD_MAX_BYTES"] = 10_000
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    # The body is built here: the test client would spool a large file to an unclosed temp file.
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n'
        b"Content-Type: image/png\r\n\r\n"
        + b"\x89PNG\r\n\x1a\n"
        + b"\0" * 1_200_000
        + b"\r\n--B--\r\n"
    )
    response = api(make_user()).post(
        "/api/v1/uploads", data=body, content_type="multipart/form-data; boundary=B"
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_uploads_may_be_larger_than_other_requests(app: Flask, api: Any) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    noisy = Image.effect_noise((300, 300), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert len(out.getvalue()) > 50_000
    assert send(api(make_user()), out.getvalue()).status_code == 201


def test_an_image_over_the_pixel_limit_is_413(app: Flask, api: Any) -> None:
    app.config["UPLOAD_MAX_PIXELS"] = 10_000
    response = send(api(make_user()), png(200, 100))
    assert response.status_code == 413
    assert "200 by 100 pixels" in response.get_json()["error"]["message"]


def test_a_decompression_bomb_is_413(app: Flask, api: Any) -> None:
    # A tiny file that would decode to 25,000 x 25,000 pixels.
    out = io.BytesIO()
    Image.new("1", (25_000, 25_000)).save(out, "PNG")
    assert len(out.getvalue()) < 200_000
    response = send(api(make_user()), out.getvalue())
    assert response.status_code == 413


def test_the_quota_per_person_refuses_what_does_not_fit(app: Flask, api: Any) -> None:
    member = api(make_user())
    first = send(member, png(64, 64))
    assert first.status_code == 201
    app.config["UPLOAD_QUOTA_BYTES"] = first.get_json()["size_bytes"] + 100
    refused = send(member, png(64, 64, "blue"))
    assert refused.status_code == 413
    assert "allowance" in refused.get_json()["error"]["message"]
    # The quota is per person: a colleague still has all of theirs.
    assert send(api(make_user()), png(64, 64, "blue")).status_code == 201


def test_a_request_without_a_file_is_400(app: Flask, api: Any) -> None:
    response = send(api(make_user()), png(), field="picture")
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]["file"]


def test_uploading_needs_a_token(app: Flask, client: Any) -> None:
    response = send(client, png())
    assert response.status_code == 401


def test_the_openapi_document_describes_the_multipart_upload(app: Flask, client: Any) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/uploads"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"201", "413", "415"} <= set(operation["responses"])


def test_admins_may_open_any_upload(app: Flask, api: Any) -> None:
    body = send(api(make_user()), png()).get_json()
    assert api(make_user(role=Role.ADMIN)).get(body["url"]).status_code == 200


def test_an_animated_gif_keeps_its_frames_within_the_pixel_limit(app: Flask, api: Any) -> None:
    frames = [Image.new("RGB", (50, 50), color) for color in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    member = api(make_user())
    body = send(member, out.getvalue(), "spinner.gif").get_json()
    stored = Image.open(io.BytesIO(member.get(body["url"]).data))
    assert stored.format == "GIF"
    assert stored.n_frames == 3
    # The limit counts every frame: three frames of 2,500 pixels are over 7,000.
    app.config["UPLOAD_MAX_PIXELS"] = 7_000
    refused = send(member, out.getvalue(), "spinner.gif")
    assert refused.status_code == 413
    assert "3 frames" in refused.get_json()["error"]["message"]
