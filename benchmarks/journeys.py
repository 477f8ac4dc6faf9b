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
* bare survey and static pages: benchmarks/bare_survey.py serves the same journey twice over,
  once drawn with the same GOV.UK Frontend macros by an app that does the least a survey must
  (the bare survey), once as the very pages the survey served in this run, captured and sent
  back as they were (the static pages); the same N journeys at concurrency C are sent to each
  by the same residents. The survey's requests per second as a share of the bare survey's is
  the figure the request path is judged by (docs/performance.md);
* baseline: benchmarks/baseline_app.py, a bare Flask endpoint that inserts one row, is
  served by gunicorn with the same worker count against the same database and sent
  N requests at concurrency C; its requests per second is the baseline for the submit burst.

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
import json
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

from bare_survey import CSRF_PLACEHOLDER, bare_responses
from baseline_app import bench_baseline
from residents import (
    CHANNEL_SLUGS,
    CSRF_PATTERN,
    FULL_ANSWERS,
    PAGE_KINDS,
    JourneyError,
    Outcome,
    Phase,
    Resident,
    Sample,
    ServerLog,
    csrf_token,
    flask_setup,
    gunicorn,
    opener,
    page_id_of,
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
CAPTURE_JOURNEYS = 1  # the untimed journey whose pages the bare survey serves


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


def capture_pages(base_url: str, path: Path) -> dict[str, str]:
    """One untimed journey through the survey, keeping every page it shows, for the bare survey
    (whose pages must weigh what the survey's do); each page's CSRF token becomes a placeholder."""
    resident = Resident(base_url)
    pages: dict[str, str] = {}

    def keep(path: str, body: str) -> None:
        pages[path] = CSRF_PATTERN.sub(
            f'name="csrf_token" type="hidden" value="{CSRF_PLACEHOLDER}"', body
        )

    resident.fetch("channel link", f"/s/{CHANNEL_SLUGS[0]}", expect=302)
    keep("/", resident.fetch("start page", "/").body)
    location = resident.fetch("start", "/start", expect=302).location
    order = []
    while location != "/check-answers" and len(order) < 60:
        reply = resident.fetch("question GET", location)
        keep(location, reply.body)
        order.append(location)
        form = {**FULL_ANSWERS.get(page_id_of(location), {}), "csrf_token": csrf_token(reply)}
        location = resident.fetch("question POST", location, form, expect=302).location
    reply = resident.fetch("check-answers GET", "/check-answers")
    keep("/check-answers", reply.body)
    submit_answers(resident, csrf_token(reply))
    keep("/confirmation", resident.fetch("confirmation", "/confirmation").body)
    path.write_text(json.dumps({"pages": pages, "order": order}), encoding="utf-8")
    return pages


@dataclass(frozen=True)
class PageWeight:
    """HTML bytes a journey's pages weigh: question pages on average, and check answers."""

    question_mean: float
    check_answers: int

    @classmethod
    def of(cls, pages: dict[str, str]) -> PageWeight:
        questions = [len(html.encode()) for p, html in pages.items() if p.startswith("/questions/")]
        return cls(sum(questions) / len(questions), len(pages["/check-answers"].encode()))


# --- Databases and servers ---------------------------------------------------------------


def create_baseline_tables(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        bench_baseline.create(engine)
        bare_responses.create(engine)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Stored:
    submitted: int
    in_progress: int
    baseline_rows: int
    bare_submitted: int


def stored_counts(database_url: str) -> Stored:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            query = text("SELECT status, COUNT(*) FROM responses GROUP BY status")
            by_status = {status: count for status, count in connection.execute(query)}
            rows = connection.scalar(select(func.count()).select_from(bench_baseline)) or 0
            bare = (
                connection.scalar(
                    select(func.count())
                    .select_from(bare_responses)
                    .where(bare_responses.c.status == "submitted")
                )
                or 0
            )
    finally:
        engine.dispose()
    return Stored(by_status.get("submitted", 0), by_status.get("in_progress", 0), rows, bare)


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
    bare: Phase
    static: Phase
    baseline: Phase
    weights: tuple[PageWeight, PageWeight]  # the survey's pages, the bare survey's
    stored: Stored
    problems: list[str]
    baseline_warm_up_rows: int
    load_averages: tuple[float, float]  # 1-minute load before and after: was the machine quiet?
    server_log: ServerLog  # the survey server's own record of statuses and warnings

    @property
    def expected_submitted(self) -> int:
        return self.journeys.submitted + self.burst.submitted + CAPTURE_JOURNEYS


def measure(database: str, database_url: str, options: Options, logs: Path) -> DatabaseRun:
    env = server_environment(database_url)
    load_before = os.getloadavg()[0]
    print(f"[{database}] flask setup", flush=True)
    flask_setup(env)
    create_baseline_tables(database_url)
    app_log, baseline_log = logs / f"{database}-app.log", logs / f"{database}-baseline.log"
    pages, bare_logs = logs / f"{database}-pages.json", []
    warm_up_requests = 4 * options.workers
    with gunicorn("wsgi:app", env, app_log, workers=options.workers) as base_url:
        warm_up(base_url, warm_up_requests, options.concurrency)
        print(f"[{database}] {options.journeys} journeys at {options.concurrency}", flush=True)
        journeys = run_journeys(base_url, options.journeys, options.concurrency)
        print(f"[{database}] submit burst, {options.submit_rounds} rounds", flush=True)
        burst = run_submit_burst(base_url, options.concurrency, options.submit_rounds)
        survey_pages = capture_pages(base_url, pages)
    bare_env = {**env, "BARE_SURVEY_PAGES": str(pages)}
    bare_phases = []
    for name, factory in (
        ("bare survey", "create_bare_survey"),
        ("static pages", "create_static_survey"),
    ):
        log = logs / f"{database}-{factory}.log"
        with gunicorn(
            f"benchmarks.bare_survey:{factory}()", bare_env, log, workers=options.workers
        ) as base_url:
            warm_up(base_url, warm_up_requests, options.concurrency)
            print(f"[{database}] {name}, {options.journeys} journeys", flush=True)
            bare_phases.append(run_journeys(base_url, options.journeys, options.concurrency))
            if factory == "create_bare_survey":
                bare_pages = capture_pages(base_url, logs / f"{database}-bare-pages.json")
        bare_logs.append(log)
    bare, static = bare_phases
    baseline_app = "benchmarks.baseline_app:create_baseline_app()"
    with gunicorn(baseline_app, env, baseline_log, workers=options.workers) as base_url:
        warm = run_baseline(base_url, warm_up_requests, options.concurrency)
        print(f"[{database}] baseline, {options.journeys} inserts", flush=True)
        baseline = run_baseline(base_url, options.journeys, options.concurrency)
    server_log = read_server_log(app_log)
    problems = server_log.problems + read_server_log(baseline_log).problems
    for log in bare_logs:
        problems += read_server_log(log).problems
    stored = stored_counts(database_url)
    loads = (load_before, os.getloadavg()[0])
    return DatabaseRun(
        database,
        journeys,
        burst,
        bare,
        static,
        baseline,
        (PageWeight.of(survey_pages), PageWeight.of(bare_pages)),
        stored,
        problems,
        warm.submitted,
        loads,
        server_log,
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


def _requests_per_second(phase: Phase) -> float:
    return len(phase.samples) / phase.wall_seconds if phase.wall_seconds else 0.0


def throughput_table(runs: list[DatabaseRun], options: Options) -> str:
    headers = [
        "database", "N", "C", "workers", "journeys/s", "requests/s", "bare survey requests/s",
        "survey vs bare", "static pages requests/s", "survey vs static", "burst submits/s",
        "baseline inserts/s", "submit vs baseline", "errors", "failed journeys",
    ]  # fmt: skip
    rows = []
    for run in runs:
        phases = (run.journeys, run.burst, run.bare, run.static, run.baseline)
        errors = sum(s.is_error for p in phases for s in p.samples)
        failed = sum(len(p.failures) for p in (run.journeys, run.burst, run.bare, run.static))
        share = run.burst.per_second / run.baseline.per_second if run.baseline.per_second else 0
        survey, bare = _requests_per_second(run.journeys), _requests_per_second(run.bare)
        static = _requests_per_second(run.static)
        rows.append(
            [
                run.database,
                str(options.journeys),
                str(options.concurrency),
                str(options.workers),
                f"{run.journeys.per_second:.1f}",
                f"{survey:.0f}",
                f"{bare:.0f}",
                f"{survey / bare if bare else 0:.2f}",
                f"{static:.0f}",
                f"{survey / static if static else 0:.2f}",
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
    kinds = [
        *PAGE_KINDS,
        "every request",
        "bare survey: every request",
        "static pages: every request",
        "submit POST (burst)",
        "baseline POST",
    ]
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
    if kind == "every request":
        return run.journeys.samples
    if kind == "bare survey: every request":
        return run.bare.samples
    if kind == "static pages: every request":
        return run.static.samples
    return [s for s in run.journeys.samples if s.kind == kind]


def storage_check(run: DatabaseRun, options: Options) -> str:
    target = options.journeys + options.submit_rounds * options.concurrency + CAPTURE_JOURNEYS
    stored = run.stored
    ok = stored.submitted == run.expected_submitted == target and stored.in_progress == 0
    baseline_expected = run.baseline.submitted + run.baseline_warm_up_rows
    ok = (
        ok
        and stored.baseline_rows == baseline_expected
        and run.baseline.submitted == options.journeys
        and stored.bare_submitted == run.bare.submitted + run.static.submitted + CAPTURE_JOURNEYS
        and run.bare.submitted == run.static.submitted == options.journeys
    )
    return (
        f"{run.database}: {'OK' if ok else 'MISMATCH'} - {stored.submitted} submitted responses "
        f"stored, {run.expected_submitted} submits confirmed to residents, {target} intended "
        f"({options.journeys} journeys + {options.submit_rounds} x {options.concurrency} burst "
        f"+ {CAPTURE_JOURNEYS} to capture the pages); {stored.in_progress} left in progress; "
        f"{stored.baseline_rows} baseline rows for {run.baseline.submitted} timed + "
        f"{run.baseline_warm_up_rows} warm-up baseline 204s; {stored.bare_submitted} bare "
        f"responses submitted for {run.bare.submitted} bare survey and {run.static.submitted} "
        f"static pages journeys + {CAPTURE_JOURNEYS} to weigh the bare survey's pages"
    )


def client_load(run: DatabaseRun) -> str:
    def share(phase: Phase) -> str:
        used = phase.client_cpu_seconds / phase.wall_seconds if phase.wall_seconds else 0
        return f"{phase.client_cpu_seconds:.1f} CPU-s in {phase.wall_seconds:.1f} s ({used:.0%})"

    before, after = run.load_averages
    return (
        f"{run.database}: this script's own CPU use (shares the {os.cpu_count()} cores with "
        f"the server): journeys {share(run.journeys)}, bare survey {share(run.bare)}, "
        f"static pages {share(run.static)}, "
        f"baseline {share(run.baseline)}; "
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
        survey, bare = run.weights
        print(
            f"{run.database}: page weight in HTML bytes: question pages "
            f"{survey.question_mean:,.0f} (survey) and {bare.question_mean:,.0f} (bare survey) "
            "on average; check answers "
            f"{survey.check_answers:,} and {bare.check_answers:,}"
        )
    for run in runs:
        cpu = [
            f"{name} {1000 * p.server_cpu_seconds / len(p.samples):.2f}"
            for name, p in (
                ("survey", run.journeys),
                ("bare survey", run.bare),
                ("static pages", run.static),
            )
            if p.samples
        ]
        print(f"{run.database}: server CPU ms per request (master and workers): {', '.join(cpu)}")
    for run in runs:
        print(client_load(run))
    for run in runs:
        log = run.server_log
        print(
            f"{run.database}: the survey server logged {sum(log.statuses.values())} requests, "
            f"statuses {log.statuses}; log lines by level {log.levels}"
        )
    for run in runs:
        failures = run.journeys.failures + run.burst.failures + run.bare.failures
        failures += run.static.failures
        for failure in (failures + run.baseline.failures)[:10]:
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
