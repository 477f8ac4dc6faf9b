"""Fixtures: every test database is built by the real migrations, on SQLite and on PostgreSQL.

The migrations run once per database engine per session into a template; each test then gets a
fresh copy (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from survey_app import create_app
from survey_app.extensions import db

from .helpers import PageCheckingClient

ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "test-artifacts/screenshots")).resolve()
KNOWN_BACKENDS = ("sqlite", "postgresql")
# TEST_DATABASES names the engines the database tests run on, comma-separated; both by default.
BACKENDS = list(
    dict.fromkeys(
        name.strip()
        for name in os.environ.get("TEST_DATABASES", ",".join(KNOWN_BACKENDS)).split(",")
        if name.strip()
    )
)


def pytest_configure(config: pytest.Config) -> None:
    """Fail the run, before collecting, on a TEST_DATABASES that is empty or names a typo."""
    unknown = [name for name in BACKENDS if name not in KNOWN_BACKENDS]
    if unknown or not BACKENDS:
        problem = f"names an unknown database ({', '.join(unknown)})" if unknown else "is empty"
        raise pytest.UsageError(
            f"TEST_DATABASES={os.environ.get('TEST_DATABASES', '')!r} {problem}: set it to "
            "sqlite, postgresql or sqlite,postgresql, or unset it to run on both"
        )


def _app_for(url: str, **overrides: object) -> Flask:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Jobs wait in this process until a test runs them (run_jobs); the worker itself is
        # tested in tests/production.
        "JOBS_URL": "memory://",
        # The dashboard's figures are worked out on every view (test_live_figures keeps them).
        "LIVE_FIGURES_SECONDS": 0,
    }
    config.update(overrides)
    return create_app(config)


def _migrate_and_load(url: str) -> None:
    app = _app_for(url)
    with app.app_context():
        from flask_migrate import upgrade

        from survey_app import setup_data

        upgrade()
        setup_data.load_default_survey()
        setup_data.load_default_channels()
        setup_data.load_default_benchmarks()
        db.engine.dispose()


class SqliteDatabases:
    def __init__(self, workdir: Path):
        self.template = workdir / "template.sqlite3"
        self.workdir = workdir
        _migrate_and_load(f"sqlite:///{self.template}")

    def create(self) -> str:
        path = self.workdir / f"{uuid.uuid4().hex}.sqlite3"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        path = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def require_shared_postgres() -> None:
    """Fail (never skip) with a clear message when the shared PostgreSQL server is not there."""
    engine = create_engine(ADMIN_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {ADMIN_URL}: start it (see README, 'Tests') or "
            f"set TEST_DATABASE_URL. ({error.orig})",
            pytrace=False,
        )
    finally:
        engine.dispose()


class PostgresDatabases:
    def __init__(self) -> None:
        require_shared_postgres()
        self.admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        self.template = f"safermk_template_{uuid.uuid4().hex[:8]}"
        self._execute(f'CREATE DATABASE "{self.template}"')
        _migrate_and_load(self._url(self.template))

    def _url(self, name: str) -> str:
        return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def _execute(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(statement))

    def create(self) -> str:
        name = f"safermk_test_{uuid.uuid4().hex[:12]}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self._url(name)

    def drop(self, url: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def database_factories(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    factories: dict[str, object] = {}
    yield factories
    for factory in factories.values():
        if isinstance(factory, PostgresDatabases):
            factory.close()


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest,
    database_factories: dict[str, object],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    backend = request.param
    if backend not in database_factories:
        database_factories[backend] = (
            SqliteDatabases(tmp_path_factory.mktemp("sqlite"))
            if backend == "sqlite"
            else PostgresDatabases()
        )
    factory = database_factories[backend]
    url = factory.create()  # type: ignore[attr-defined]
    yield url
    factory.drop(url)  # type: ignore[attr-defined]


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = _app_for(database_url)
    app.test_client_class = PageCheckingClient
    # No app context stays pushed during the test: each request gets its own, as in production.
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def make_app(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Another app on the test's database, with its own settings; closed with the test."""
    made: list[Flask] = []

    def factory(**overrides: object) -> Flask:
        app = _app_for(database_url, **overrides)
        app.test_client_class = PageCheckingClient
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> PageCheckingClient:
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if SCREENSHOTS.exists() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"Screenshots of resident pages: {SCREENSHOTS}")
