"""Settings from environment variables, parsed and checked once at start-up.

A bad value stops the app with one clear line rather than failing on the first request.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEVELOPMENT_ENVIRONMENTS = {"development", "test"}


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    description: str


# The README's settings table is written from this list, so the two never drift apart.
SETTINGS: tuple[Setting, ...] = (
    Setting("SAFERMK_ENV", "development", "`development`, `test` or `production`."),
    Setting(
        "SECRET_KEY",
        None,
        "Signs the session cookie. Required in production; development makes a random one.",
    ),
    Setting(
        "DATABASE_URL",
        "sqlite:///instance/safermk.sqlite3",
        "SQLAlchemy URL, e.g. `postgresql+psycopg://user@host/db`. Relative SQLite paths are "
        "under the project folder.",
    ),
    Setting("DATABASE_POOL_SIZE", "5", "PostgreSQL connections kept open per worker."),
    Setting("RESUME_DAYS", "7", "Days an unfinished survey can be resumed in the same browser."),
    Setting(
        "SESSION_COOKIE_SECURE",
        "auto",
        "`true` when served over HTTPS (production default), `false` otherwise.",
    ),
    Setting("SAFERMK_CONTACT_EMAIL", "safermk@milton-keynes.gov.uk", "Shown on public pages."),
    Setting(
        "RATELIMIT_STORAGE_URI",
        "memory://",
        "Where rate-limit counters live: `memory://` for one process, or `redis://host:6379` "
        "shared by every worker (required when gunicorn runs more than one).",
    ),
    Setting(
        "RATELIMIT_KEY_PREFIX",
        "safermk",
        "Prefix of the rate-limit counters' keys, so services sharing one Redis keep apart.",
    ),
    Setting(
        "SURVEY_RATE_LIMIT",
        "120 per minute",
        "Survey form posts allowed from one network address (households and offices share one).",
    ),
    Setting(
        "QUALITY_SAME_ANSWERS_BURST",
        "5 per hour",
        "Response quality: this many responses with identical answers to every closed question "
        "within the period are flagged as suspected.",
    ),
    Setting(
        "QUALITY_CHANNEL_BURST",
        "30 per 10 minutes",
        "Response quality: responses through one channel beyond this many within the period are "
        "flagged as suspected.",
    ),
    Setting(
        "QUALITY_FAST_SECONDS",
        "60",
        "Response quality: responses completed in fewer seconds than this (or than a third of "
        "the median time, once 30 are timed) are flagged as suspected.",
    ),
    Setting("LOG_FORMAT", "json", "`json` (one object per line) or `text`."),
    Setting(
        "SAFERMK_BASE_URL",
        None,
        "The public address, e.g. `https://survey.safermk.org.uk`, printed on posters, QR codes "
        "and set-password links. Required in production. In development, pages use the address "
        "they were reached at and commands print `http://127.0.0.1:PORT`.",
    ),
    Setting(
        "PORT",
        "5000",
        "The port `make run` serves on in development, and so the port in links that commands "
        "print there.",
    ),
    Setting(
        "JOBS_URL",
        "sqlite:///instance/jobs.sqlite3",
        "Where reports and exports wait for the background worker: an SQLite file (one machine; "
        "relative paths are under the project folder) or `redis://host:6379/0`, shared by "
        "every server and worker (production with more than one machine).",
    ),
    Setting(
        "JOBS_QUEUE_NAME",
        "safermk",
        "The queue's name, so services sharing one Redis keep their jobs apart.",
    ),
    Setting(
        "LIVE_FIGURES_SECONDS",
        "60",
        "How old the dashboard's and partner portal's costly figures may grow before a view asks "
        "the background worker to work them out again (the dashboard says when they are from). "
        "`0` works them out on every view.",
    ),
    Setting("STAFF_IDLE_MINUTES", "480", "Staff are signed out after this long without a request."),
    Setting(
        "TRUSTED_PROXIES",
        "0",
        "How many reverse proxies in front of the service set `X-Forwarded-For` and "
        "`X-Forwarded-Proto`: the client address (for rate limits) is taken from that many "
        "hops back. `0` trusts no forwarded header.",
    ),
)


def _env(name: str, environ: dict[str, str]) -> str | None:
    setting = next(s for s in SETTINGS if s.name == name)
    value = environ.get(name)
    return value if value not in (None, "") else setting.default


def _whole_number(name: str, environ: dict[str, str], minimum: int) -> int:
    raw = _env(name, environ)
    try:
        value = int(raw or "")
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be {minimum} or more, not {value}")
    return value


def _positive_int(name: str, environ: dict[str, str]) -> int:
    return _whole_number(name, environ, 1)


def _count(name: str, environ: dict[str, str]) -> int:
    return _whole_number(name, environ, 0)


def _choice(name: str, environ: dict[str, str], allowed: tuple[str, ...]) -> str:
    value = (_env(name, environ) or "").lower()
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _base_url(environ: dict[str, str], env_name: str) -> str | None:
    raw = _env("SAFERMK_BASE_URL", environ)
    if raw is None:
        if env_name == "production":
            raise ConfigError(
                "SAFERMK_BASE_URL must be set in production: the public address printed on "
                "posters, QR codes and set-password links, like https://survey.safermk.org.uk"
            )
        return None
    if not raw.startswith(("https://", "http://")) or " " in raw:
        raise ConfigError(f"SAFERMK_BASE_URL must be a web address like https://..., not {raw!r}")
    return raw.rstrip("/")


def _rate_limit(name: str, environ: dict[str, str], example: str) -> str:
    from limits import parse_many

    raw = _env(name, environ) or ""
    try:
        parse_many(raw)
    except ValueError:
        raise ConfigError(f"{name} must look like {example!r}, not {raw!r}") from None
    return raw


def _database_url(environ: dict[str, str], project_root: Path) -> str:
    raw = _env("DATABASE_URL", environ) or ""
    # Heroku-style URLs name the old driver; psycopg 3 is the one installed.
    if raw.startswith("postgres://"):
        raw = "postgresql+psycopg://" + raw[len("postgres://") :]
    elif raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw[len("postgresql://") :]
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(f"DATABASE_URL is not a database URL: {raw!r}") from None
    backend = url.get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise ConfigError(f"DATABASE_URL must be SQLite or PostgreSQL, not {backend!r}")
    if backend == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        if not path.is_absolute():
            path = project_root / path
        path.parent.mkdir(parents=True, exist_ok=True)
        url = url.set(database=str(path))
    return url.render_as_string(hide_password=False)


def _jobs_url(environ: dict[str, str], project_root: Path) -> str:
    raw = _env("JOBS_URL", environ) or ""
    if raw.startswith(("redis://", "rediss://", "unix://")) or raw == "memory://":
        return raw
    if raw.startswith("sqlite:///") and len(raw) > len("sqlite:///"):
        path = Path(raw[len("sqlite:///") :])
        if not path.is_absolute():
            path = project_root / path
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    raise ConfigError(
        f"JOBS_URL must be sqlite:///path/to/jobs.sqlite3 or redis://host:6379/0, not {raw!r}"
    )


def load_settings(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Return Flask config values from the environment, or raise ConfigError."""
    environ = dict(os.environ if environ is None else environ)
    project_root = Path(__file__).resolve().parent.parent
    env_name = (_env("SAFERMK_ENV", environ) or "").lower()
    if env_name not in DEVELOPMENT_ENVIRONMENTS | {"production"}:
        raise ConfigError(f"SAFERMK_ENV must be development, test or production, not {env_name!r}")

    secret_key = _env("SECRET_KEY", environ)
    if secret_key is None:
        if env_name == "production":
            raise ConfigError("SECRET_KEY must be set in production (a long random string)")
        secret_key = secrets.token_hex(32)
    elif env_name == "production" and len(secret_key) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters in production")

    secure_raw = (_env("SESSION_COOKIE_SECURE", environ) or "auto").lower()
    if secure_raw not in {"auto", "true", "false"}:
        raise ConfigError(f"SESSION_COOKIE_SECURE must be auto, true or false, not {secure_raw!r}")
    secure = env_name == "production" if secure_raw == "auto" else secure_raw == "true"

    database_url = _database_url(environ, project_root)
    engine_options: dict[str, object] = {"pool_pre_ping": True}
    if database_url.startswith("postgresql"):
        engine_options["pool_size"] = _positive_int("DATABASE_POOL_SIZE", environ)

    return {
        "SAFERMK_ENV": env_name,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "RESUME_DAYS": _positive_int("RESUME_DAYS", environ),
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SAFERMK_CONTACT_EMAIL": _env("SAFERMK_CONTACT_EMAIL", environ),
        # Survey pages carry free text of up to 2,000 characters; nothing needs more than this.
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", environ),
        "RATELIMIT_KEY_PREFIX": _env("RATELIMIT_KEY_PREFIX", environ),
        # No X-RateLimit-* headers: they cost the limiter's storage a second round trip on every
        # limited request, and tell robots how far they may go. A 429 still says when to come
        # back (Retry-After, errors.retry_after).
        "RATELIMIT_HEADERS_ENABLED": False,
        "SURVEY_RATE_LIMIT": _rate_limit("SURVEY_RATE_LIMIT", environ, "120 per minute"),
        "QUALITY_SAME_ANSWERS_BURST": _rate_limit(
            "QUALITY_SAME_ANSWERS_BURST", environ, "5 per hour"
        ),
        "QUALITY_CHANNEL_BURST": _rate_limit("QUALITY_CHANNEL_BURST", environ, "30 per 10 minutes"),
        "QUALITY_FAST_SECONDS": _positive_int("QUALITY_FAST_SECONDS", environ),
        "LOG_FORMAT": _choice("LOG_FORMAT", environ, ("json", "text")),
        "SAFERMK_BASE_URL": _base_url(environ, env_name),
        # Where `make run` serves in development: the address commands print when no public
        # address is set, so a printed link leads to the running service.
        "DEVELOPMENT_BASE_URL": f"http://127.0.0.1:{_positive_int('PORT', environ)}",
        "JOBS_URL": _jobs_url(environ, project_root),
        "JOBS_QUEUE_NAME": _env("JOBS_QUEUE_NAME", environ),
        "LIVE_FIGURES_SECONDS": _count("LIVE_FIGURES_SECONDS", environ),
        "STAFF_IDLE_MINUTES": _positive_int("STAFF_IDLE_MINUTES", environ),
        "TRUSTED_PROXIES": _count("TRUSTED_PROXIES", environ),
        "WTF_CSRF_TIME_LIMIT": None,
    }
