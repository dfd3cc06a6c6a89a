"""Database ids at the edges: one URL converter, one form field and one schema type, all bounded.

Primary keys are INTEGER columns: 32-bit on PostgreSQL (a larger parameter is a DataError),
64-bit on SQLite (whose driver raises OverflowError from 2**63). So an id from outside is
checked here, once, against the range every supported database holds, before it reaches a
query: out of range in a path is a 404, in a form, a query string or a JSON body a 400 with a
field message, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from typing import Annotated, Any

from flask import Flask, request
from pydantic import Field
from werkzeug.routing import IntegerConverter, Map
from wtforms import IntegerField
from wtforms.widgets import HiddenInput

from forum.core.errors import Invalid

MIN_ID = 1
MAX_ID = 2**31 - 1  # PostgreSQL INTEGER; widen with the columns if they ever become BIGINT
_MAX_DIGITS = len(str(MAX_ID))
ID_MESSAGE = f"Not a valid id: give a whole number from {MIN_ID} to {MAX_ID}."

# The pydantic type for every id an API client sends (path ids use the converter below).
DbId = Annotated[int, Field(ge=MIN_ID, le=MAX_ID)]


def parse_id(raw: object) -> int | None:
    """`raw` as an id, or None when it is not one (garbage, a sign, a fraction, out of range)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if MIN_ID <= raw <= MAX_ID else None
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    # ASCII digits only: str.isdigit() also accepts "²", and int() of a 5,000-digit string
    # raises; both must be "not an id" rather than an error.
    if not text or len(text) > _MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if MIN_ID <= value <= MAX_ID else None


def is_id(value: object) -> bool:
    return parse_id(value) is not None


def _regex_up_to(limit: int) -> str:
    """A regex matching exactly the decimal numbers 1..limit, without leading zeros."""
    digits = str(limit)
    shorter = rf"[1-9]\d{{0,{len(digits) - 2}}}" if len(digits) > 1 else ""
    same_length = []
    for i, digit in enumerate(digits):
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            tail = rf"\d{{{len(digits) - i - 1}}}" if i < len(digits) - 1 else ""
            same_length.append(f"{digits[:i]}[{low}-{int(digit) - 1}]{tail}")
    same_length.append(digits)
    return "(?:" + "|".join(filter(None, [shorter, *same_length])) + ")"


class IdConverter(IntegerConverter):
    """`<id:thread_id>` in a route: 1 to MAX_ID; anything else is a 404.

    The range is in the regex, not only in `to_python`: Werkzeug answers 405 instead of 404
    when a path matches a rule's regex but its converter rejects the value and another
    method's rule shares the path.
    """

    regex = _regex_up_to(MAX_ID)

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=MIN_ID, max=MAX_ID)


class IdField(IntegerField):
    """A form field holding an id; garbage or out of range is a field error (so a 400).

    Empty input gives None: add `Optional()` or `InputRequired()` for whether that is allowed.
    """

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        if kwargs.pop("hidden", False):
            kwargs["widget"] = HiddenInput()
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or valuelist[0] in ("", None):
            self.data = None
            return
        self.data = parse_id(valuelist[0])
        if self.data is None:
            raise ValueError(ID_MESSAGE)


def id_arg(name: str) -> int | None:
    """The id in query-string parameter `name`; None when absent or empty, Invalid otherwise."""
    raw = request.args.get(name, "")
    if raw == "":
        return None
    value = parse_id(raw)
    if value is None:
        raise Invalid(fields={name: ID_MESSAGE})
    return value


def init_app(app: Flask) -> None:
    """Register the `id` converter; must run before any blueprint adds its routes."""
    app.url_map.converters["id"] = IdConverter
