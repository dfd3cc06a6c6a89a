"""Reading what the journeys' SMTP server received."""

from __future__ import annotations

from email.message import EmailMessage

from tests.alerts.servers import SmtpServer


def messages_to(smtp: SmtpServer, address: str) -> list[EmailMessage]:
    return [
        message
        for message, recipients in zip(smtp.messages, smtp.sink.recipients, strict=True)
        if address in recipients
    ]


def html_part(message: EmailMessage) -> str:
    """The HTML a mail client shows, opened in the browser to follow its links."""
    part = message.get_body(preferencelist=("html",))
    assert part is not None, f"no HTML part in {message['Subject']!r}"
    return str(part.get_content())
