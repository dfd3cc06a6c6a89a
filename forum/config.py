"""Every setting the app reads, typed, with a safe default; and how the layers override it."""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit

import flask
from pydantic import ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from forum.core import upload_settings, verify_settings

# A list setting: a JSON list, or (easier to type in an environment) comma-separated text.
CommaList = Annotated[list[str], NoDecode]


class ConfigError(RuntimeError):
    """The configuration is unusable; the message names each setting, never its value."""


class Config(upload_settings.UploadSettings, verify_settings.PublicVerifySettings):
    """Every setting, typed. `load_config` layers instance/config.py, the environment
    (variables named exactly like the settings) and overrides on top of these defaults."""

    model_config = SettingsConfigDict(
        case_sensitive=True,
        # Settings of Flask and its extensions that are not declared here pass through as-is
        # (from instance/config.py or overrides; the environment only sets declared ones).
        extra="allow",
        # `MAIL_SERVER=` in an environment file means "not set", not "the empty string".
        env_ignore_empty=True,
        # A validation error would otherwise quote the value, which may be a secret.
        hide_input_in_errors=True,
        validate_default=True,
    )

    # "development", "testing" or "production"; production refuses to start without
    # SECRET_KEY and FORUM_BASE_URL.
    FORUM_ENV: Literal["development", "testing", "production"] = "development"
    # Signs sessions, CSRF tokens and remember-me cookies. Generated into instance/ in development.
    SECRET_KEY: str | None = None
    # SQLAlchemy URL; default is a SQLite file in instance/. PostgreSQL: postgresql+psycopg://...
    DATABASE_URL: str | None = None
    # Where search looks: "whoosh" (an index directory on this host, kept by a queue and an
    # indexer) or "postgres" (full-text search in the PostgreSQL database itself, kept current
    # in each write's own transaction: for several app hosts; needs a PostgreSQL DATABASE_URL).
    SEARCH_BACKEND: Literal["whoosh", "postgres"] = "whoosh"
    # Directory of the Whoosh index; default instance/search-index.
    SEARCH_INDEX_DIR: str | None = None
    # Seconds a process waits for the search index writer lock before leaving its changes queued.
    SEARCH_LOCK_TIMEOUT_SECONDS: float = 10.0
    # A missing or corrupt index is rebuilt inside the request when the database holds at most
    # this many posts; above it, a background thread rebuilds while search says so.
    SEARCH_INLINE_REBUILD_MAX_POSTS: int = 2000
    # Apply queued index changes inside the writing request, after its commit (True), or leave
    # them to the background indexer `flask --app wsgi search work` (False). Unset: inline in
    # development and testing, background in production.
    SEARCH_INDEX_INLINE: bool | None = None
    # Public base URL for absolute links (emails, webhooks, feeds, invitation links). Unset in
    # development: the request's own host, or http://127.0.0.1:5000 outside a request.
    FORUM_BASE_URL: str | None = None
    # The organization's time zone (an IANA name such as "Europe/London"): pages show times in
    # it unless a person picks their own in their settings. Stored times are always UTC.
    FORUM_TIMEZONE: str = "UTC"
    ALLOWED_EMAIL_DOMAINS: CommaList = []  # sign-up without invitation is open to these domains
    INVITATION_TTL_HOURS: int = 72  # hours an invitation link stays valid
    PASSWORD_RESET_TTL_MINUTES: int = 60  # minutes a password-reset link stays valid
    # werkzeug hashing method for passwords.
    PASSWORD_HASH_METHOD: str = "scrypt"  # noqa: S105  (a method name, not a secret)
    PASSWORD_MIN_LENGTH: int = 10  # minimum length of new passwords

    # Single sign-on with an OpenID Connect provider (docs/sso.md): all three or none. With them
    # set, the sign-in page offers "Sign in with <OIDC_DISPLAY_NAME>".
    OIDC_ISSUER: str | None = None
    OIDC_CLIENT_ID: str | None = None
    OIDC_CLIENT_SECRET: str | None = None
    OIDC_DISPLAY_NAME: str = "your organization account"
    OIDC_SCOPES: str = "openid email profile"
    # The claim that holds the person's email address (Entra ID may need "preferred_username").
    OIDC_EMAIL_CLAIM: str = "email"
    # Email domains whose people may sign in through the provider; a first sign-in from one of
    # them creates the account. Empty: only people who already have an account may use SSO.
    OIDC_ALLOWED_DOMAINS: CommaList = []
    # The claim listing the person's groups, and which group gives which role (JSON object,
    # {"forum-admins": "admin", "comms-seniors": "senior"}). With a map, the role follows the
    # provider at every SSO sign-in; without one, roles are managed here.
    OIDC_GROUPS_CLAIM: str = "groups"
    OIDC_ROLE_GROUPS: dict[str, str] = {}
    # The claim naming the person's department (a department's slug or name), if the provider
    # sends one; the department then follows the provider at every SSO sign-in.
    OIDC_DEPARTMENT_CLAIM: str | None = None
    # Treat the provider's email addresses as verified even without an `email_verified` claim
    # (Entra ID sends none; turn on only for a provider that issues addresses it controls).
    # Linking an existing account by email needs a verified address.
    OIDC_EMAILS_VERIFIED: bool = False
    # Seconds of clock difference tolerated when checking the provider's ID token times.
    OIDC_CLOCK_SKEW_SECONDS: int = 60
    # Turn off sign-in with a password once SSO works (API tokens keep working).
    PASSWORD_SIGN_IN: bool = True

    # Log records at this level and above ("DEBUG", "INFO", "WARNING", "ERROR").
    LOG_LEVEL: str = "INFO"
    # "text" (one readable line per record) or "json" (one JSON object per line, for collectors).
    LOG_FORMAT: Literal["text", "json"] = "text"

    # Master switch for every throttle (sign-in, posting, escalations). Off for load tests.
    RATELIMIT_ENABLED: bool = True
    # Flask-Limiter storage: "forumdb://" keeps counters in the app's database (shared by all
    # workers); "redis://127.0.0.1:6379" moves them to Redis; "memory://" is per process.
    RATELIMIT_STORAGE_URI: str = "forumdb://"
    # Rendered page fragments: "local://" (this process, LRU of 32 MB; "local://?max_mb=16")
    # or "redis://host:6379/0" to share them between workers and hosts; "none://" disables.
    CACHE_URL: str = "local://"
    # Sign-in throttle (forum/accounts/signin.py), failures counted within the window below.
    # Failed sign-ins from one client IP, any accounts, before that IP is refused (429).
    LOGIN_MAX_FAILURES_PER_IP: int = 20
    # Failures of one account from one IP before each further try waits a growing delay.
    LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_IP: int = 5
    # Failures of one account from all IPs together before unrecognised devices wait as well.
    LOGIN_MAX_FAILURES_PER_ACCOUNT: int = 20
    # The delay: this many seconds after the first failure past a budget, doubling, capped.
    LOGIN_DELAY_BASE_SECONDS: int = 30
    LOGIN_DELAY_MAX_SECONDS: int = 900
    # A browser that signed in before skips the delays with this many failures of its own.
    LOGIN_MAX_FAILURES_PER_DEVICE: int = 5
    LOGIN_FAILURE_WINDOW_SECONDS: int = 900
    # Days a browser stays a recognised ("known") device after its last sign-in.
    KNOWN_DEVICE_DAYS: int = 180
    # Days audit log entries are kept; older ones are pruned by `flask --app wsgi work`
    # (job accounts.audit_prune, hourly). 0 keeps them forever.
    AUDIT_RETENTION_DAYS: int = 365
    # The name authenticator apps show next to a person's two-factor entry.
    TWO_FACTOR_ISSUER: str = "Staff forum"
    # Seconds between the password and the two-factor code before the password is asked again.
    TWO_FACTOR_STEP_SECONDS: int = 600
    # Password reset requests: per client IP per hour (then 429), and emails per address
    # within a link's lifetime and at least this many minutes apart (further requests are
    # held silently: same answer, no email).
    PASSWORD_RESET_MAX_PER_IP_PER_HOUR: int = 10
    PASSWORD_RESET_MAX_EMAILS_PER_ADDRESS: int = 3
    PASSWORD_RESET_MIN_MINUTES_BETWEEN_EMAILS: int = 5
    # Escalations (new ones and additions to open ones) one person may make per hour.
    ESCALATIONS_PER_HOUR: int = 10
    # Default limit applied to API writes (Flask-Limiter syntax).
    API_WRITE_RATE_LIMIT: str = "120 per minute"
    # New threads and replies per person (pages and API together count per route).
    POST_RATE_LIMIT: str = "12 per minute; 200 per day"
    # Edits of posts per person, and Markdown previews (the editor asks after a pause in typing).
    EDIT_RATE_LIMIT: str = "12 per minute; 200 per day"
    PREVIEW_RATE_LIMIT: str = "30 per minute; 1000 per day"
    # Sign-ups and accepted invitations per client IP (each creates an account).
    SIGNUP_RATE_LIMIT: str = "10 per hour; 50 per day"

    # Trust X-Forwarded-* from one proxy (set when behind nginx or a load balancer).
    TRUST_PROXY_HEADERS: bool = False
    # Session and remember-me cookies; Secure is added automatically on https requests.
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = "Lax"
    SESSION_COOKIE_SECURE: bool = False
    REMEMBER_COOKIE_HTTPONLY: bool = True
    REMEMBER_COOKIE_SAMESITE: str = "Lax"
    REMEMBER_COOKIE_SECURE: bool = False
    REMEMBER_COOKIE_DURATION_DAYS: int = 30
    # Largest accepted request body, in bytes (CSV imports included; uploads: UPLOAD_MAX_BYTES).
    MAX_CONTENT_LENGTH: int = 5 * 1024 * 1024
    MAX_FIELD_LENGTH: int = 100_000  # longest text accepted in any single form or JSON field
    # Hosts post images may load from over https ("*.example.org" for its subdomains).
    # Empty: only images the app serves; any other image shows as a link.
    IMAGE_HOSTS: CommaList = []
    WTF_CSRF_TIME_LIMIT: int | None = None

    # Outgoing mail (alerts, invitations, password resets). Without MAIL_SERVER, mail is
    # written as .eml files under instance/mail and listed on the admin "sent mail" page.
    MAIL_SERVER: str | None = None
    MAIL_PORT: int = 25
    MAIL_USE_TLS: bool = False
    MAIL_USE_SSL: bool = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER: str = "forum@localhost"
    MAIL_TIMEOUT_SECONDS: float = 10.0
    # Allow webhooks to loopback/private addresses (tests and development only).
    WEBHOOK_ALLOW_PRIVATE: bool = False
    WEBHOOK_TIMEOUT_SECONDS: float = 5.0  # seconds a webhook may take to connect and answer

    # Alert delivery worker (docs/alerts.md). Failed messages are retried with exponential
    # backoff and jitter, then dead-lettered once older than ALERT_MAX_AGE_HOURS.
    ALERT_MAX_AGE_HOURS: float = 24.0
    ALERT_RETRY_BASE_SECONDS: float = 20.0
    ALERT_RETRY_MAX_SECONDS: float = 1800.0
    # How long a worker's claim on a batch lasts; rows of a killed worker are due again after it.
    ALERT_LEASE_SECONDS: int = 120
    ALERT_BATCH_SIZE: int = 50
    ALERT_POLL_SECONDS: float = 1.0  # the `alerts work` loop polls at least this often
    ALERT_DIGEST_HOUR: int = 7  # each person's local hour for their daily digest
    EMAIL_LINK_HOURS: float = 24.0  # escalation emails' one-click links work once, this long
    EMAIL_SIGN_IN_LINKS: bool = True  # offer "open signed in" links (off: only SSO signs in)
    # Hours before a meet-up starts that those going (or maybe) are reminded, once.
    MEETUP_REMINDER_HOURS: float = 24.0

    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    SQLITE_WRITER_QUEUE: bool = True  # SQLite writers wait in arrival order (core/sqlite_writers)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # instance/config.py must rank below the environment, and pydantic-settings cannot
        # rank a source it does not know of; `load_config` layers the three and passes the
        # result in, so the layering is written out in one place.
        return (init_settings,)

    @field_validator("ALLOWED_EMAIL_DOMAINS", "IMAGE_HOSTS", "OIDC_ALLOWED_DOMAINS", mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return value.split(",")
        return value

    @field_validator("ALLOWED_EMAIL_DOMAINS", "IMAGE_HOSTS", "OIDC_ALLOWED_DOMAINS")
    @classmethod
    def _drop_blanks(cls, value: list[str]) -> list[str]:
        return [item.strip() for item in value if item.strip()]

    @field_validator("ALLOWED_EMAIL_DOMAINS", "OIDC_ALLOWED_DOMAINS")
    @classmethod
    def _bare_lowercase_domains(cls, value: list[str]) -> list[str]:
        return [domain.lower().lstrip("@") for domain in value]

    @field_validator("OIDC_ISSUER")
    @classmethod
    def _issuer_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query:
            raise ValueError("must be the provider's issuer URL, such as https://login.example.org")
        return value.strip()

    @field_validator("FORUM_BASE_URL")
    @classmethod
    def _absolute_base_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query:
            raise ValueError("must be an absolute http(s) URL such as https://forum.example.org")
        return value.strip().rstrip("/")

    @field_validator("FORUM_TIMEZONE")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        from forum.core.clock import is_time_zone

        if not is_time_zone(value.strip()):
            raise ValueError("must be an IANA time zone name such as Europe/London or UTC")
        return value.strip()

    @field_validator("LOG_LEVEL")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if not isinstance(logging.getLevelName(level), int):
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @model_validator(mode="after")
    def _production_is_explicit(self) -> Config:
        if self.FORUM_ENV == "production":
            # Without them a restart would sign everyone out (a generated key), and links in
            # emails would follow whatever Host header a request sent.
            missing = [name for name in ("SECRET_KEY", "FORUM_BASE_URL") if not getattr(self, name)]
            if missing:
                raise ValueError(f"{' and '.join(missing)} must be set when FORUM_ENV=production.")
        return self

    @model_validator(mode="after")
    def _sso_is_complete(self) -> Config:
        names = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")
        given = [name for name in names if getattr(self, name)]
        if given and len(given) < len(names):
            missing = [name for name in names if name not in given]
            raise ValueError(f"{' and '.join(missing)} must be set with {given[0]}.")
        if not self.PASSWORD_SIGN_IN and not given:
            raise ValueError(
                "PASSWORD_SIGN_IN=false needs single sign-on (OIDC_ISSUER, OIDC_CLIENT_ID and "
                "OIDC_CLIENT_SECRET): nobody could sign in."
            )
        for group, role in self.OIDC_ROLE_GROUPS.items():
            if role not in {"member", "enthusiast", "senior", "admin"}:
                raise ValueError(
                    f"OIDC_ROLE_GROUPS maps {group!r} to an unknown role; use member, "
                    "enthusiast, senior or admin."
                )
        return self


def load_config(instance_path: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every setting, lowest layer first: Config's defaults, instance/config.py, environment
    variables named like the settings, then `overrides`; plus the values derived from them.

    Raises ConfigError naming every setting of the wrong type, and when production lacks
    SECRET_KEY or FORUM_BASE_URL.
    """
    try:
        environment = EnvSettingsSource(Config)()
    except SettingsError as exc:  # a JSON setting that is not JSON; the message names it
        raise ConfigError(f"Invalid configuration: {exc}") from None
    layers = {**_instance_file(instance_path), **environment, **(overrides or {})}
    try:
        settings = Config(**layers).model_dump()
    except ValidationError as exc:
        problems = "; ".join(
            ": ".join(filter(None, [".".join(map(str, error["loc"])), error["msg"]]))
            for error in exc.errors()
        )
        raise ConfigError(
            f"Invalid configuration: {problems.replace('Value error, ', '')}"
        ) from None

    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = _instance_secret_key(instance_path)
    settings["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(
        settings["DATABASE_URL"] or f"sqlite:///{Path(instance_path) / 'forum.db'}"
    )
    if settings["SEARCH_BACKEND"] == "postgres" and not settings[
        "SQLALCHEMY_DATABASE_URI"
    ].startswith("postgresql"):
        raise ConfigError(
            "Invalid configuration: SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL"
            " (postgresql+psycopg://…); use SEARCH_BACKEND=whoosh with SQLite."
        )
    if settings["RATELIMIT_STORAGE_URI"] == "forumdb://":
        # The throttle storage reaches the app's database through its own URI, so nothing
        # needs passing as (process-wide, sticky) Flask-Limiter storage options.
        settings["RATELIMIT_STORAGE_URI"] = "forumdb://" + quote(
            settings["SQLALCHEMY_DATABASE_URI"], safe=""
        )
    if not settings["SEARCH_INDEX_DIR"]:
        settings["SEARCH_INDEX_DIR"] = str(Path(instance_path) / "search-index")
    if settings["SEARCH_INDEX_INLINE"] is None:
        settings["SEARCH_INDEX_INLINE"] = settings["FORUM_ENV"] != "production"
    settings.setdefault("TESTING", settings["FORUM_ENV"] == "testing")
    return settings


def _instance_file(instance_path: str) -> dict[str, Any]:
    """The upper-case names of instance/config.py, read by Flask's own loader; {} without it."""
    values = flask.Config(instance_path)
    values.from_pyfile("config.py", silent=True)
    return dict(values)


def normalize_database_url(url: str) -> str:
    """Make postgres URLs use psycopg 3, whatever spelling the operator used."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret_key(instance_path: str) -> str:
    """Generate a development secret once and keep it in instance/, so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Write a temporary file, then hard-link it into place: atomic, and the first worker wins.
        tmp = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text().strip()
