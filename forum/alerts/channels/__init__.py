"""The registry of delivery channels and the two ways a delivery can fail."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, ClassVar

from flask import Flask


class DeliveryError(Exception):
    """A delivery failed; the message is a short reason safe to store and show to admins."""


class TransientError(DeliveryError):
    """Trying again later may succeed (timeouts, 5xx, SMTP 4xx, connection refused)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        # Seconds the other side asked us to wait (HTTP Retry-After), if it said.
        self.retry_after = retry_after


class PermanentError(DeliveryError):
    """Trying again cannot succeed (refused recipient, 4xx, forbidden address): dead-letter."""


@dataclasses.dataclass
class Delivery:
    """A claimed outbox row, copied out of the session so no transaction stays open while
    a channel talks to the network."""

    message_id: int
    channel: str
    recipient: str
    payload: dict[str, Any]
    dedupe_key: str
    attempt: int
    created_at: dt.datetime
    webhook_endpoint_id: int | None = None
    # The worker's clock when it claimed the row: one-click links made while sending count
    # their lifetime from here.
    claimed_at: dt.datetime | None = None
    # Whatever the channel's `prepare` read from the database while the row was claimed.
    context: dict[str, Any] = dataclasses.field(default_factory=dict)


class BaseChannel:
    """A channel delivers one `Delivery` or raises TransientError / PermanentError.

    `prepare` runs inside the claiming transaction (read the database there); `deliver` runs
    with no transaction open, except for channels whose `writes_database` is True: their
    writes commit together with the outcome, so they happen exactly once.
    """

    name: ClassVar[str]
    writes_database: ClassVar[bool] = False

    def prepare(self, delivery: Delivery) -> None:
        """Read what `deliver` needs from the database; default: nothing."""

    def deliver(self, app: Flask, delivery: Delivery) -> None:
        raise NotImplementedError


CHANNELS: dict[str, BaseChannel] = {}


def register(channel: BaseChannel) -> BaseChannel:
    """Make a channel available to the worker under its name (replacing any previous one)."""
    CHANNELS[channel.name] = channel
    return channel


def get_channel(name: str) -> BaseChannel:
    """The channel registered under `name`; PermanentError when there is none."""
    _load_builtin()
    try:
        return CHANNELS[name]
    except KeyError:
        raise PermanentError(f"no channel named {name!r}") from None


def _load_builtin() -> None:
    if {"email", "webhook", "inapp"} <= CHANNELS.keys():
        return
    from forum.alerts.channels import email, inapp, webhook

    for module in (email, inapp, webhook):
        CHANNELS.setdefault(module.CHANNEL.name, module.CHANNEL)
