"""The private Atom feed of upcoming meet-ups, opened by the boards' feed key."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from xml.etree import ElementTree

from flask.testing import FlaskClient

from forum.boards.feeds import feed_key
from forum.extensions import db
from tests.boards.factories import make_board
from tests.factories import make_department, make_user, reload
from tests.meetups.factories import make_meetup

Login = Callable[..., FlaskClient]
ATOM = "{http://www.w3.org/2005/Atom}"


def test_feed_lists_upcoming_meetups_the_owner_may_see(login: Login, client: FlaskClient) -> None:
    housing, parks = make_department(), make_department()
    make_meetup(make_board(), title="Staff-wide picnic")
    make_meetup(make_board(department=parks), title="Parks-only quokka walk")
    make_meetup(make_board(), title="Last year's party", starts_in=-dt.timedelta(days=30))
    reader = make_user(department=housing)

    page = login(reader).get("/meetups").get_data(as_text=True)
    match = re.search(r'href="(/feeds/\d+/\w+/meetups\.xml)"', page)
    assert match is not None
    client.post("/logout")

    response = client.get(match.group(1))  # a feed reader: no session
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ElementTree.fromstring(response.get_data())  # noqa: S314  (our own response)
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]
    assert titles == ["Staff-wide picnic"]


def test_feed_key_is_checked_and_dies_with_the_password(client: FlaskClient) -> None:
    reader = make_user()
    other = make_user()
    assert client.get(f"/feeds/{reader.id}/{feed_key(other)}/meetups.xml").status_code == 404
    url = f"/feeds/{reader.id}/{feed_key(reader)}/meetups.xml"
    assert client.get(url).status_code == 200
    reader = reload(reader)
    reader.session_token = "rotated-by-a-password-change"
    db.session.commit()
    assert client.get(url).status_code == 404
