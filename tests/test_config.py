"""Configuration: typed layers (defaults, instance/config.py, environment, overrides) and the rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from forum.config import Config, ConfigError, load_config


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No setting from the shell running the tests (DATABASE_URL on the PostgreSQL run)."""
    for name in Config.model_fields:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_environment_variables_of_the_same_name_are_typed(
    tmp_path: Path, clean_environment: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "RATELIMIT_ENABLED": "false",
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": "7",
        "ALLOWED_EMAIL_DOMAINS": "Council.example, @other.example",
        "IMAGE_HOSTS": '["images.example.org", "*.cdn.example"]',
        "MAIL_USE_TLS": "true",
        "MAIL_SERVER": "smtp.example.org",
        "WEBHOOK_TIMEOUT_SECONDS": "2.5",
        "SQLALCHEMY_ENGINE_OPTIONS": '{"pool_size": 3}',
        "SECRET_KEY": "12345",
        "SOME_NEW_FLAG": "true",
    }.items():
        clean_environment.setenv(name, value)
    settings = load_config(str(tmp_path))
    assert settings["RATELIMIT_ENABLED"] is False
    assert settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"] == 7
    assert settings["ALLOWED_EMAIL_DOMAINS"] == ["council.example", "other.example"]
    assert settings["IMAGE_HOSTS"] == ["images.example.org", "*.cdn.example"]
    assert settings["MAIL_USE_TLS"] is True
    assert settings["MAIL_SERVER"] == "smtp.example.org"
    assert settings["WEBHOOK_TIMEOUT_SECONDS"] == 2.5
    assert settings["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_size": 3}
    assert settings["SECRET_KEY"] == "12345"  # a secret stays text, whatever it looks like
    assert "SOME_NEW_FLAG" not in settings  # only declared settings come from the environment


def test_an_empty_environment_variable_means_unset(
    tmp_path: Path, clean_environment: pytest.MonkeyPatch
) -> None:
    clean_environment.setenv("MAIL_SERVER", "")
    clean_environment.setenv("MAIL_USE_TLS", "")
    settings = load_config(str(tmp_path))
    assert settings["MAIL_SERVER"] is None
    assert settings["MAIL_USE_TLS"] is False


def test_precedence_is_defaults_then_instance_file_then_environment_then_overrides(
    tmp_path: Path, clean_environment: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.py").write_text(
        "FORUM_BASE_URL = 'https://from-file.example'\n"
        "MAIL_PORT = 2525\n"
        "MAIL_DEFAULT_SENDER = 'file@example.org'\n"
        "SQLALCHEMY_ECHO = True\n"
        "lowercase_is_ignored = 1\n"
    )
    clean_environment.setenv("FORUM_BASE_URL", "https://from-env.example/")
    clean_environment.setenv("MAIL_PORT", "587")
    settings = load_config(str(tmp_path), {"MAIL_PORT": 1, "SECRET_KEY": "s"})
    assert settings["FORUM_BASE_URL"] == "https://from-env.example"
    assert settings["MAIL_PORT"] == 1
    assert settings["MAIL_DEFAULT_SENDER"] == "file@example.org"
    assert settings["PASSWORD_MIN_LENGTH"] == 10
    # Settings of Flask and its extensions that Config does not declare still pass through.
    assert settings["SQLALCHEMY_ECHO"] is True
    assert "lowercase_is_ignored" not in settings


def test_a_mistyped_setting_stops_the_start_naming_it_but_not_its_value(
    tmp_path: Path, clean_environment: pytest.MonkeyPatch
) -> None:
    clean_environment.setenv("MAIL_PORT", "hunter2-not-a-port")
    clean_environment.setenv("FORUM_ENV", "prod")
    with pytest.raises(ConfigError) as caught:
        load_config(str(tmp_path))
    message = str(caught.value)
    assert "MAIL_PORT" in message and "FORUM_ENV" in message
    assert "hunter2" not in message and "'prod'" not in message


def test_a_json_setting_that_is_not_json_is_refused(
    tmp_path: Path, clean_environment: pytest.MonkeyPatch
) -> None:
    clean_environment.setenv("SQLALCHEMY_ENGINE_OPTIONS", "{pool_size: 3")
    with pytest.raises(ConfigError, match="SQLALCHEMY_ENGINE_OPTIONS"):
        load_config(str(tmp_path))


def test_development_secret_is_generated_once(tmp_path: Path) -> None:
    first = load_config(str(tmp_path))["SECRET_KEY"]
    second = load_config(str(tmp_path))["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({}, "SECRET_KEY and FORUM_BASE_URL"),
        ({"SECRET_KEY": "a long random secret"}, "FORUM_BASE_URL"),
        ({"FORUM_BASE_URL": "https://forum.example.org"}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_secret_and_base_url(
    tmp_path: Path, clean_environment: pytest.MonkeyPatch, given: dict[str, str], missing: str
) -> None:
    clean_environment.setenv("FORUM_ENV", "production")
    for name, value in given.items():
        clean_environment.setenv(name, value)
    with pytest.raises(ConfigError, match=f"^Invalid configuration: {missing} must be set"):
        load_config(str(tmp_path))
    assert not (tmp_path / "secret_key").exists()


def test_production_starts_with_both(tmp_path: Path, clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("FORUM_ENV", "production")
    clean_environment.setenv("SECRET_KEY", "a long random secret")
    clean_environment.setenv("FORUM_BASE_URL", "https://forum.example.org/")
    settings = load_config(str(tmp_path))
    assert settings["FORUM_BASE_URL"] == "https://forum.example.org"
    assert settings["TESTING"] is False


@pytest.mark.parametrize(
    "url", ["forum.example.org", "ftp://forum.example.org", "https://", "https://x.org/?a=1"]
)
def test_base_url_must_be_an_absolute_http_url(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError, match="FORUM_BASE_URL"):
        load_config(str(tmp_path), {"FORUM_BASE_URL": url})


def test_database_url_default_and_postgres_spelling(
    tmp_path: Path, clean_environment: pytest.MonkeyPatch
) -> None:
    assert (
        load_config(str(tmp_path))["SQLALCHEMY_DATABASE_URI"]
        == f"sqlite:///{tmp_path / 'forum.db'}"
    )
    for spelling in ("postgres://u@h/db", "postgresql://u@h/db"):
        clean_environment.setenv("DATABASE_URL", spelling)
        assert load_config(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == (
            "postgresql+psycopg://u@h/db"
        )


def test_log_settings_are_checked(tmp_path: Path) -> None:
    assert load_config(str(tmp_path), {"LOG_LEVEL": "warning"})["LOG_LEVEL"] == "WARNING"
    with pytest.raises(ConfigError, match="LOG_LEVEL"):
        load_config(str(tmp_path), {"LOG_LEVEL": "LOUD"})
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        load_config(str(tmp_path), {"LOG_FORMAT": "xml"})


def test_postgres_search_refuses_a_database_that_is_not_postgresql(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SEARCH_BACKEND=postgres needs a PostgreSQL"):
        load_config(str(tmp_path), {"SEARCH_BACKEND": "postgres"})
    with pytest.raises(ConfigError, match="SEARCH_BACKEND"):
        load_config(str(tmp_path), {"SEARCH_BACKEND": "elastic"})
    settings = load_config(
        str(tmp_path),
        {"SEARCH_BACKEND": "postgres", "DATABASE_URL": "postgres://u@db.example/forum"},
    )
    assert settings["SEARCH_BACKEND"] == "postgres"
    assert load_config(str(tmp_path))["SEARCH_BACKEND"] == "whoosh"
