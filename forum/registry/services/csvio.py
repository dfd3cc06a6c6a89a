"""CSV files: export that is safe to open in a spreadsheet, and reading an import's file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from forum.core.db import utcnow
from forum.core.errors import Invalid
from forum.core.spreadsheet import spreadsheet_safe, unescape_cell
from forum.registry.models import SocialProfile
from forum.registry.services.attention import needs_attention
from forum.registry.services.validation import FIELDS, current_values

# Read-only columns export adds for people; import ignores them.
READ_ONLY = ("canonical_url", "last_reviewed_at", "last_reviewed_by", "needs_attention")
COLUMNS: tuple[str, ...] = ("id", *FIELDS, "status", "status_reason", *READ_ONLY)
MAX_IMPORT_ROWS = 5000


def cell_text(value: Any) -> str:
    """A value as export writes it: dates in ISO form, None as empty."""
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
        writer.writerow([spreadsheet_safe(cell_text(values[column])) for column in COLUMNS])
    return out.getvalue()


def read_csv_upload(raw: bytes, *, field_name: str = "file") -> str:
    """The text of an uploaded CSV, checked the same way for the page, the API and the CLI:
    UTF-8 (a byte-order mark is dropped), no NUL character (no database column can hold
    one), not empty. Raises Invalid with a message for `field_name`."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = "Save the file as CSV in UTF-8 and upload it again."
        raise Invalid(message, fields={field_name: message}) from exc
    if "\x00" in text:
        message = "The file contains a NUL character, which cannot be stored: is it really CSV?"
        raise Invalid(message, fields={field_name: message})
    if not text.strip():
        raise Invalid("The file is empty.", fields={field_name: "The file is empty."})
    return text


@dataclass
class CsvRow:
    line: int
    cells: dict[str, str]
    # Why the CSV reader could not read this row ("" when it could).
    unreadable: str = ""


def _reader_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return (
            f"A cell is longer than {csv.field_size_limit():,} characters; no profile field "
            "is that long (is a quote missing?)."
        )
    if "new-line character" in text:
        return (
            "A line break (a lone carriage return) inside a cell that is not in quotes: "
            "save the file again as CSV, or quote the cell."
        )
    return f"This row cannot be read as CSV: {text}."


def _extra_cells_problem(count: int, header: list[str]) -> str:
    return (
        f"This row has {count} cells but the header only {len(header)}: is a comma inside a "
        "cell not in quotes?"
    )


def parse_csv(text: str) -> tuple[list[str], list[CsvRow]]:
    """The header and every non-empty row of an import, cells unescaped (see
    spreadsheet_safe). A row the CSV reader rejects (a lone carriage return, a cell over
    csv.field_size_limit()) becomes a row with `unreadable` set, not an exception. Raises
    Invalid when the header is unreadable or lacks a required column, or over
    MAX_IMPORT_ROWS rows."""
    # No newline translation: a lone carriage return inside a row is then reported (a row
    # error), rather than silently splitting the row in two.
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as exc:
        message = f"The header row cannot be read: {_reader_problem(exc)}"
        raise Invalid(message, fields={"file": message}) from exc
    if not any(header):
        raise Invalid("The file is empty.", fields={"file": "The file is empty."})
    missing = [name for name in ("platform", "display_name", "department") if name not in header]
    if missing or ("url" not in header and "handle" not in header):
        needed = ", ".join(
            missing + ([] if "url" in header or "handle" in header else ["url (or handle)"])
        )
        raise Invalid(
            f"The CSV lacks required columns: {needed}.",
            fields={"file": f"Missing columns: {needed}."},
        )
    rows: list[CsvRow] = []
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The reader resumes at the next line; this row is reported, and while any
            # row has an error nothing is imported.
            rows.append(CsvRow(reader.line_num, {}, _reader_problem(exc)))
            continue
        extra = [value for value in raw[len(header) :] if value.strip()]
        if extra:
            # Cells past the header belong to no column: most likely an unquoted comma
            # shifted the row, so its other cells are in the wrong columns too.
            rows.append(CsvRow(reader.line_num, {}, _extra_cells_problem(len(raw), header)))
            continue
        cells = {
            name: unescape_cell(value.strip())
            for name, value in zip(header, raw, strict=False)
            if name
        }
        if any(cells.values()):
            rows.append(CsvRow(reader.line_num, cells))
        if len(rows) > MAX_IMPORT_ROWS:
            raise Invalid(
                f"Import at most {MAX_IMPORT_ROWS} rows at a time.",
                fields={"file": f"More than {MAX_IMPORT_ROWS} rows."},
            )
    return header, rows
