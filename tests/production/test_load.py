"""Under load, every resident's journey ends in exactly one stored response and no server error.

The app runs as deployed: gunicorn with gunicorn.conf.py, SAFERMK_ENV=production, a fresh
database built by `flask setup`. Fifty virtual residents at once (LOAD_CONCURRENCY) complete
2,000 journeys between them (LOAD_JOURNEYS), each a new browser session: channel link, start
page, every question page (GET, then POST with the page's CSRF token), check answers, submit,
confirmation. All of them post from 127.0.0.1, so the per-address limit on survey posts is
raised; the limiter itself still runs.

Each run is bounded: residents send nothing after LOAD_TIME_LIMIT seconds (by default two
minutes plus 0.6 s a journey), and each request gives up after a minute.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import residents

from ..helpers import FULL_ANSWERS
from .support import ADMIN_URL, BACKENDS, normalised, require_shared_postgres, stored_form

JOURNEYS = int(os.environ.get("LOAD_JOURNEYS", "2000"))
CONCURRENCY = int(os.environ.get("LOAD_CONCURRENCY", "50"))
TIME_LIMIT = float(os.environ.get("LOAD_TIME_LIMIT", str(120 + 0.6 * JOURNEYS)))
GUNICORN_CONFIG = residents.ROOT / "gunicorn.conf.py"


@pytest.fixture(params=BACKENDS)
def fresh_database(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """(backend, URL) of a new, empty database; removed afterwards."""
    backend = request.param
    if backend == "sqlite":
        database = residents.sqlite_database()
    else:
        require_shared_postgres()
        database = residents.postgresql_database(ADMIN_URL)
    with database as url:
        yield backend, url


def _summary(backend: str, phase: residents.Phase) -> str:
    p95 = ", ".join(
        f"{kind} {residents.percentile(phase.latencies(kind), 95):.0f}"
        for kind in residents.PAGE_KINDS
    )
    return (
        f"{backend}: {phase.submitted} journeys at {CONCURRENCY} residents in "
        f"{phase.wall_seconds:.0f} s = {phase.submitted_per_second:.1f} responses/s, "
        f"{len(phase.samples) / phase.wall_seconds:.0f} requests/s; p95 ms: {p95}; "
        f"1-minute load average {os.getloadavg()[0]:.1f}"
    )


def test_every_concurrent_journey_stores_exactly_one_response_without_a_server_error(
    fresh_database: tuple[str, str], tmp_path: Path, load_figures: list[str]
) -> None:
    backend, database_url = fresh_database
    env = residents.server_environment(database_url)
    residents.flask_setup(env)
    log = tmp_path / "gunicorn.log"

    with residents.gunicorn(
        "wsgi:app", env, log, config=GUNICORN_CONFIG, ready_path="/healthz"
    ) as base_url:
        residents.warm_up(base_url, 20, CONCURRENCY)
        deadline = time.monotonic() + TIME_LIMIT
        phase = residents.run_journeys(
            base_url, JOURNEYS, CONCURRENCY, FULL_ANSWERS, deadline=deadline
        )
    load_figures.append(_summary(backend, phase))

    assert not phase.failures, (
        f"{len(phase.failures)} of {JOURNEYS} journeys failed; first: {phase.failures[:5]}"
    )
    server_errors = [s for s in phase.samples if s.is_server_error]
    assert not server_errors, f"{len(server_errors)} requests answered 5xx or nothing"
    assert set(phase.statuses()) <= {200, 302}, phase.statuses()
    served = residents.read_server_log(log)
    assert served.server_errors == 0, served.statuses
    assert served.problems == [], "\n\n".join(served.problems[:3])

    stored = residents.stored_responses(database_url)
    assert (stored.submitted, stored.in_progress) == (JOURNEYS, 0)
    expected = stored_form(FULL_ANSWERS)
    distinct = {json.dumps(normalised(a), sort_keys=True) for a in stored.answers}
    assert distinct == {json.dumps(expected, sort_keys=True)}
