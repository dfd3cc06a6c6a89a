"""The public verify settings (issue 18); `Config` (forum/config.py) inherits them, so they load
and layer like every other setting. They live apart only to keep forum/config.py under the
400-line limit."""

from __future__ import annotations

from pydantic_settings import BaseSettings


class PublicVerifySettings(BaseSettings):
    """Whether the public may ask "is this account ours?", and how often."""

    # Make /verify, /api/v1/verify and the profiles' badge pages (/verify/<key>) public: anyone
    # may ask whether an account is the organization's (status, platform, department only).
    PUBLIC_VERIFY: bool = False
    # The organization's name as the public reads it, on badge pages ("Verified by ...").
    ORG_NAME: str = "Our organization"
    # Public lookups (/verify and /api/v1/verify together) per client IP, for people who are
    # not signed in (Flask-Limiter syntax); signed-in staff are not counted.
    VERIFY_RATE_LIMIT: str = "30 per minute; 300 per hour"
