"""Domain errors raised by services, mapped once to HTTP statuses for pages and the API."""

from __future__ import annotations


class ForumError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400
    code = "error"

    def __init__(self, message: str = "", *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.fields = fields or {}

    default_message = "Something went wrong."


class Invalid(ForumError):
    """The input breaks a rule; `fields` maps field names to messages."""

    status = 400
    code = "invalid"
    default_message = "The input is not valid."


class NotAuthenticated(ForumError):
    status = 401
    code = "unauthorized"
    default_message = "Sign in or send a valid API token."


class NotPermitted(ForumError):
    status = 403
    code = "forbidden"
    default_message = "You are not allowed to do that."


class NotFound(ForumError):
    status = 404
    code = "not_found"
    default_message = "Not found."


class Conflict(ForumError):
    status = 409
    code = "conflict"
    default_message = "That conflicts with something that already exists."


class Unprocessable(ForumError):
    status = 422
    code = "unprocessable"
    default_message = "The request is well-formed but cannot be carried out."


class Throttled(ForumError):
    status = 429
    code = "rate_limited"
    default_message = "Too many attempts. Wait a few minutes and try again."

    def __init__(self, message: str = "", *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after
