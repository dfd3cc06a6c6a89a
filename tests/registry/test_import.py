"""CSV import: unreadable rows, one upload check, a dry run that writes nothing, batches."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, event, func, select, text

from forum.accounts.models import Role, User
from forum.extensions import db
from forum.registry import services
from forum.registry.models import ProfileChange, SocialProfile
from tests.factories import make_department, make_user

HEADER = "platform,url,display_name,department,owner,backup_owner\n"
WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "RELEASE", "REPLACE")


def _count(model: type = SocialProfile) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _rows(count: int, start: int = 0) -> str:
    """`count` new accounts, owned by the ten people `_people` creates."""
    return HEADER + "".join(
        f"x,https://x.com/acct_{n},Account {n},parks,owner{n % 10}@example.org,"
        f"backup{n % 10}@example.org\n"
        for n in range(start, start + count)
    )


def _people() -> User:
    make_department(slug="parks")
    for n in range(10):
        make_user(email=f"owner{n}@example.org")
        make_user(email=f"backup{n}@example.org")
    admin = make_user(Role.ADMIN)
    db.session.commit()
    return admin


@contextmanager
def _statements() -> Iterator[list[tuple[str, str]]]:
    """Every SQL statement run meanwhile, with how its transaction began ("BEGIN",
    "BEGIN IMMEDIATE", or "" where the driver begins it implicitly, as psycopg does)."""
    seen: list[tuple[str, str]] = []
    began = {"how": ""}

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("BEGIN"):
            began["how"] = statement.strip()
        seen.append((statement.strip(), began["how"]))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


# --- item 5: rows the CSV reader rejects, and one check of the uploaded file ---------------


BROKEN = (
    HEADER + "x,https://x.com/first,First,parks,,\n"
    "x,https://x.com/bare\rcr,Bare CR,parks,,\n"
    'x,https://x.com/huge,"' + "h" * 140_000 + '",parks,,\n'
    "x,https://x.com/last,Last,parks,,\n"
)


def test_unreadable_rows_are_row_errors_with_their_row_number(app: Flask) -> None:
    admin = _people()
    report = services.check_import(admin, BROKEN)
    by_row = {row.row: row for row in report.rows}
    assert by_row[2].action == "create" and by_row[5].action == "create"
    assert by_row[3].action == "error" and "carriage return" in by_row[3].errors["row"]
    assert by_row[4].action == "error" and "131,072" in by_row[4].errors["row"]
    applied = services.apply_import(admin, BROKEN, commit=db.session.commit)
    assert applied.applied is False and applied.error_count == 2
    assert _count() == 0


def test_page_and_api_report_unreadable_rows_instead_of_failing(
    app: Flask, client: FlaskClient, login: Any, api: Any
) -> None:
    admin = _people()
    page = login(admin).post(
        "/profiles/import",
        data={"file": (io.BytesIO(BROKEN.encode()), "broken.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2 with errors" in html and "carriage return" in html
    response = api(admin).post(
        "/api/v1/profiles/import?dry_run=1", data=BROKEN.encode(), content_type="text/csv"
    )
    assert response.status_code == 200
    assert [row["row"] for row in response.get_json()["rows"] if row["errors"]] == [3, 4]


def test_a_nul_character_is_refused_alike_by_page_api_and_cli(
    app: Flask, client: FlaskClient, login: Any, api: Any, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    admin = _people()
    poisoned = (HEADER + "x,https://x.com/nul,Name\x00with NUL,parks,,\n").encode()
    message = "NUL character"

    page = login(admin).post(
        "/profiles/import",
        data={"file": (io.BytesIO(poisoned), "nul.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    assert "Apply the import" not in page.get_data(as_text=True)

    response = api(admin).post("/api/v1/profiles/import", data=poisoned, content_type="text/csv")
    assert response.status_code == 400
    assert message in response.get_json()["error"]["fields"]["body"]

    path = tmp_path / "nul.csv"
    path.write_bytes(poisoned)
    result = runner.invoke(args=["registry", "import", str(path), "--as", admin.email, "--apply"])
    assert result.exit_code == 1 and message in result.output
    assert _count() == 0


# --- item 6: a dry run that writes nothing; batches; linear work -----------------------


def test_a_dry_run_writes_nothing_not_even_platform_seeds(app: Flask) -> None:
    admin = _people()  # the platforms table is still empty here
    with _statements() as seen:
        report = services.check_import(admin, _rows(30))
    assert report.count("create") == 30
    assert [sql for sql, _how in seen if sql.upper().startswith(WRITES)] == []
    assert all(how != "BEGIN IMMEDIATE" for _sql, how in seen)


def test_page_and_api_dry_runs_read_outside_the_write_lock(
    app: Flask, client: FlaskClient, login: Any, api: Any
) -> None:
    admin = _people()
    upload = {"file": (io.BytesIO(_rows(5).encode()), "p.csv")}
    with _statements() as seen:
        page = login(admin).post(
            "/profiles/import", data=upload, content_type="multipart/form-data"
        )
        response = api(admin).post(
            "/api/v1/profiles/import?dry_run=1",
            data=_rows(5).encode(),
            content_type="text/csv",
        )
    assert page.status_code == 200 and response.status_code == 200
    reads = [how for sql, how in seen if "FROM social_profiles" in sql]
    assert len(reads) == 2
    # A writing request begins IMMEDIATE; the check must not run inside that transaction.
    assert "BEGIN IMMEDIATE" not in reads
    assert not [sql for sql, _how in seen if sql.startswith(("INSERT INTO social", "SAVEPOINT"))]


def test_statements_grow_linearly_with_the_rows(app: Flask) -> None:
    admin = _people()
    counts = {}
    for size, start in ((500, 0), (1000, 10_000)):
        with _statements() as seen:
            services.check_import(admin, _rows(size, start))
        db.session.rollback()
        checked = len(seen)
        with _statements() as seen:
            report = services.apply_import(admin, _rows(size, start), commit=db.session.commit)
        assert report.applied and report.count("create") == size
        counts[size] = (checked, len(seen))
    (check_500, apply_500), (check_1000, apply_1000) = counts[500], counts[1000]
    # A check loads what a batch of 200 rows needs in a few queries, whatever the rows.
    assert check_1000 <= 2 * check_500 and check_1000 <= 1000 // 20
    # Writing is at most about one statement per new row (SQLite inserts rows one by one
    # to learn their ids; PostgreSQL batches them) plus a few per batch.
    assert apply_1000 <= 2 * apply_500 and apply_1000 <= 1000 + 1000 // 5
    assert _count() == 1500 and _count(ProfileChange) == 1500


def test_an_import_commits_batch_by_batch_through_the_callers_commit(
    app: Flask, database_url: str
) -> None:
    admin = _people()
    other = create_engine(database_url)  # what another worker sees
    seen_by_other: list[int] = []
    progress: list[tuple[str, int, int]] = []

    def commit() -> None:
        db.session.commit()
        with other.connect() as connection:
            seen_by_other.append(
                connection.execute(text("SELECT count(*) FROM social_profiles")).scalar_one()
            )

    report = services.apply_import(
        admin,
        _rows(450),
        commit=commit,
        batch_size=200,
        progress=lambda *step: progress.append(step),
    )
    other.dispose()
    assert report.applied and report.count("create") == 450
    # After the check (nothing yet), then after each batch of 200.
    assert seen_by_other == [0, 200, 400, 450]
    assert progress == [
        ("check", 200, 450),
        ("check", 400, 450),
        ("check", 450, 450),
        ("write", 200, 450),
        ("write", 400, 450),
        ("write", 450, 450),
    ]
    assert all(row.profile_id for row in report.rows)


def test_a_row_that_goes_stale_after_the_check_is_reported_and_the_rest_imported(
    app: Flask,
) -> None:
    admin = _people()
    calls = {"n": 0}

    def commit() -> None:
        db.session.commit()
        calls["n"] += 1
        if calls["n"] == 1:  # between the check and the writes, row 3's owner leaves
            leaver = db.session.scalar(select(User).where(User.email == "owner1@example.org"))
            assert leaver is not None
            leaver.is_active = False
            db.session.commit()

    report = services.apply_import(admin, _rows(3), commit=commit)
    assert report.applied
    assert [row.action for row in report.rows] == ["create", "error", "create"]
    assert "deactivated" in report.rows[1].errors["owner"]
    assert _count() == 2


def test_cli_import_writes_in_batches_and_says_so(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    admin = _people()
    path = tmp_path / "many.csv"
    path.write_text(_rows(450))
    result = runner.invoke(args=["registry", "import", str(path), "--as", admin.email])
    assert result.exit_code == 0, result.output
    assert "Dry run: 450 new" in result.output and _count() == 0
    result = runner.invoke(args=["registry", "import", str(path), "--as", admin.email, "--apply"])
    assert result.exit_code == 0, result.output
    assert "Imported: 450 new" in result.output and _count() == 450
    again = runner.invoke(args=["registry", "import", str(path), "--as", admin.email, "--apply"])
    assert "0 new, 0 updated, 450 unchanged" in again.output


def test_the_dry_run_page_lists_changes_and_summarizes_unchanged_rows(
    app: Flask, client: FlaskClient, login: Any
) -> None:
    admin = _people()
    services.apply_import(admin, _rows(5), commit=db.session.commit)
    changed = _rows(5).replace("Account 3,", "Account three,") + _rows(1, start=5)[len(HEADER) :]

    def dry_run(csv_text: str) -> str:
        page = login(admin).post(
            "/profiles/import",
            data={"file": (io.BytesIO(csv_text.encode()), "profiles.csv")},
            content_type="multipart/form-data",
        )
        assert page.status_code == 200
        return page.get_data(as_text=True)

    html = dry_run(changed)
    assert "6 rows: 1 to register, 1 to update, 4 unchanged" in html
    assert "4 rows already match the registry and are not listed." in html
    assert "Account three" in html and "Account 5" in html
    assert "Account 1<" not in html  # an unchanged row is not listed
    assert "Apply the import" in html

    same = dry_run(_rows(5))
    assert "5 rows already match the registry" in same
    assert "Nothing to change: every row already matches the registry." in same
    assert "Apply the import" not in same
