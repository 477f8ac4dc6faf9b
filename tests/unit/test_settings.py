"""Settings are read from the environment and checked before the service starts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from survey_app.config import SETTINGS, ConfigError, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_table_lists_every_setting_with_its_default():
    table = README.read_text(encoding="utf-8")
    for setting in SETTINGS:
        row = re.search(rf"^\| `{setting.name}` \| ([^|]*) \|", table, re.MULTILINE)
        assert row, f"{setting.name} is missing from the README's settings table"
        if setting.default is not None:
            assert f"`{setting.default}`" in row.group(1)


def test_production_without_a_secret_key_stops_with_a_clear_message():
    with pytest.raises(ConfigError, match="SECRET_KEY must be set in production"):
        load_settings({"SAFERMK_ENV": "production"})


def test_production_refuses_a_short_secret_key():
    with pytest.raises(ConfigError, match="at least 32 characters"):
        load_settings({"SAFERMK_ENV": "production", "SECRET_KEY": "short"})


def test_production_without_a_public_address_stops_with_a_clear_message():
    with pytest.raises(ConfigError, match="SAFERMK_BASE_URL must be set in production"):
        load_settings({"SAFERMK_ENV": "production", "SECRET_KEY": "x" * 40})


def test_development_links_lead_to_the_port_make_run_serves_on():
    assert load_settings({})["DEVELOPMENT_BASE_URL"] == "http://127.0.0.1:5000"
    assert load_settings({"PORT": "8123"})["DEVELOPMENT_BASE_URL"] == "http://127.0.0.1:8123"


def test_development_makes_a_secret_key_of_its_own():
    assert len(load_settings({})["SECRET_KEY"]) >= 32


@pytest.mark.parametrize(
    ("url", "message"),
    [("not a url", "not a database URL"), ("mysql://u@h/db", "SQLite or PostgreSQL")],
)
def test_bad_database_url_is_refused(url, message):
    with pytest.raises(ConfigError, match=message):
        load_settings({"DATABASE_URL": url})


def test_plain_postgresql_url_uses_the_installed_driver():
    settings = load_settings({"DATABASE_URL": "postgres://someone@db.example/safermk"})
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_relative_sqlite_path_is_under_the_project(tmp_path):
    settings = load_settings({"DATABASE_URL": "sqlite:///instance/x.sqlite3"})
    assert settings["SQLALCHEMY_DATABASE_URI"].endswith("/instance/x.sqlite3")
    assert Path(settings["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).is_absolute()


@pytest.mark.parametrize("name", ["RESUME_DAYS", "DATABASE_POOL_SIZE"])
def test_numbers_must_be_whole_and_positive(name):
    with pytest.raises(ConfigError, match=name):
        load_settings({name: "seven", "DATABASE_URL": "postgresql://x@y/z"})
    with pytest.raises(ConfigError, match=name):
        load_settings({name: "0", "DATABASE_URL": "postgresql://x@y/z"})


def test_secure_cookie_follows_the_environment_unless_set():
    production = {
        "SAFERMK_ENV": "production",
        "SECRET_KEY": "x" * 40,
        "SAFERMK_BASE_URL": "https://survey.safermk.example",
    }
    assert load_settings(production)["SESSION_COOKIE_SECURE"] is True
    assert load_settings({})["SESSION_COOKIE_SECURE"] is False
    assert (
        load_settings({**production, "SESSION_COOKIE_SECURE": "false"})["SESSION_COOKIE_SECURE"]
        is False
    )


def test_the_jobs_queue_is_an_sqlite_file_under_the_project_or_redis(tmp_path):
    default = load_settings({})["JOBS_URL"]
    assert default.startswith("sqlite:////") and default.endswith("/instance/jobs.sqlite3")
    assert load_settings({"JOBS_URL": "redis://cache:6379/2"})["JOBS_URL"] == "redis://cache:6379/2"
    with pytest.raises(ConfigError, match="JOBS_URL must be sqlite:///path/to/jobs.sqlite3 or"):
        load_settings({"JOBS_URL": "postgres://db/jobs"})
