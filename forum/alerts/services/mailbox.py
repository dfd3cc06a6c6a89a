"""The development mailbox: .eml files written under instance/mail when no MAIL_SERVER is set."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from forum.core.errors import NotFound
from forum.core.mail import mail_dir

# What a listed file may be called: no separators, no leading dot, nothing to traverse with.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,200}\.eml$")
MAX_LISTED = 200
MAX_BYTES = 2 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class MailSummary:
    name: str
    modified_at: dt.datetime
    size: int


@dataclasses.dataclass(frozen=True)
class MailView:
    name: str
    headers: list[tuple[str, str]]
    text: str
    html_source: str | None


def list_mail(instance_path: str, *, limit: int = MAX_LISTED) -> list[MailSummary]:
    """The newest .eml files first; anything else in the folder is ignored."""
    folder = mail_dir(instance_path)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if _NAME.match(path.name) and path.is_file() and not path.is_symlink():
            stat = path.stat()
            found.append(
                MailSummary(
                    path.name, dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC), stat.st_size
                )
            )
    found.sort(key=lambda mail: (mail.modified_at, mail.name), reverse=True)
    return found[:limit]


def _path_for(instance_path: str, name: str) -> Path:
    folder = mail_dir(instance_path).resolve()
    if not _NAME.match(name):
        raise NotFound("No such mail.")
    path = folder / name
    if (
        path.is_symlink()
        or not path.is_file()
        or path.resolve().parent != folder
        or path.stat().st_size > MAX_BYTES
    ):
        raise NotFound("No such mail.")
    return path


def read_mail(instance_path: str, name: str) -> MailView:
    """One message's main headers, text part and HTML source (to show as text, never render).

    Raises NotFound for a name that is not a listed .eml file (no path tricks).
    """
    path = _path_for(instance_path, name)
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    if not isinstance(message, EmailMessage):
        raise NotFound("No such mail.")
    headers = [
        (key, str(message[key]))
        for key in ("From", "To", "Subject", "Date", "Message-ID")
        if message[key] is not None
    ]
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    return MailView(
        name=name,
        headers=headers,
        text=text_part.get_content() if text_part is not None else "",
        html_source=html_part.get_content() if html_part is not None else None,
    )
