"""CSV import: a check that only reads, then batches of short write transactions.

Rows are matched by `id` (or, without one, by the account's canonical URL or permanent id),
unchanged rows are left alone, and the `'` that export puts before formula-like values is
taken off again, so export then import changes nothing. The lookups a row needs (platforms,
departments, people, existing records) are loaded in bulk once per batch, so the work grows
linearly with the file and a 5,000-row file takes seconds.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select

from forum.accounts import services as account_services
from forum.accounts.models import User
from forum.core.db import immediate_transactions, read_only_transactions, utcnow
from forum.core.errors import ForumError, Invalid, NotPermitted
from forum.extensions import db
from forum.registry import permissions
from forum.registry.models import Platform, SocialProfile
from forum.registry.platforms import KNOWN_PLATFORMS
from forum.registry.services.csvio import CsvRow, cell_text, parse_csv
from forum.registry.services.duplicates import first_same_account
from forum.registry.services.editing import prepare_update, write_update
from forum.registry.services.platforms import ensure_platforms
from forum.registry.services.profiles import (
    Registration,
    _loaded,
    changed_fields,
    insert_profiles,
    prepare_registration,
)
from forum.registry.services.status import prepare_status_change, write_status_change
from forum.registry.services.validation import FIELDS, CleanProfile, Lookups, clean, current_values

logger = logging.getLogger(__name__)

# Rows written per transaction: each batch holds SQLite's write lock for a moment only.
IMPORT_BATCH_SIZE = 200
# Called as progress(phase, rows done, rows in all); phase is "check" or "write".
Progress = Callable[[str, int, int], None]

_CASELESS = frozenset(
    {"owner", "backup_owner", "platform", "department", "purpose", "engagement_mode"}
)


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
    left, right = cell_text(before).strip(), cell_text(after).strip()
    if field_name in _CASELESS:
        return left.lower() == right.lower()
    return left == right


class _Batch:
    """One batch's view of the register, loaded in a few queries: platforms, departments,
    the people the rows name, and the existing records the rows may be about."""

    def __init__(
        self, actor: User, header: list[str], rows: list[CsvRow], *, writing: bool
    ) -> None:
        platforms = {p.slug: p for p in db.session.scalars(select(Platform))}
        if any(slug not in platforms for slug, _name, _order in KNOWN_PLATFORMS):
            if writing:
                ensure_platforms()
                platforms = {p.slug: p for p in db.session.scalars(select(Platform))}
            else:
                # A check writes nothing: known platforms not seeded yet stand in unsaved.
                for slug, name, order in KNOWN_PLATFORMS:
                    platforms.setdefault(slug, Platform(slug=slug, name=name, sort_order=order))
        emails = [row.cells.get(name, "") for row in rows for name in ("owner", "backup_owner")]
        self.lookups = Lookups(
            platforms=platforms,
            departments={d.slug: d for d in account_services.list_departments()},
            users=account_services.users_by_email(emails),
        )
        self.header = header
        # Rows without an id name their account by URL: work out the canonical forms first.
        self.cleaned: dict[int, CleanProfile | ForumError] = {}
        ids: set[int] = set()
        for row in rows:
            raw_id = row.cells.get("id", "").strip()
            if row.unreadable:
                continue
            if raw_id.isdigit() and len(raw_id) < 19:
                ids.add(int(raw_id))
            elif not raw_id:
                values: dict[str, Any] = self.values(row)
                values["owner"] = values.get("owner") or actor  # as register_profile does
                try:
                    self.cleaned[row.line] = clean(values, lookups=self.lookups)
                except ForumError as exc:
                    self.cleaned[row.line] = exc
        found = [data for data in self.cleaned.values() if isinstance(data, CleanProfile)]
        urls = {data.canonical_url for data in found}
        account_ids = {data.platform_account_id for data in found if data.platform_account_id}
        conditions = [
            SocialProfile.id.in_(ids),
            SocialProfile.canonical_url.in_(urls),
            SocialProfile.platform_account_id.in_(account_ids),
        ]
        profiles = (
            list(
                db.session.scalars(
                    select(SocialProfile).where(or_(*conditions)).options(*_loaded())
                )
            )
            if ids or urls or account_ids
            else []
        )
        self.by_id = {profile.id: profile for profile in profiles}
        self.by_url: dict[str, list[SocialProfile]] = {}
        self.by_account: dict[tuple[int, str], SocialProfile] = {}
        for profile in sorted(profiles, key=lambda p: p.id):
            self.by_url.setdefault(profile.canonical_url, []).append(profile)
            if profile.platform_account_id:
                self.by_account[(profile.platform_id, profile.platform_account_id)] = profile

    def values(self, row: CsvRow) -> dict[str, str]:
        return {name: row.cells.get(name, "") for name in FIELDS if name in self.header}

    def find(self, data: CleanProfile, exclude_id: int | None) -> SocialProfile | None:
        """find_duplicate over the loaded records (same rule, no query)."""
        candidates = list(self.by_url.get(data.canonical_url, []))
        if data.platform_account_id and data.platform.id is not None:
            by_id = self.by_account.get((data.platform.id, data.platform_account_id))
            if by_id is not None and by_id not in candidates:
                candidates.append(by_id)
        candidates = sorted(
            (c for c in candidates if c.id != exclude_id), key=lambda candidate: candidate.id
        )
        return first_same_account(candidates, data.platform, data.platform_account_id)


class _Run:
    """Checks (and, when writing, applies) rows in file order, remembering which account
    each earlier row of the file claimed, so a file cannot name one account twice."""

    def __init__(self, actor: User, header: list[str], now: dt.datetime, *, writing: bool):
        self.actor, self.header, self.now, self.writing = actor, header, now, writing
        self.touched: dict[int, int] = {}  # profile id -> row
        self.urls: dict[str, list[tuple[int, str, str | None]]] = {}  # url -> (row, slug, id)
        self.accounts: dict[tuple[str, str], int] = {}  # (platform slug, account id) -> row
        self.created: list[tuple[RowResult, Registration]] = []

    def batch(self, rows: list[CsvRow]) -> list[RowResult]:
        loaded = _Batch(self.actor, self.header, rows, writing=self.writing)
        results = []
        for row in rows:
            result = RowResult(row=row.line, action="error")
            if row.unreadable:
                result.errors = {"row": row.unreadable}
            else:
                try:
                    self._row(loaded, row, result)
                except ForumError as exc:
                    result.action = "error"
                    result.errors = dict(exc.fields) or {"row": exc.message}
            results.append(result)
        return results

    def _claimed_by(self, data: CleanProfile) -> int | None:
        """The earlier row of this file that names the same account, if any."""
        account_id = data.platform_account_id
        if account_id and (data.platform.slug, account_id) in self.accounts:
            return self.accounts[(data.platform.slug, account_id)]
        for row, _slug, other_id in self.urls.get(data.canonical_url, []):
            if not (account_id and other_id and other_id != account_id):
                return row
        return None

    def _claim(self, data: CleanProfile, line: int) -> None:
        self.urls.setdefault(data.canonical_url, []).append(
            (line, data.platform.slug, data.platform_account_id)
        )
        if data.platform_account_id:
            self.accounts[(data.platform.slug, data.platform_account_id)] = line

    def _row(self, loaded: _Batch, row: CsvRow, result: RowResult) -> None:
        values = loaded.values(row)
        status = row.cells.get("status", "").strip().lower()
        reason = row.cells.get("status_reason", "")
        result.display_name = values.get("display_name", "")
        raw_id = row.cells.get("id", "").strip()
        profile: SocialProfile | None = None
        data: CleanProfile | None = None
        if raw_id:
            if not raw_id.isdigit():
                raise Invalid(
                    fields={"id": "Use the numeric id from an export, or leave it empty."}
                )
            profile = loaded.by_id.get(int(raw_id)) if len(raw_id) < 19 else None
            if profile is None:
                raise Invalid(
                    fields={"id": f"No profile #{raw_id}: leave id empty to register it."}
                )
        else:
            cleaned = loaded.cleaned[row.line]
            if isinstance(cleaned, ForumError):
                raise cleaned
            data = cleaned
            profile = loaded.find(data, None)
        if profile is not None and profile.id in self.touched:
            raise Invalid(fields={"url": f"Same account as row {self.touched[profile.id]}."})
        if profile is None:
            self._create(loaded, row, result, values, status, reason, data)
        else:
            self._update(loaded, row, result, profile, values, status, reason)

    def _create(
        self,
        loaded: _Batch,
        row: CsvRow,
        result: RowResult,
        values: dict[str, str],
        status: str,
        reason: str,
        data: CleanProfile | None,
    ) -> None:
        registration = prepare_registration(
            self.actor,
            values,
            status=status or None,
            status_reason=reason,
            lookups=loaded.lookups,
            find=loaded.find,
            checked=data,
        )
        earlier = self._claimed_by(registration.data)
        if earlier is not None:
            raise Invalid(fields={"url": f"Same account as row {earlier}."})
        self._claim(registration.data, row.line)
        result.action = "create"
        if self.writing:
            self.created.append((result, registration))

    def _update(
        self,
        loaded: _Batch,
        row: CsvRow,
        result: RowResult,
        profile: SocialProfile,
        values: dict[str, str],
        status: str,
        reason: str,
    ) -> None:
        result.profile_id = profile.id
        current = current_values(profile)
        differing = {
            name: value for name, value in values.items() if not _same(name, current[name], value)
        }
        planned = None
        if differing:
            planned = prepare_update(
                self.actor, profile, differing, lookups=loaded.lookups, find=loaded.find
            )
            earlier = self._claimed_by(planned)
            if earlier is not None:
                raise Invalid(fields={"url": f"Same account as row {earlier}."})
        move = None
        if status and status != profile.status:
            move = prepare_status_change(
                self.actor, profile, status, reason=reason, planned=planned
            )
        self.touched[profile.id] = row.line
        if planned is not None:
            self._claim(planned, row.line)
            if self.writing:
                changes = write_update(self.actor, profile, planned, self.now)
                result.changes = [change.field for change in changes]
            else:
                result.changes = changed_fields(profile, planned)
        if move is not None:
            if self.writing:
                write_status_change(self.actor, profile, *move, self.now)
            result.changes.append("status")
        result.action = "update" if result.changes else "unchanged"


def _batches(rows: list[CsvRow], size: int) -> list[list[CsvRow]]:
    return [rows[start : start + size] for start in range(0, len(rows), size)]


def _check(
    actor: User, header: list[str], rows: list[CsvRow], now: dt.datetime, progress: Progress | None
) -> list[RowResult]:
    run = _Run(actor, header, now, writing=False)
    results: list[RowResult] = []
    for batch in _batches(rows, IMPORT_BATCH_SIZE):
        results.extend(run.batch(batch))
        if progress is not None:
            progress("check", len(results), len(rows))
    return results


def check_import(
    actor: User,
    text: str,
    *,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """The dry run: check every row through the same rules as the forms and report what
    would happen, writing nothing (not even a lock: its transactions only read, so call it
    after committing anything the request wrote). Raises Invalid when the file itself is
    unusable, NotPermitted for someone who may not propose profiles."""
    with read_only_transactions():
        _refuse_unless_permitted(actor)
        header, rows = parse_csv(text)
        results = _check(actor, header, rows, now or utcnow(), progress)
    return ImportReport(dry_run=True, applied=False, rows=results)


def _refuse_unless_permitted(actor: User) -> None:
    if not permissions.can_propose(actor):
        raise NotPermitted("Sign in with an active account to import profiles.")


def apply_import(
    actor: User,
    text: str,
    *,
    commit: Callable[[], None],
    now: dt.datetime | None = None,
    progress: Progress | None = None,
    batch_size: int = IMPORT_BATCH_SIZE,
) -> ImportReport:
    """Import a CSV of profiles: check every row first (as `check_import`, writing nothing)
    and, only if every row is good, write them in batches of `batch_size`.

    The caller owns the transactions: `commit` is its function that commits the session, and
    this calls it after the check and after each batch, so no transaction holds the write
    lock for longer than one batch and other requests go on meanwhile. A row that stops
    being valid between the check and its batch (someone registered the same account
    meanwhile) is reported as an error while the other rows are written; importing the same
    file again is safe, since rows already imported are then unchanged. Raises Invalid for
    an unusable file, NotPermitted for someone who may not propose profiles.
    """
    now = now or utcnow()
    with read_only_transactions():
        _refuse_unless_permitted(actor)
        header, rows = parse_csv(text)
        checked = _check(actor, header, rows, now, progress)
    if any(result.action == "error" for result in checked):
        return ImportReport(dry_run=False, applied=False, rows=checked)
    commit()  # ends the check's read transaction before the first batch
    run = _Run(actor, header, now, writing=True)
    results: list[RowResult] = []
    with immediate_transactions():
        for batch in _batches(rows, batch_size):
            results.extend(run.batch(batch))
            db.session.flush()  # the batch's edits, before its new rows
            ids = insert_profiles(actor, [registration for _r, registration in run.created], now)
            for (result, _registration), profile_id in zip(run.created, ids, strict=True):
                result.profile_id = profile_id
            run.created.clear()
            commit()
            if progress is not None:
                progress("write", len(results), len(rows))
    written = sum(1 for result in results if result.action in {"create", "update"})
    logger.info(
        "registry import by user %s: %s rows written, %s failed",
        actor.id,
        written,
        sum(1 for result in results if result.action == "error"),
    )
    return ImportReport(dry_run=False, applied=True, rows=results)
