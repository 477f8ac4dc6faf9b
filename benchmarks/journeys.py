"""Measure complete resident journeys against the survey served by gunicorn.

For each database (SQLite, PostgreSQL) this script creates a fresh database, runs
`flask setup`, serves the app with gunicorn and sends C concurrent virtual residents
through N complete journeys: channel link, start page, every question page (GET, then
POST the answers with the page's CSRF token), check answers, submit, confirmation.

Two further phases give the figures the journeys are judged against:

* submit burst: rounds of C residents are each brought to the check-answers page, then
  all post their final submit at the same moment; submits per second is the number of
  submits divided by the summed wall time of the rounds (first request sent to last
  answer received);
* baseline: benchmarks/baseline_app.py, a bare Flask endpoint that inserts one row, is
  served by gunicorn with the same worker count against the same database and sent
  N requests at concurrency C; its requests per second is the baseline.

Each server first answers a few untimed warm-up requests (start pages for the survey, inserts
for the baseline), so that no timed request pays for a worker's first import or connection.
Afterwards the database is checked to hold exactly the responses that were submitted.
Every server is stopped, and every database and temporary file removed, even on error.
The residents, databases and servers come from benchmarks/residents.py, which the load and
fault tests in tests/production use too.

    .venv/bin/python benchmarks/journeys.py                  # N=400, C=32, both databases
    .venv/bin/python benchmarks/journeys.py --short          # N=60, C=8
    .venv/bin/python benchmarks/journeys.py --databases sqlite --journeys 100
    .venv/bin/python benchmarks/journeys.py --journeys 2000 --concurrency 50 --submit-rounds 2
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from baseline_app import bench_baseline
from residents import (
    CHANNEL_SLUGS,
    PAGE_KINDS,
    JourneyError,
    Outcome,
    Phase,
    Resident,
    Sample,
    ServerLog,
    flask_setup,
    gunicorn,
    opener,
    percentile,
    postgresql_database,
    read_server_log,
    run_journeys,
    send,
    server_environment,
    sqlite_database,
    submit_answers,
    walk_to_check_answers,
    warm_up,
)
from sqlalchemy import create_engine, func, select, text

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SHORT_JOURNEYS, SHORT_CONCURRENCY = 60, 8


# --- Phases ------------------------------------------------------------------------------


def _prepare(base_url: str, slug: str) -> tuple[Resident, str] | str:
    resident = Resident(base_url)
    try:
        return resident, walk_to_check_answers(resident, slug)
    except JourneyError as error:
        return str(error)


def _submit_together(
    ready: list[tuple[Resident, str]],
) -> tuple[list[Outcome], float]:
    """All residents post their submit at once; return outcomes and first-to-last seconds."""
    barrier = threading.Barrier(len(ready))

    def fire(item: tuple[Resident, str]) -> tuple[Outcome, float, float]:
        resident, token = item
        resident.samples.clear()  # only the submit itself is measured in this phase
        outcome = Outcome(resident.samples)
        barrier.wait()
        started = time.perf_counter()
        try:
            submit_answers(resident, token)
            outcome.submitted = True
        except JourneyError as error:
            outcome.failure = str(error)
        return outcome, started, time.perf_counter()

    with ThreadPoolExecutor(len(ready)) as pool:
        results = list(pool.map(fire, ready))
    wall = max(end for _, _, end in results) - min(start for _, start, _ in results)
    return [outcome for outcome, _, _ in results], wall


def run_submit_burst(base_url: str, concurrency: int, rounds: int) -> Phase:
    phase = Phase()
    for _ in range(rounds):
        with ThreadPoolExecutor(concurrency) as pool:
            prepared = list(
                pool.map(
                    lambda i: _prepare(base_url, CHANNEL_SLUGS[i % len(CHANNEL_SLUGS)]),
                    range(concurrency),
                )
            )
        ready = [item for item in prepared if not isinstance(item, str)]
        phase.failures.extend(item for item in prepared if isinstance(item, str))
        if not ready:
            continue
        outcomes, wall = _submit_together(ready)
        phase.requests += len(ready)
        phase.wall_seconds += wall
        for outcome in outcomes:
            phase.add(outcome)
    return phase


def run_baseline(base_url: str, requests: int, concurrency: int) -> Phase:
    phase = Phase(requests=requests)

    def insert_once(_: int) -> Outcome:
        outcome = Outcome([])
        try:
            reply = send(opener(), f"{base_url}/insert", "baseline POST", outcome.samples, {})
            outcome.submitted = reply.status == 204
        except JourneyError as error:
            outcome.failure = str(error)
        return outcome

    started, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(concurrency) as pool:
        outcomes = list(pool.map(insert_once, range(requests)))
    phase.wall_seconds = time.perf_counter() - started
    phase.client_cpu_seconds = time.process_time() - cpu
    for outcome in outcomes:
        phase.add(outcome)
    return phase


# --- Databases and servers ---------------------------------------------------------------


def create_baseline_table(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        bench_baseline.create(engine)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Stored:
    submitted: int
    in_progress: int
    baseline_rows: int


def stored_counts(database_url: str) -> Stored:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            query = text("SELECT status, COUNT(*) FROM responses GROUP BY status")
            by_status = {status: count for status, count in connection.execute(query)}
            rows = connection.scalar(select(func.count()).select_from(bench_baseline)) or 0
    finally:
        engine.dispose()
    return Stored(by_status.get("submitted", 0), by_status.get("in_progress", 0), rows)


# --- One database, start to finish -------------------------------------------------------


@dataclass
class Options:
    journeys: int
    concurrency: int
    workers: int
    submit_rounds: int
    databases: list[str]
    postgres_admin_url: str


@dataclass
class DatabaseRun:
    database: str
    journeys: Phase
    burst: Phase
    baseline: Phase
    stored: Stored
    problems: list[str]
    baseline_warm_up_rows: int
    load_averages: tuple[float, float]  # 1-minute load before and after: was the machine quiet?
    server_log: ServerLog  # the survey server's own record of statuses and warnings

    @property
    def expected_submitted(self) -> int:
        return self.journeys.submitted + self.burst.submitted


def measure(database: str, database_url: str, options: Options, logs: Path) -> DatabaseRun:
    env = server_environment(database_url)
    load_before = os.getloadavg()[0]
    print(f"[{database}] flask setup", flush=True)
    flask_setup(env)
    create_baseline_table(database_url)
    app_log, baseline_log = logs / f"{database}-app.log", logs / f"{database}-baseline.log"
    warm_up_requests = 4 * options.workers
    with gunicorn("wsgi:app", env, app_log, workers=options.workers) as base_url:
        warm_up(base_url, warm_up_requests, options.concurrency)
        print(f"[{database}] {options.journeys} journeys at {options.concurrency}", flush=True)
        journeys = run_journeys(base_url, options.journeys, options.concurrency)
        print(f"[{database}] submit burst, {options.submit_rounds} rounds", flush=True)
        burst = run_submit_burst(base_url, options.concurrency, options.submit_rounds)
    baseline_app = "benchmarks.baseline_app:create_baseline_app()"
    with gunicorn(baseline_app, env, baseline_log, workers=options.workers) as base_url:
        warm = run_baseline(base_url, warm_up_requests, options.concurrency)
        print(f"[{database}] baseline, {options.journeys} inserts", flush=True)
        baseline = run_baseline(base_url, options.journeys, options.concurrency)
    server_log = read_server_log(app_log)
    problems = server_log.problems + read_server_log(baseline_log).problems
    stored = stored_counts(database_url)
    loads = (load_before, os.getloadavg()[0])
    return DatabaseRun(
        database, journeys, burst, baseline, stored, problems, warm.submitted, loads, server_log
    )


def database_url_for(database: str, options: Options) -> contextlib.AbstractContextManager[str]:
    factories: dict[str, Callable[[], contextlib.AbstractContextManager[str]]] = {
        "sqlite": sqlite_database,
        "postgresql": lambda: postgresql_database(options.postgres_admin_url),
    }
    return factories[database]()


# --- Report ------------------------------------------------------------------------------


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("-|-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def throughput_table(runs: list[DatabaseRun], options: Options) -> str:
    headers = [
        "database", "N", "C", "workers", "journeys/s", "burst submits/s",
        "baseline inserts/s", "submit vs baseline", "errors", "failed journeys",
    ]  # fmt: skip
    rows = []
    for run in runs:
        errors = sum(s.is_error for p in (run.journeys, run.burst, run.baseline) for s in p.samples)
        failed = len(run.journeys.failures) + len(run.burst.failures)
        share = run.burst.per_second / run.baseline.per_second if run.baseline.per_second else 0
        rows.append(
            [
                run.database,
                str(options.journeys),
                str(options.concurrency),
                str(options.workers),
                f"{run.journeys.per_second:.1f}",
                f"{run.burst.per_second:.1f}",
                f"{run.baseline.per_second:.1f}",
                f"{share:.0%}",
                str(errors),
                str(failed),
            ]  # fmt: skip
        )
    return _table(headers, rows)


def latency_table(runs: list[DatabaseRun]) -> str:
    headers = ["page kind"] + [f"{r.database} {c}" for r in runs for c in ("p50", "p95", "n")]
    kinds = [*PAGE_KINDS, "submit POST (burst)", "baseline POST"]
    rows = []
    for kind in kinds:
        row = [kind]
        for run in runs:
            values = [s.ms for s in _samples_of(run, kind)]
            row += [f"{percentile(values, 50):.0f}", f"{percentile(values, 95):.0f}"]
            row.append(str(len(values)))
        rows.append(row)
    return _table(headers, rows)


def _samples_of(run: DatabaseRun, kind: str) -> list[Sample]:
    if kind == "submit POST (burst)":
        return run.burst.samples
    if kind == "baseline POST":
        return run.baseline.samples
    return [s for s in run.journeys.samples if s.kind == kind]


def storage_check(run: DatabaseRun, options: Options) -> str:
    target = options.journeys + options.submit_rounds * options.concurrency
    stored = run.stored
    ok = stored.submitted == run.expected_submitted == target and stored.in_progress == 0
    baseline_expected = run.baseline.submitted + run.baseline_warm_up_rows
    ok = (
        ok
        and stored.baseline_rows == baseline_expected
        and run.baseline.submitted == options.journeys
    )
    return (
        f"{run.database}: {'OK' if ok else 'MISMATCH'} - {stored.submitted} submitted responses "
        f"stored, {run.expected_submitted} submits confirmed to residents, {target} intended "
        f"({options.journeys} journeys + {options.submit_rounds} x {options.concurrency} burst); "
        f"{stored.in_progress} left in progress; {stored.baseline_rows} baseline rows for "
        f"{run.baseline.submitted} timed + {run.baseline_warm_up_rows} warm-up baseline 204s"
    )


def client_load(run: DatabaseRun) -> str:
    def share(phase: Phase) -> str:
        used = phase.client_cpu_seconds / phase.wall_seconds if phase.wall_seconds else 0
        return f"{phase.client_cpu_seconds:.1f} CPU-s in {phase.wall_seconds:.1f} s ({used:.0%})"

    before, after = run.load_averages
    return (
        f"{run.database}: this script's own CPU use (shares the {os.cpu_count()} cores with "
        f"the server): journeys {share(run.journeys)}, baseline {share(run.baseline)}; "
        f"1-minute load average {before:.1f} before, {after:.1f} after"
    )


def print_report(runs: list[DatabaseRun], options: Options) -> None:
    print()
    print(f"Date: {dt.date.today().isoformat()}; {os.cpu_count()} CPUs; "
          f"Python {platform.python_version()}; {platform.platform()}")  # fmt: skip
    print(f"Command: {' '.join(sys.argv)}")
    print()
    print(throughput_table(runs, options))
    print()
    print("Latency in ms (nearest-rank percentiles):")
    print(latency_table(runs))
    print()
    for run in runs:
        print(storage_check(run, options))
    for run in runs:
        print(client_load(run))
    for run in runs:
        log = run.server_log
        print(
            f"{run.database}: the survey server logged {sum(log.statuses.values())} requests, "
            f"statuses {log.statuses}; log lines by level {log.levels}"
        )
    for run in runs:
        for failure in (run.journeys.failures + run.burst.failures + run.baseline.failures)[:10]:
            print(f"{run.database} failure: {failure}")
        for problem in run.problems[:5]:
            print(f"{run.database} server log:\n{problem}\n")


# --- Command line ------------------------------------------------------------------------


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--journeys", type=int, default=400, help="N journeys (default 400)")
    parser.add_argument("--concurrency", type=int, default=32, help="C residents (default 32)")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers"
    )
    parser.add_argument(
        "--submit-rounds", type=int, default=10, help="rounds of C simultaneous submits"
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--short", action="store_true", help="N=60, C=8: a quick check")
    args = parser.parse_args(argv)
    if args.short:
        args.journeys, args.concurrency = SHORT_JOURNEYS, SHORT_CONCURRENCY
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown databases: {', '.join(sorted(unknown))}")
    return Options(
        args.journeys,
        args.concurrency,
        args.workers,
        args.submit_rounds,
        databases,
        args.postgres_admin_url,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    runs = []
    with tempfile.TemporaryDirectory(prefix="safermk_bench_logs_") as logs:
        for database in options.databases:
            with database_url_for(database, options) as database_url:
                runs.append(measure(database, database_url, options, Path(logs)))
    print_report(runs, options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
