"""The composer's attachment hook: files sent with a writing form become Markdown in its body.

The boards own the writing forms (new thread, reply) but not files. A higher capability
(uploads) registers an attacher in its `init_app`; when such a form is posted, `attach` runs
each attacher, which stores what the request carries and returns the Markdown to append to the
body, or field messages when it refuses the file. The form shows the attachers' controls
through the `boards.composer` slot (core/slots.py), inside the form, so a plain
`<input type=file>` works without JavaScript.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

EXTENSION_KEY = "forum.composer_attachers"


@dataclasses.dataclass
class Attached:
    """What one attacher made of the request: Markdown to append, or why it refused (with the
    HTTP status that says so, such as 413 or 415)."""

    markdown: str = ""
    errors: dict[str, str] = dataclasses.field(default_factory=dict)
    status: int = 400


Attacher = Callable[[Any], Attached]


def register_attacher(app: Flask, attacher: Attacher) -> None:
    """Have `attacher(user)` run on every post of a writing form."""
    app.extensions.setdefault(EXTENSION_KEY, []).append(attacher)


def attach(user: Any, form: Any) -> Attached:
    """Run the attachers; append their Markdown to `form.body` on its own line. Returns the
    combined result (empty errors when every file was taken)."""
    result = Attached()
    for attacher in current_app.extensions.get(EXTENSION_KEY, ()):
        outcome = attacher(user)
        if outcome.errors:
            result.errors.update(outcome.errors)
            result.status = outcome.status
        elif outcome.markdown:
            body = (form.body.data or "").rstrip()
            form.body.data = f"{body}\n\n{outcome.markdown}" if body else outcome.markdown
    return result
