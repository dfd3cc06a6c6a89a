"""Private Atom feeds: what the key's owner may see, nothing for anyone else."""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

from flask import Flask
from flask.testing import FlaskClient

from forum.accounts import services as account_services
from forum.accounts.models import Role
from forum.boards import services
from forum.boards.feeds import feed_urls
from forum.boards.models import BoardVisibility
from forum.extensions import db
from tests.factories import PASSWORD, make_department, make_user

ATOM = "{http://www.w3.org/2005/Atom}"


def _setup() -> dict[str, Any]:
    admin = make_user(Role.ADMIN)
    parks, housing = make_department(), make_department()
    staff_board = services.create_board(admin, slug="everyone", name="Everyone")
    parks_board = services.create_board(
        admin,
        slug="parks-only",
        name="Parks only",
        visibility=BoardVisibility.DEPARTMENT,
        department=parks,
    )
    reader = make_user(department=housing)
    services.create_thread(
        staff_board,
        author=admin,
        kind="win",
        title="Open <win> & more",
        body="Visible to all.",
        tags=[],
    )
    services.create_thread(
        parks_board, author=admin, kind="failure", title="Parks secret", body="Only parks.", tags=[]
    )
    db.session.commit()
    return {"reader": reader, "staff_board": staff_board}


def feed_path(app: Flask, user: Any, slug: str | None = None) -> str:
    with app.test_request_context():
        return feed_urls(user, slug)


def _titles(body: bytes) -> list[str]:
    root = ElementTree.fromstring(body)  # noqa: S314  (our own response)
    return [entry.findtext(f"{ATOM}title") or "" for entry in root.iter(f"{ATOM}entry")]


def test_activity_feed_shows_what_the_owner_sees(app: Flask) -> None:
    data = _setup()
    client = app.test_client()  # a feed reader: no session
    response = client.get(feed_path(app, data["reader"]))
    assert response.status_code == 200
    assert response.content_type.startswith("application/atom+xml")
    titles = _titles(response.data)
    assert titles == ["[Win] Open <win> & more"]  # escaped in XML, parsed back here


def test_board_feed_and_invisible_board(app: Flask) -> None:
    data = _setup()
    client = app.test_client()
    assert _titles(client.get(feed_path(app, data["reader"], "everyone")).data) == [
        "[Win] Open <win> & more"
    ]
    assert client.get(feed_path(app, data["reader"], "parks-only")).status_code == 404


def test_wrong_key_and_rotated_key_are_404(app: Flask) -> None:
    data = _setup()
    reader = data["reader"]
    client = app.test_client()
    url = feed_path(app, reader)
    assert client.get(re.sub(r"/[0-9a-f]{32}/", "/" + "0" * 32 + "/", url)).status_code == 404
    account_services.change_password(reader, PASSWORD, "a different password")
    db.session.commit()
    assert client.get(url).status_code == 404
    assert client.get(feed_path(app, reader)).status_code == 200


def test_home_page_links_the_private_feed(app: Flask, client: FlaskClient, login: Any) -> None:
    user = make_user()
    login(user)
    page = client.get("/").get_data(as_text=True)
    assert feed_path(app, user) in page
