"""A public corpus of XSS vectors through every field the forum shows, checked on whole pages.

Vectors: the 84 of tests/core/test_markup.py (which checks the Markdown renderer's output)
plus tests/security/xss_vectors.jsonl (OWASP filter evasion, PortSwigger, Markdown-specific,
spreadsheet formulas). Each one goes in through the real forms and the CSV import, as a post
title, body and tags, a display name, an escalation reason, a department name, and the fields of
a registry profile; then every page that shows them is parsed (tests/security/html_checks.py)
for anything that could run script. No request may fail with a 5xx either.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forum import create_app
from forum.accounts import services as account_services
from forum.accounts.models import Department, Role
from forum.boards import services as board_services
from forum.boards.models import BoardVisibility
from forum.escalations.models import Escalation
from forum.extensions import db
from forum.registry.models import SocialProfile
from tests.conftest import _empty_all_tables, base_config
from tests.core.test_markup import XSS_VECTORS
from tests.factories import PASSWORD
from tests.security.html_checks import script_capable_markup

CORPUS_FILE = Path(__file__).with_name("xss_vectors.jsonl")


def load_corpus() -> list[str]:
    extra = [
        json.loads(line)
        for line in CORPUS_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return list(dict.fromkeys([*XSS_VECTORS, *extra]))


VECTORS = load_corpus()


class Site:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.findings: list[str] = []

    def client(self, email: str) -> FlaskClient:
        client = self.app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302
        return client

    def check(self, client: FlaskClient, path: str, vector: str = "") -> str:
        response = client.get(path)
        assert response.status_code < 500, (path, vector)
        page = response.get_data(as_text=True)
        for finding in script_capable_markup(page):
            self.findings.append(f"{path} {finding} from {vector!r}")
        return page


@pytest.fixture(scope="module")
def site(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    config = {
        **base_config(database_url, tmp_path_factory.mktemp("xss")),
        "RATELIMIT_ENABLED": False,
    }
    app = create_app(config)
    try:
        with app.app_context():
            department = Department(slug="parks", name="Parks")
            db.session.add(department)
            db.session.flush()
            for role in Role:
                account_services.create_user(
                    f"{role.value}@example.org",
                    display_name=role.label,
                    role=role,
                    department=department,
                    password=PASSWORD,
                )
            admin = account_services.user_by_email("admin@example.org")
            assert admin is not None
            board_services.create_board(
                admin,
                slug="general",
                name="General",
                description="Everyone.",
                visibility=BoardVisibility.STAFF,
                department=None,
                position=1,
            )
            db.session.commit()
            yield Site(app)
            db.session.remove()
            db.engine.dispose()
    finally:
        _empty_all_tables(database_url)


def test_the_corpus_is_broad() -> None:
    assert len(VECTORS) > 250
    assert any(v.startswith("[") for v in VECTORS) and any("onerror" in v for v in VECTORS)


def test_posts_titles_tags_and_display_names(site: Site) -> None:
    writer = site.client("member@example.org")
    reader = site.client("senior@example.org")
    shown = 0
    for vector in VECTORS:
        named = writer.post(
            "/settings/profile",
            data={"display_name": vector[:120], "email_preference": "immediately"},
        )
        assert named.status_code < 500, vector
        response = writer.post(
            "/b/general/new",
            data={
                "kind": "question",
                "title": vector[:200],
                "body": vector,
                "tags": vector[:40],
                "action": "post",
            },
        )
        assert response.status_code < 500, vector
        if response.status_code == 302:
            shown += 1
            site.check(reader, response.headers["Location"], vector)
        else:
            # Refused as input: the form shown again with the values must be safe too.
            for finding in script_capable_markup(response.get_data(as_text=True)):
                site.findings.append(f"new-thread form {finding} from {vector!r}")
    assert shown > len(VECTORS) * 0.9
    for path in ("/", "/b/general", "/b/general?page=2", "/search?q=alert", "/notifications"):
        site.check(reader, path)
    site.check(reader, "/api/v1/openapi.json")
    assert site.findings == []


def test_replies_and_previews(site: Site) -> None:
    writer = site.client("enthusiast@example.org")
    thread = writer.post(
        "/b/general/new",
        data={"kind": "question", "title": "Replies", "body": "Start.", "action": "post"},
    )
    thread_path = thread.headers["Location"].split("#")[0]
    thread_id = re.search(r"/t/(\d+)", thread_path).group(1)  # type: ignore[union-attr]
    # Replies render like opening posts (checked above for every vector): a sample here, and
    # every vector through the editor's preview, which writes nothing.
    for vector in VECTORS[::8]:
        reply = writer.post(f"/t/{thread_id}/reply", data={"body": vector, "action": "post"})
        assert reply.status_code < 500, vector
    for vector in VECTORS:
        preview = writer.post("/preview", data={"body": vector})
        assert preview.status_code < 500, vector
        for finding in script_capable_markup(preview.get_data(as_text=True)):
            site.findings.append(f"/preview {finding} from {vector!r}")
    pages = 1 + len(VECTORS[::8]) // 20
    for page in range(1, pages + 1):
        site.check(writer, f"{thread_path}?page={page}")
    assert site.findings == []


def test_escalation_reasons_and_notes(site: Site) -> None:
    member = site.client("member@example.org")
    senior = site.client("senior@example.org")
    thread = member.post(
        "/b/general/new",
        data={"kind": "question", "title": "Escalated", "body": "Help.", "action": "post"},
    )
    thread_path = thread.headers["Location"].split("#")[0]
    thread_id = re.search(r"/t/(\d+)", thread_path).group(1)  # type: ignore[union-attr]
    for vector in VECTORS:
        response = member.post(
            f"/t/{thread_id}/escalate", data={"reason": vector, "urgency": "urgent"}
        )
        assert response.status_code < 500, vector
    site.check(senior, "/inbox")
    escalation_id = db.session.scalars(
        select(Escalation.id).where(Escalation.thread_id == int(thread_id))
    ).one()
    for vector in VECTORS[:60]:
        note = senior.post(f"/escalations/{escalation_id}/notes", data={"note": vector})
        assert note.status_code < 500, vector
    for path in (f"/escalations/{escalation_id}", thread_path, "/notifications"):
        site.check(senior, path)
        site.check(member, path)
    assert site.findings == []


def test_department_names(site: Site) -> None:
    admin = site.client("admin@example.org")
    for n, vector in enumerate(VECTORS):
        response = admin.post("/admin/departments", data={"slug": f"d-{n}", "name": vector[:200]})
        assert response.status_code < 500, vector
    for path in ("/admin/departments", "/admin/users", "/signup", "/profiles/new", "/insights"):
        site.check(admin, path)
    assert site.findings == []


def _profile_form(n: int, vector: str) -> dict[str, str]:
    return {
        "platform": "x",
        "url": f"https://x.com/xss_form_{n}",
        "display_name": vector[:200],
        "department": "parks",
        "purpose": "business_as_usual",
        "engagement_mode": "communicating",
        "owner": "member@example.org",
        "review_interval_months": "6",
        "description": vector,
        "credentials_note": vector,
    }


def test_registry_profile_fields(site: Site) -> None:
    admin = site.client("admin@example.org")
    member = site.client("member@example.org")
    created = 0
    for n, vector in enumerate(VECTORS):
        response = admin.post("/profiles/new", data=_profile_form(n, vector))
        assert response.status_code < 500, vector
        if response.status_code == 302:
            created += 1
            site.check(member, response.headers["Location"], vector)
            if n % 8 == 0:  # the edit form shows the same values in inputs
                site.check(admin, response.headers["Location"].split("#")[0] + "/edit", vector)
    assert created > len(VECTORS) * 0.9
    for path in ("/profiles", "/profiles?page=2", "/profiles?q=alert"):
        site.check(member, path)
    assert site.findings == []


def test_registry_csv_import(site: Site) -> None:
    import csv

    admin = site.client("admin@example.org")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["platform", "url", "display_name", "department", "owner", "description"])
    for n, vector in enumerate(VECTORS):
        writer.writerow(
            ["x", f"https://x.com/xss_csv_{n}", vector[:200], "parks", "member@example.org", vector]
        )
    upload = admin.post(
        "/profiles/import",
        data={"file": (io.BytesIO(out.getvalue().encode()), "profiles.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code < 500
    preview = upload.get_data(as_text=True)
    site.findings += [f"import preview {f}" for f in script_capable_markup(preview)]
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview) or re.search(
        r'name="token" value="([^"]+)"', preview
    )
    assert token, preview[:2000]
    applied = admin.post("/profiles/import/apply", data={"token": token.group(1)})
    assert applied.status_code < 500
    site.findings += [
        f"import result {f}" for f in script_capable_markup(applied.get_data(as_text=True))
    ]
    imported = db.session.scalars(
        select(SocialProfile.id).where(SocialProfile.url.like("%xss_csv_%"))
    ).all()
    assert len(imported) > len(VECTORS) * 0.9
    listing = site.check(admin, "/profiles?q=xss_csv")
    for profile_id in sorted(set(re.findall(r'href="/profiles/(\d+)"', listing)))[:40]:
        site.check(admin, f"/profiles/{profile_id}")
    assert site.findings == []
