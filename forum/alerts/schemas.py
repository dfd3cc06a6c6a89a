"""Request and response shapes of the notifications API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from forum.alerts.channels.email import absolute_url
from forum.alerts.redaction import NoticeView
from forum.core.ids import DbId


class NotificationOut(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    url: str = Field(description="Absolute link to what the notification is about")
    created_at: dt.datetime
    read_at: dt.datetime | None
    is_read: bool

    @classmethod
    def of(cls, notification: NoticeView, base_url: str) -> NotificationOut:
        return cls(
            id=notification.id,
            kind=notification.kind,
            title=notification.title,
            body=notification.body,
            url=absolute_url(base_url, notification.url) or "",
            created_at=notification.created_at,
            read_at=notification.read_at,
            is_read=notification.read_at is not None,
        )


class NotificationList(BaseModel):
    items: list[NotificationOut]
    total: int
    unread: int = Field(description="Unread notifications in all (the bell's number)")
    page: int
    pages: int


class NotificationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unread: bool = Field(default=False, description="Only unread notifications")
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=100)


class MarkReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[DbId] | None = Field(
        default=None, max_length=500, description="Notifications to mark read"
    )
    all: bool = Field(default=False, description="Mark every notification read")

    @model_validator(mode="after")
    def _one_of(self) -> MarkReadIn:
        if self.all == (self.ids is not None):
            raise ValueError("Send either ids or all: true.")
        return self


class MarkReadOut(BaseModel):
    marked: int
    unread: int
