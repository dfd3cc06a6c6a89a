"""Pydantic types for API input that must mean exactly what the OpenAPI document says."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: Any) -> Any:
    # pydantic would also read 0 or "0" as 1970-01-01 (a Unix time) and "2024-01-01T00:00"
    # as a date; the document says `format: date`, so only YYYY-MM-DD is a date.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("No such date: give a real date as YYYY-MM-DD.") from None
    raise ValueError("Give a date as YYYY-MM-DD.")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]
