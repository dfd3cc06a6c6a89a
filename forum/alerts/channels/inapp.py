"""The in-app channel: turns an outbox row into a Notification, committed with its outcome."""

from __future__ import annotations

from flask import Flask

from forum.accounts.models import User
from forum.alerts.channels import BaseChannel, Delivery, PermanentError
from forum.extensions import db


class InAppChannel(BaseChannel):
    """Recipient is a user id; payload has kind, title, body and a site-relative url."""

    name = "inapp"
    writes_database = True

    def deliver(self, app: Flask, delivery: Delivery) -> None:
        from forum.alerts import services

        try:
            user = db.session.get(User, int(delivery.recipient))
        except ValueError:
            user = None
        if user is None:
            raise PermanentError("no such user")
        payload = delivery.payload
        services.add_notification(
            user,
            kind=str(payload.get("kind") or "alert"),
            title=str(payload.get("title") or "Notification"),
            body=str(payload.get("body") or ""),
            url=str(payload.get("url") or "/notifications"),
            dedupe_key=delivery.dedupe_key,
            refs=[str(r) for r in payload.get("refs") or []],
        )


CHANNEL = InAppChannel()
