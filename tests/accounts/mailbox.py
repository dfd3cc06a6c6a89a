"""Account mail as the recipient reads it: the outbox worker delivers, these read the .eml files."""

from __future__ import annotations

import email
import re
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

from flask import Flask

from forum.alerts import worker


def deliver_and_read(app: Flask) -> list[tuple[str, str]]:
    """Run the outbox worker once, then every delivered mail as (recipient, plain text)."""
    worker.run_once()
    folder = Path(app.instance_path) / "mail"
    mails = []
    for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        assert isinstance(message, EmailMessage)
        body = message.get_body(("plain",))
        assert body is not None
        mails.append((str(message["To"]), str(body.get_content())))  # type: ignore[attr-defined]
    return mails


def link_in(text: str, path: str) -> str:
    """The site-relative link starting with `path` in a mail's text."""
    match = re.search(r"http://forum\.test(" + re.escape(path) + r"\S+)", text)
    assert match, f"no {path} link in the mail"
    return match.group(1)
