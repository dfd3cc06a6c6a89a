"""Every setting the app reads, with a safe default, and how the environment overrides it."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote


class Config:
    """Defaults; `load_config` layers instance/config.py, the environment and overrides on top."""

    # "development", "testing" or "production"; production refuses to start without SECRET_KEY.
    FORUM_ENV = "development"
    # Signs sessions, CSRF tokens and remember-me cookies. Generated into instance/ in development.
    SECRET_KEY: str | None = None
    # SQLAlchemy URL; default is a SQLite file in instance/. PostgreSQL: postgresql+psycopg://...
    DATABASE_URL: str | None = None
    # Directory of the Whoosh index; default instance/search-index.
    SEARCH_INDEX_DIR: str | None = None
    # Seconds a process waits for the search index writer lock before leaving its changes queued.
    SEARCH_LOCK_TIMEOUT_SECONDS = 10.0
    # A missing or corrupt index is rebuilt inside the request when the database holds at most
    # this many posts; above it, a background thread rebuilds while search says so.
    SEARCH_INLINE_REBUILD_MAX_POSTS = 2000
    # Absolute base URL used for links in emails and webhooks.
    FORUM_BASE_URL = "http://127.0.0.1:5000"
    # Sign-up without invitation is open to these email domains (comma-separated or JSON list).
    ALLOWED_EMAIL_DOMAINS: list[str] | str = []
    # Hours an invitation link stays valid.
    INVITATION_TTL_HOURS = 72
    # Minutes a password-reset link stays valid.
    PASSWORD_RESET_TTL_MINUTES = 60
    # werkzeug hashing method for passwords.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105  (a method name, not a secret)
    # Minimum password length for new passwords.
    PASSWORD_MIN_LENGTH = 10

    # Master switch for every throttle (sign-in, posting, escalations). Off for load tests.
    RATELIMIT_ENABLED = True
    # Flask-Limiter storage: "forumdb://" keeps counters in the app's database (shared by all
    # workers); "redis://127.0.0.1:6379" moves them to Redis; "memory://" is per process.
    RATELIMIT_STORAGE_URI = "forumdb://"
    # Sign-in throttle (forum/accounts/signin.py), failures counted within the window below.
    # Failed sign-ins from one client IP, any accounts, before that IP is refused (429).
    LOGIN_MAX_FAILURES_PER_IP = 20
    # Failures of one account from one IP before each further try waits a growing delay.
    LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_IP = 5
    # Failures of one account from all IPs together before unrecognised devices wait as well.
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 20
    # The delay: this many seconds after the first failure past a budget, doubling, capped.
    LOGIN_DELAY_BASE_SECONDS = 30
    LOGIN_DELAY_MAX_SECONDS = 900
    # A browser that signed in before skips the delays with this many failures of its own.
    LOGIN_MAX_FAILURES_PER_DEVICE = 5
    LOGIN_FAILURE_WINDOW_SECONDS = 900
    # Days a browser stays a recognised ("known") device after its last sign-in.
    KNOWN_DEVICE_DAYS = 180
    # Password reset requests: per client IP per hour (then 429), and emails per address
    # within a link's lifetime and at least this many minutes apart (further requests are
    # held silently: same answer, no email).
    PASSWORD_RESET_MAX_PER_IP_PER_HOUR = 10
    PASSWORD_RESET_MAX_EMAILS_PER_ADDRESS = 3
    PASSWORD_RESET_MIN_MINUTES_BETWEEN_EMAILS = 5
    # Escalations (new ones and additions to open ones) one person may make per hour.
    ESCALATIONS_PER_HOUR = 10
    # Default limit applied to API writes (Flask-Limiter syntax).
    API_WRITE_RATE_LIMIT = "120 per minute"
    # New threads and replies per person (pages and API together count per route).
    POST_RATE_LIMIT = "12 per minute; 200 per day"
    # Edits of posts per person, and Markdown previews (the editor asks after a pause in typing).
    EDIT_RATE_LIMIT = "12 per minute; 200 per day"
    PREVIEW_RATE_LIMIT = "30 per minute; 1000 per day"

    # Trust X-Forwarded-* from one proxy (set when behind nginx or a load balancer).
    TRUST_PROXY_HEADERS = False
    # Session and remember-me cookies; Secure is added automatically on https requests.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION_DAYS = 30
    # Largest accepted request body, in bytes (CSV imports included).
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    # Longest text accepted in any single form or JSON field.
    MAX_FIELD_LENGTH = 100_000
    # Hosts post images may load from over https (comma-separated or JSON list; "*.example.org"
    # for its subdomains). Empty: only images the app serves; any other image shows as a link.
    IMAGE_HOSTS: list[str] | str = []
    WTF_CSRF_TIME_LIMIT = None

    # Outgoing mail (alerts, invitations, password resets). Without MAIL_SERVER, mail is
    # written as .eml files under instance/mail and listed on the admin "sent mail" page.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "forum@localhost"
    MAIL_TIMEOUT_SECONDS = 10
    # Allow webhooks to loopback/private addresses (tests and development only).
    WEBHOOK_ALLOW_PRIVATE = False
    # Seconds a webhook may take to connect and to answer.
    WEBHOOK_TIMEOUT_SECONDS = 5.0

    # Alert delivery worker (docs/alerts.md). Failed messages are retried with exponential
    # backoff and jitter, then dead-lettered once older than ALERT_MAX_AGE_HOURS.
    ALERT_MAX_AGE_HOURS = 24.0
    ALERT_RETRY_BASE_SECONDS = 20.0
    ALERT_RETRY_MAX_SECONDS = 1800.0
    # How long a worker's claim on a batch lasts; rows of a killed worker are due again after it.
    ALERT_LEASE_SECONDS = 120
    ALERT_BATCH_SIZE = 50
    # The `alerts work` loop polls at least this often.
    ALERT_POLL_SECONDS = 1.0
    # Hour of the day (UTC) the worker loop sends daily digests.
    ALERT_DIGEST_HOUR = 7

    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}


def _parse_env_value(raw: str, default: Any) -> Any:
    """Type an environment string by the default it replaces: bool, int, float, list or JSON."""
    lowered = raw.strip().lower()
    if isinstance(default, bool) or lowered in {"true", "false", "yes", "no", "on", "off"}:
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
    if isinstance(default, int) and not isinstance(default, bool):
        try:
            return int(raw)
        except ValueError:
            pass
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            pass
    if isinstance(default, list) and not raw.strip().startswith("["):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if raw.strip()[:1] in {"[", "{"}:
        try:
            return json.loads(raw)
        except ValueError:
            pass
    if default is None or isinstance(default, str):
        for cast in (int, float):
            try:
                return cast(raw)
            except ValueError:
                continue
        if default is None and lowered in {"true", "false"}:
            return lowered == "true"
    return raw


def load_config(
    instance_path: str,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Settings: Config, then instance/config.py, then environment, then overrides."""
    environ = dict(os.environ if environ is None else environ)
    settings: dict[str, Any] = {key: getattr(Config, key) for key in dir(Config) if key.isupper()}
    instance_file = Path(instance_path) / "config.py"
    if instance_file.is_file():
        namespace: dict[str, Any] = {}
        exec(compile(instance_file.read_text(), str(instance_file), "exec"), namespace)  # noqa: S102
        settings.update({k: v for k, v in namespace.items() if k.isupper()})
    for key, raw in environ.items():
        if not key.isupper() or not key.replace("_", "").isalnum():
            continue
        if key in settings or key.startswith(("MAIL_", "RATELIMIT_", "FORUM_", "SQLALCHEMY_")):
            if key in {"SECRET_KEY", "DATABASE_URL", "MAIL_PASSWORD", "MAIL_USERNAME"}:
                settings[key] = raw
            else:
                settings[key] = _parse_env_value(raw, settings.get(key))
    settings.update(overrides or {})

    if isinstance(settings["ALLOWED_EMAIL_DOMAINS"], str):
        settings["ALLOWED_EMAIL_DOMAINS"] = [
            d.strip() for d in settings["ALLOWED_EMAIL_DOMAINS"].split(",") if d.strip()
        ]
    settings["ALLOWED_EMAIL_DOMAINS"] = [
        d.lower().lstrip("@") for d in settings["ALLOWED_EMAIL_DOMAINS"]
    ]

    if isinstance(settings["IMAGE_HOSTS"], str):
        settings["IMAGE_HOSTS"] = [h.strip() for h in settings["IMAGE_HOSTS"].split(",")]
    settings["IMAGE_HOSTS"] = [str(h).strip() for h in settings["IMAGE_HOSTS"] if str(h).strip()]

    env = settings["FORUM_ENV"]
    if not settings.get("SECRET_KEY"):
        if env == "production":
            raise RuntimeError("SECRET_KEY must be set when FORUM_ENV=production.")
        settings["SECRET_KEY"] = _instance_secret_key(instance_path)

    settings["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(
        settings.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'forum.db'}"
    )
    if str(settings.get("RATELIMIT_STORAGE_URI", "")) == "forumdb://":
        # The throttle storage reaches the app's database through its own URI, so nothing
        # needs passing as (process-wide, sticky) Flask-Limiter storage options.
        settings["RATELIMIT_STORAGE_URI"] = "forumdb://" + quote(
            settings["SQLALCHEMY_DATABASE_URI"], safe=""
        )
    if not settings.get("SEARCH_INDEX_DIR"):
        settings["SEARCH_INDEX_DIR"] = str(Path(instance_path) / "search-index")
    settings["TESTING"] = settings.get("TESTING", env == "testing")
    return settings


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
