"""Two servers behind one load balancer share everything through PostgreSQL and Redis.

Two gunicorn servers, on different ports, with the production settings and one database and
one Redis between them, as two machines behind a load balancer would be. Each request below
goes to whichever server the test picks, as a load balancer without sticky sessions would send
it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import subprocess
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from benchmarks import residents

from ..conftest import ADMIN_URL

# A bound on waiting for the worker; the interim report of one response takes seconds.
REPORT_WITHIN_SECONDS = 120
ANALYST, PASSWORD = "analyst@two.example", "a long two-server passphrase 2026"
ADD_ANALYST = f"""
from survey_app import create_app
from survey_app.auth import accounts
with create_app().app_context():
    accounts.set_password(accounts.create_user("{ANALYST}", "analyst"), "{PASSWORD}")
"""


class Balanced(residents.Resident):
    """A browser whose every request goes to the next server in turn."""

    def __init__(self, servers: list[str]) -> None:
        super().__init__(servers[0])
        self.turns = itertools.cycle(servers)
        self.servers_used: list[str] = []

    def request(self, kind: str, path: str, form: Mapping[str, Any] | None = None) -> Any:
        self.base_url = next(self.turns)
        self.servers_used.append(self.base_url)
        return super().request(kind, path, form)


@contextlib.contextmanager
def _two_servers(logs: Path) -> Iterator[tuple[str, list[str]]]:
    with residents.postgresql_database(ADMIN_URL) as database_url:
        # One environment for both: the same database, secret key and rate-limit counters.
        env = residents.server_environment(database_url)
        residents.flask_setup(env)
        subprocess.run(
            [str(residents.BIN / "python"), "-c", ADD_ANALYST],
            cwd=residents.ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        config = residents.ROOT / "gunicorn.conf.py"
        with (
            residents.gunicorn("wsgi:app", env, logs / "a.log", workers=1, config=config) as one,
            residents.gunicorn("wsgi:app", env, logs / "b.log", workers=1, config=config) as two,
            residents.jobs_worker(env, logs / "worker.log"),
        ):
            yield database_url, [one, two]


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    with _two_servers(tmp_path_factory.mktemp("two-servers")) as servers:
        yield servers


def test_a_residents_journey_split_between_the_servers_is_stored_once(two_servers):
    database_url, servers = two_servers
    resident = Balanced(servers)
    token = residents.walk_to_check_answers(resident, "age-uk")
    residents.submit_answers(resident, token)
    resident.fetch("confirmation", "/confirmation")

    assert set(resident.servers_used) == set(servers)
    stored = residents.stored_responses(database_url)
    assert (stored.submitted, stored.in_progress) == (1, 0)
    assert stored.answers[0]["ward"] == "woughton_and_fishermead"


def _signed_in(servers: list[str]) -> Balanced:
    analyst = Balanced(servers)
    token = residents.csrf_token(analyst.fetch("sign-in page", "/sign-in"))
    form = {"email": ANALYST, "password": PASSWORD, "csrf_token": token}
    analyst.fetch("sign in", "/sign-in", form, expect=302)
    return analyst


def test_a_report_started_through_one_server_is_followed_and_downloaded_through_the_other(
    two_servers,
):
    _, (first, second) = two_servers
    analyst = _signed_in([first, second])
    # The form is shown by the second server and posted to the first, which queues the report.
    analyst.turns = itertools.cycle([second, first])
    token = residents.csrf_token(analyst.fetch("reports page", "/admin/reports"))
    started = analyst.fetch(
        "make report",
        "/admin/reports/generate",
        {"kind": "interim", "csrf_token": token},
        expect=302,
    )
    assert analyst.servers_used[-1] == first
    job_page = started.location
    assert re.fullmatch(r"/admin/jobs/[0-9a-f]{32}", job_page)

    # The worker (a process of its own, taking jobs from Redis) makes it; the second server
    # shows its progress as the worker writes it.
    analyst.turns = itertools.cycle([second])
    seen = []
    deadline = time.monotonic() + REPORT_WITHIN_SECONDS
    while time.monotonic() < deadline:
        state = json.loads(analyst.fetch("progress", f"{job_page}/progress").body)
        seen.append(state["status"])
        if state["status"] not in ("queued", "running"):
            break
        time.sleep(0.5)
    assert seen[-1] == "done", (seen, state)
    page = analyst.fetch("job page", job_page).body
    (pdf,) = re.findall(r'"(/admin/reports/files/[^"]+\.pdf)"', page)
    download = analyst.fetch("download", pdf)
    assert download.body.startswith("%PDF")


def _failed_sign_in(client: residents.Resident) -> int:
    token = residents.csrf_token(client.fetch("sign-in page", "/sign-in"))
    form = {"email": "nobody@example.org", "password": "wrong wrong wrong", "csrf_token": token}
    return client.request("sign in", "/sign-in", form).status


def test_a_rate_limit_counts_across_both_servers(tmp_path):
    # Servers of its own: no other test's sign-ins count towards this limit.
    with _two_servers(tmp_path) as (_, (one, two)):
        # A fresh browser each time, whose sign-in goes to each server in turn.
        statuses = [
            _failed_sign_in(Balanced([two, one] if attempt % 2 else [one, two]))
            for attempt in range(11)
        ]
    # 10 a minute from one address, though each server saw only five or six of them.
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
