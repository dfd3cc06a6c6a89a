"""Every HTML form, with garbage or out-of-range values in its id-like fields, answers 4xx.

The crawl signs in as the demo admin (who is offered the most forms), follows the site's own
links, and submits each form once per bad value with one id-like field (an id's name, a hidden
number, a select of numbers, a number input) changed at a time; links whose query strings
carry ids are followed with the bad value instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from forum.accounts.demo import DEMO_PASSWORD, demo_email
from tests.demo_app import demo_app

BAD_IDS = [
    "9223372036854775808",  # 2**63: the first value SQLite's driver cannot bind
    "2147483648",  # 2**31: beyond PostgreSQL's INTEGER ids
    "99999999999999999999999999",
    "-1",
    "0",
    "1e3",
    "abc",
    "\u00b2",  # superscript two: str.isdigit() says yes, int() raises
    "\uff11\uff12",  # full-width digits: int() reads 12
]
# Field names that carry ids although their values on the page may not show it.
ID_NAMES = re.compile(
    r"(^|_)(id|ids)$|^(thread|post|profile|quote|cover|assignee|department|departments|board"
    r"|boards|users|moderators|webhook_endpoints|reply_to)$"
)
SKIP_PATHS = ("/logout", "/static/", "/feeds/", "/api/")
MAX_PAGES_PER_SHAPE = 1
# Query-string ids the code reads but no page links to (the demo has thread 1 and post 1).
UNLINKED = ["/t/1/escalate?post=1&profile=1"]


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    id_like: set[str] = field(default_factory=set)


class PageParser(HTMLParser):
    """The same-site links and the forms of one page, with each form's default values."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._options: list[str] = []
        self._in_textarea = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(a.get("action") or self.page_url, (a.get("method") or "get").upper())
        elif tag == "option" and self._select is not None:
            self._options.append(a.get("value", ""))
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input" and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            self._form.fields.append((a["name"], a.get("value", "")))
            hidden_number = a.get("type") == "hidden" and a.get("value", "").isdigit()
            if hidden_number or a.get("type") == "number":
                self._form.id_like.add(a["name"])
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "textarea":
            self._in_textarea = True
            self._form.fields.append((a["name"], ""))

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._in_textarea:
            name, value = self._form.fields[-1]
            self._form.fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._in_textarea = False
        elif tag == "select" and self._form is not None and self._select is not None:
            values = [v for v in self._options if v]
            self._form.fields.append((self._select, values[0] if values else ""))
            if values and all(v.isdigit() for v in values):
                self._form.id_like.add(self._select)
            self._select = None
        elif tag == "form" and self._form is not None:
            self._form.id_like |= {n for n, _ in self._form.fields if ID_NAMES.search(n)}
            self.forms.append(self._form)
            self._form = None


def _shape(url: str) -> str:
    """/t/12/reply?quote=31 -> /t/N/reply?quote: pages that differ only in their ids."""
    parts = urlsplit(url)
    keys = sorted({name for name, _ in parse_qsl(parts.query)})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def crawl(client: FlaskClient, start: str = "/", limit: int = 400) -> tuple[list[str], list[Form]]:
    """Pages reachable by links (at most a couple per URL shape) and every form on them."""
    queue, seen, shapes = [start], set(), dict[str, int]()
    pages: list[str] = []
    forms: dict[tuple[str, str, tuple[str, ...]], Form] = {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or path.startswith(SKIP_PATHS) or path.endswith((".csv", ".xml")):
            continue
        seen.add(url)
        if shapes.get(_shape(url), 0) >= MAX_PAGES_PER_SHAPE:
            continue
        shapes[_shape(url)] = shapes.get(_shape(url), 0) + 1
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages.append(url)
        parser = PageParser(url)
        parser.feed(response.get_data(as_text=True))
        queue += [link.split("#")[0] for link in parser.links]
        for form in parser.forms:
            key = (_shape(form.action), form.method, tuple(sorted(form.id_like)))
            forms.setdefault(key, form)
    return pages, list(forms.values())


@pytest.fixture(scope="module")
def site(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with demo_app(database_url, Path(tmp_path_factory.mktemp("crawl"))) as app:
        yield app


@pytest.fixture(scope="module")
def admin_client(site: Flask) -> FlaskClient:
    client = site.test_client()
    response = client.post("/login", data={"email": demo_email("admin"), "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture(scope="module")
def site_forms(admin_client: FlaskClient) -> tuple[list[str], list[Form]]:
    return crawl(admin_client)


def test_crawl_reaches_the_forms_that_carry_ids(site_forms: tuple[list[str], list[Form]]) -> None:
    pages, forms = site_forms
    actions = {_shape(f.action) for f in forms if f.id_like}
    assert len(pages) > 40
    for expected in (
        "/t/N/reply",
        "/t/N/solution",
        "/t/N/escalate",
        "/profiles/N/threads",
        "/notifications/read",
        "/settings/away",
    ):
        assert any(a.startswith(expected) for a in actions), (expected, sorted(actions))
    shapes = {_shape(page) for page in pages}
    for expected in ("/t/N/reply?quote", "/?kind"):
        assert expected in shapes, (expected, sorted(shapes))


@pytest.mark.parametrize("bad", BAD_IDS)
def test_no_form_fails_on_a_bad_id(
    admin_client: FlaskClient, site_forms: tuple[list[str], list[Form]], bad: str
) -> None:
    pages, forms = site_forms
    failures, sent = [], 0
    for form in forms:
        for name in sorted(form.id_like):
            data = [(n, bad if n == name else v) for n, v in form.fields]
            if form.method == "GET":
                url = form.action.split("?")[0] + "?" + urlencode(data)
                response = admin_client.get(url)
            else:
                response = admin_client.post(form.action, data=MultiDict(data))
            sent += 1
            if response.status_code >= 500:
                failures.append(f"{form.method} {form.action} {name}={bad}")
    for page in pages + UNLINKED:
        query = parse_qsl(urlsplit(page).query)
        for index, (name, value) in enumerate(query):
            if value.isdigit() or ID_NAMES.search(name):
                changed = [*query[:index], (name, bad), *query[index + 1 :]]
                url = urlsplit(page).path + "?" + urlencode(changed)
                sent += 1
                if admin_client.get(url).status_code >= 500:
                    failures.append(f"GET {url}")
    assert sent > 20
    assert failures == []
