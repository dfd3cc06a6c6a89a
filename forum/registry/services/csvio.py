"""CSV export that is safe to open in a spreadsheet, and CSV import with a dry run.

Export then import changes nothing: rows are matched by `id` (or, without one, by the
account's canonical URL or permanent id), unchanged rows are left alone, and the `'` that
export puts before formula-like values is taken off again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from forum.accounts.models import User
from forum.core.db import utcnow
from forum.core.errors import ForumError, Invalid, NotPermitted
from forum.extensions import db
from forum.registry import permissions
from forum.registry.models import SocialProfile
from forum.registry.services.attention import needs_attention
from forum.registry.services.profiles import (
    change_status,
    find_duplicate,
    register_profile,
    update_profile,
)
from forum.registry.services.validation import FIELDS, clean, current_values

# Read-only columns export adds for people; import ignores them.
READ_ONLY = ("canonical_url", "last_reviewed_at", "last_reviewed_by", "needs_attention")
COLUMNS: tuple[str, ...] = ("id", *FIELDS, "status", "status_reason", *READ_ONLY)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_IMPORT_ROWS = 5000


def spreadsheet_safe(value: str) -> str:
    """Prefix `'` so no cell starts a formula (=, +, -, @, tab or carriage return)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unescape_cell(value: str) -> str:
    """Undo `spreadsheet_safe`."""
    if value.startswith("'") and value[1:2] and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def export_csv(profiles: Iterable[SocialProfile], *, today: dt.date | None = None) -> str:
    """Every profile as one CSV row (header first), spreadsheet-safe."""
    today = today or utcnow().date()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for profile in profiles:
        values = current_values(profile)
        values.update(
            {
                "id": profile.id,
                "status": str(profile.status),
                "status_reason": profile.status_reason or "",
                "canonical_url": profile.canonical_url,
                "last_reviewed_at": profile.last_reviewed_at,
                "last_reviewed_by": profile.last_reviewed_by.email
                if profile.last_reviewed_by
                else "",
                "needs_attention": "; ".join(r.code for r in needs_attention(profile, today)),
            }
        )
        writer.writerow([spreadsheet_safe(_cell(values[column])) for column in COLUMNS])
    return out.getvalue()


@dataclass
class RowResult:
    row: int
    action: str  # "create", "update", "unchanged" or "error"
    profile_id: int | None = None
    display_name: str = ""
    changes: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportReport:
    dry_run: bool
    applied: bool
    rows: list[RowResult]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def error_count(self) -> int:
        return self.count("error")


def _same(field_name: str, before: Any, after: Any) -> bool:
    left, right = _cell(before).strip(), _cell(after).strip()
    if field_name in {
        "owner",
        "backup_owner",
        "platform",
        "department",
        "purpose",
        "engagement_mode",
    }:
        return left.lower() == right.lower()
    return left == right


def _read_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [name for name in ("platform", "display_name", "department") if name not in header]
    if not header:
        raise Invalid("The file is empty.", fields={"file": "The file is empty."})
    if missing or ("url" not in header and "handle" not in header):
        needed = ", ".join(
            missing + ([] if "url" in header or "handle" in header else ["url (or handle)"])
        )
        raise Invalid(
            f"The CSV lacks required columns: {needed}.",
            fields={"file": f"Missing columns: {needed}."},
        )
    rows: list[tuple[int, dict[str, str]]] = []
    for raw in reader:
        if len(rows) >= MAX_IMPORT_ROWS:
            raise Invalid(
                f"Import at most {MAX_IMPORT_ROWS} rows at a time.",
                fields={"file": f"More than {MAX_IMPORT_ROWS} rows."},
            )
        cells = {
            key: unescape_cell((value or "").strip())
            for key, value in raw.items()
            if key is not None and isinstance(value, str)
        }
        if any(cells.values()):
            rows.append((reader.line_num, cells))
    return header, rows


def _import_row(
    actor: User,
    header: list[str],
    cells: dict[str, str],
    result: RowResult,
    touched: dict[int, int],
    now: dt.datetime,
) -> None:
    values = {name: cells.get(name, "") for name in FIELDS if name in header}
    status = cells.get("status", "").strip().lower()
    reason = cells.get("status_reason", "")
    result.display_name = values.get("display_name", "")
    profile: SocialProfile | None = None
    raw_id = cells.get("id", "").strip()
    if raw_id:
        if not raw_id.isdigit():
            raise Invalid(fields={"id": "Use the numeric id from an export, or leave it empty."})
        profile = db.session.get(SocialProfile, int(raw_id))
        if profile is None:
            raise Invalid(fields={"id": f"No profile #{raw_id}: leave id empty to register it."})
    else:
        data = clean(values)
        profile = find_duplicate(data.platform, data.canonical_url, data.platform_account_id)
    if profile is not None and profile.id in touched:
        raise Invalid(fields={"url": f"Same account as row {touched[profile.id]}."})
    if profile is None:
        created = register_profile(
            actor, values, status=status or None, status_reason=reason, now=now
        )
        result.action, result.profile_id = "create", created.id
        touched[created.id] = result.row
        return
    touched[profile.id] = result.row
    result.profile_id = profile.id
    current = current_values(profile)
    differing = {
        name: value for name, value in values.items() if not _same(name, current[name], value)
    }
    if differing:
        result.changes = [
            change.field for change in update_profile(actor, profile, differing, now=now)
        ]
    if status and status != profile.status:
        change_status(actor, profile, status, reason=reason, now=now)
        result.changes.append("status")
    result.action = "update" if result.changes else "unchanged"


def import_csv(
    actor: User,
    text: str,
    *,
    dry_run: bool = True,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check (dry run) or apply a CSV of profiles, one row at a time through the same rules
    as the forms: per-row errors, and nothing written unless every row is good and
    `dry_run` is False. Raises Invalid when the file itself is unusable, NotPermitted for
    someone who may not propose profiles."""
    if not permissions.can_propose(actor):
        raise NotPermitted("Sign in with an active account to import profiles.")
    now = now or utcnow()
    header, rows = _read_rows(text)
    results: list[RowResult] = []
    touched: dict[int, int] = {}
    everything = db.session.begin_nested()
    for index, (line, cells) in enumerate(rows, start=1):
        result = RowResult(row=line, action="error")
        row_savepoint = db.session.begin_nested()
        try:
            _import_row(actor, header, cells, result, touched, now)
        except ForumError as exc:
            row_savepoint.rollback()
            result.action = "error"
            result.errors = dict(exc.fields) or {"row": exc.message}
        else:
            row_savepoint.commit()
        results.append(result)
        if progress is not None:
            progress(index, len(rows))
    report = ImportReport(dry_run=dry_run, applied=False, rows=results)
    if dry_run or report.error_count:
        everything.rollback()
    else:
        everything.commit()
        report.applied = True
    return report
