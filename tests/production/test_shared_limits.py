"""Rate limits hold across gunicorn's workers: the counters are shared in Redis."""

from __future__ import annotations

import http.cookiejar
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import create_engine, text

from benchmarks import residents

from ..conftest import SqliteDatabases


@pytest.fixture
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    databases = SqliteDatabases(tmp_path_factory.mktemp("limits"))
    return databases.create()


def _failed_sign_in(base: str) -> int:
    """One wrong-password attempt from a fresh browser; the response's status."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(f"{base}/sign-in", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"csrf_token": token, "email": "nobody@example.org", "password": "wrong wrong wrong"}
    ).encode()
    try:
        return opener.open(f"{base}/sign-in", data=form, timeout=30).status
    except urllib.error.HTTPError as error:
        return error.code


def test_sign_in_limit_counts_across_every_worker(database, tmp_path):
    env = residents.server_environment(database)
    with residents.gunicorn(
        "wsgi:app",
        env,
        tmp_path / "server.log",
        workers=3,
        config=residents.ROOT / "gunicorn.conf.py",
    ) as base:
        statuses = [_failed_sign_in(base) for _ in range(11)]
    # 10 a minute from one address, however the requests were shared between the workers.
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_gunicorn_refuses_several_workers_counting_alone(database, tmp_path):
    env = {**residents.server_environment(database), "RATELIMIT_STORAGE_URI": "memory://"}
    result = subprocess.run(
        [
            str(residents.BIN / "gunicorn"),
            "--config",
            "gunicorn.conf.py",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{residents.free_port()}",
            "wsgi:app",
        ],
        cwd=residents.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "RATELIMIT_STORAGE_URI must name shared storage" in result.stdout + result.stderr


def test_identical_answers_are_counted_across_every_worker(database, tmp_path):
    """A robot's identical responses land on different workers; the burst is still seen."""
    env = residents.server_environment(database, QUALITY_SAME_ANSWERS_BURST="5 per hour")
    with residents.gunicorn(
        "wsgi:app",
        env,
        tmp_path / "server.log",
        workers=3,
        config=residents.ROOT / "gunicorn.conf.py",
    ) as base:
        outcomes = [residents.complete_journey(base, "facebook") for _ in range(5)]
    assert all(outcome.submitted for outcome in outcomes), [o.failure for o in outcomes]
    engine = create_engine(database)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT same_answers_burst, duration_seconds FROM responses")
        ).all()
    engine.dispose()
    assert [bool(flagged) for flagged, _seconds in rows] == [True] * 5
    assert all(seconds is not None and seconds >= 0 for _flagged, seconds in rows)
