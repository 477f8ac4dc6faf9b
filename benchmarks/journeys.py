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

    .venv/bin/python benchmarks/journeys.py                  # N=400, C=32, both databases
    .venv/bin/python benchmarks/journeys.py --short          # N=60, C=8
    .venv/bin/python benchmarks/journeys.py --databases sqlite --journeys 100
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.cookiejar
import math
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baseline_app import bench_baseline
from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SHORT_JOURNEYS, SHORT_CONCURRENCY = 60, 8
REQUEST_TIMEOUT = 60.0
CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

# Answers that lead through every page of the default survey, victim path included.
FULL_ANSWERS: dict[str, dict[str, Any]] = {
    "age": {"age": "34"},
    "feeling-safe": {"safe_after_dark": "fairly_safe", "safe_during_day": "very_safe"},
    "crime-trend": {"crime_trend": "a_little_more"},
    "worry": {"worry_burglary": "fairly_worried", "worry_fraud": "very_worried"},
    "anti-social-behaviour": {"asb_litter": "very_big_problem", "asb_drugs": "dont_know"},
    "confidence": {"police_council_dealing": "tend_to_agree"},
    "victim": {"victim": "yes"},
    "reported": {"reported": "some"},
    "why-not-reported": {"why_not_reported": ["too_trivial", "fear_of_reprisal"]},
    "priorities": {"priorities": ["road_safety", "reducing_violence"]},
    "anything-else": {"anything_else": "More lighting on the redways, please."},
    "how-heard": {"how_heard": "age_uk"},
    "sex": {"sex": "female"},
    "gender-identity": {"gender_identity": "yes"},
    "sexual-orientation": {"sexual_orientation": "bisexual"},
    "ethnic-group": {"ethnic_group": "black"},
    "ethnic-background-black": {"ethnic_background_black": "african"},
    "health": {"long_term_condition": "yes"},
    "day-to-day": {"condition_reduces_ability": "a_little"},
    "parent": {"parent_carer": "yes"},
    "housing": {"housing": "social_rented"},
    "student": {"student": "no"},
    "ward": {"ward": "woughton_and_fishermead"},
}
CHANNEL_SLUGS = ("mk-council", "safermk", "facebook", "age-uk", "thames-valley-police")
PAGE_KINDS = (
    "channel link",
    "start page",
    "start",
    "question GET",
    "question POST",
    "check-answers GET",
    "submit POST",
    "confirmation",
)
SERVER_PROBLEM_MARKERS = ("Traceback", " ERROR ", " WARNING ", "[CRITICAL]", "[ERROR]")


# --- HTTP client -------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    kind: str
    ms: float
    status: int  # 0 when no HTTP answer came back at all

    @property
    def is_error(self) -> bool:
        return not 200 <= self.status < 400


@dataclass(frozen=True)
class Reply:
    status: int
    location: str  # path and query only
    body: str


class JourneyError(RuntimeError):
    """A resident could not carry on: an error status, a refused answer, no CSRF token."""


class _KeepEveryResponse(urllib.request.HTTPErrorProcessor):
    """Hand back every response as it came: redirects are followed by hand, errors counted."""

    def http_response(self, request: Any, response: Any) -> Any:
        return response


def _opener(cookies: http.cookiejar.CookieJar | None = None) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.ProxyHandler({}),  # never send 127.0.0.1 through a proxy
        _KeepEveryResponse(),
    ]
    if cookies is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(cookies))
    return urllib.request.build_opener(*handlers)


def _local_path(location: str) -> str:
    parts = urllib.parse.urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def send(
    opener: urllib.request.OpenerDirector,
    url: str,
    kind: str,
    samples: list[Sample],
    form: dict[str, Any] | None = None,
) -> Reply:
    """GET (or POST `form`), record the latency under `kind`, and return the reply."""
    data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
    started = time.perf_counter()
    try:
        with opener.open(urllib.request.Request(url, data=data), timeout=REQUEST_TIMEOUT) as r:
            body = r.read().decode("utf-8", "replace")
            reply = Reply(r.status, _local_path(r.headers.get("Location", "")), body)
    except OSError as error:
        samples.append(Sample(kind, (time.perf_counter() - started) * 1000, 0))
        raise JourneyError(f"{kind} {url}: {error!r}") from error
    samples.append(Sample(kind, (time.perf_counter() - started) * 1000, reply.status))
    return reply


class Resident:
    """One virtual resident: a fresh cookie jar, so a new session and a new response."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = _opener(http.cookiejar.CookieJar())
        self.samples: list[Sample] = []

    def fetch(
        self, kind: str, path: str, form: dict[str, Any] | None = None, *, expect: int = 200
    ) -> Reply:
        reply = send(self.opener, self.base_url + path, kind, self.samples, form)
        if reply.status != expect:
            raise JourneyError(f"{kind} {path}: {reply.status}, expected {expect}")
        return reply


def _csrf_token(reply: Reply, path: str) -> str:
    match = CSRF_PATTERN.search(reply.body)
    if match is None:
        raise JourneyError(f"{path}: no CSRF token on the page")
    return match.group(1)


# --- Journeys ----------------------------------------------------------------------------


def walk_to_check_answers(resident: Resident, slug: str) -> str:
    """Follow a channel link and answer every page; return the check-answers CSRF token."""
    resident.fetch("channel link", f"/s/{slug}", expect=302)
    resident.fetch("start page", "/")
    location = resident.fetch("start", "/start", expect=302).location
    for _ in range(60):
        if location == "/check-answers":
            break
        if not location.startswith("/questions/"):
            raise JourneyError(f"unexpected redirect to {location!r}")
        page_id = location.removeprefix("/questions/").split("?")[0]
        token = _csrf_token(resident.fetch("question GET", location), location)
        form = {**FULL_ANSWERS.get(page_id, {}), "csrf_token": token}
        location = resident.fetch("question POST", location, form, expect=302).location
    else:
        raise JourneyError("did not reach /check-answers within 60 pages")
    return _csrf_token(resident.fetch("check-answers GET", "/check-answers"), "/check-answers")


def submit_answers(resident: Resident, token: str) -> None:
    reply = resident.fetch("submit POST", "/check-answers", {"csrf_token": token}, expect=302)
    if reply.location != "/confirmation":
        raise JourneyError(f"submit redirected to {reply.location!r}, not /confirmation")


@dataclass
class Outcome:
    samples: list[Sample]
    submitted: bool = False
    failure: str | None = None


def complete_journey(base_url: str, slug: str) -> Outcome:
    resident = Resident(base_url)
    outcome = Outcome(resident.samples)
    try:
        token = walk_to_check_answers(resident, slug)
        submit_answers(resident, token)
        outcome.submitted = True
        resident.fetch("confirmation", "/confirmation")
    except JourneyError as error:
        outcome.failure = str(error)
    return outcome


@dataclass
class Phase:
    """What one phase sent and how long it took."""

    requests: int = 0
    wall_seconds: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    submitted: int = 0
    failures: list[str] = field(default_factory=list)
    client_cpu_seconds: float = 0.0  # this script's own CPU time: it shares the machine

    @property
    def per_second(self) -> float:
        return self.requests / self.wall_seconds if self.wall_seconds else 0.0

    def add(self, outcome: Outcome) -> None:
        self.samples.extend(outcome.samples)
        self.submitted += outcome.submitted
        if outcome.failure:
            self.failures.append(outcome.failure)


def run_journeys(base_url: str, journeys: int, concurrency: int) -> Phase:
    phase = Phase(requests=journeys)
    slugs = [CHANNEL_SLUGS[i % len(CHANNEL_SLUGS)] for i in range(journeys)]
    started, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(concurrency) as pool:
        outcomes = list(pool.map(lambda slug: complete_journey(base_url, slug), slugs))
    phase.wall_seconds = time.perf_counter() - started
    phase.client_cpu_seconds = time.process_time() - cpu
    for outcome in outcomes:
        phase.add(outcome)
    return phase


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


def warm_up(base_url: str, requests: int, concurrency: int) -> None:
    """Let every worker render a page once (nothing is stored) before anything is timed."""

    def fetch_start_page(_: int) -> None:
        with contextlib.suppress(JourneyError):
            send(_opener(), f"{base_url}/", "warm-up", [])

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(fetch_start_page, range(requests)))


def run_baseline(base_url: str, requests: int, concurrency: int) -> Phase:
    phase = Phase(requests=requests)

    def insert_once(_: int) -> Outcome:
        outcome = Outcome([])
        try:
            reply = send(_opener(), f"{base_url}/insert", "baseline POST", outcome.samples, {})
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


@contextlib.contextmanager
def sqlite_database() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="safermk_bench_"))
    try:
        yield f"sqlite:///{folder / 'survey.sqlite3'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def postgresql_database(admin_url: str) -> Iterator[str]:
    name = f"safermk_bench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin.url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def server_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": database_url,
        "SAFERMK_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "SESSION_COOKIE_SECURE": "false",
        # Every virtual resident posts from 127.0.0.1; the per-address limit on survey posts
        # would otherwise answer 429 within seconds. The limiter still runs and is counted.
        "SURVEY_RATE_LIMIT": "1000000 per minute",
    }


def flask_setup(env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(BIN / "flask"), "setup"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask setup failed:\n{result.stdout}{result.stderr}")


def create_baseline_table(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        bench_baseline.create(engine)
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_answering(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{log.read_text()[-3000:]}")
        try:
            with _opener().open(base_url + "/", timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within 60 seconds:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int, log: Path) -> Iterator[str]:
    """Serve `app` until the block ends; yield its base URL."""
    base_url = f"http://127.0.0.1:{free_port()}"
    command = [str(BIN / "gunicorn"), "-w", str(workers), "-b", base_url[7:], app]
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
    try:
        _wait_until_answering(base_url, process, log)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def server_problems(log: Path) -> list[str]:
    """Lines of a gunicorn log that speak of errors, each with the lines that follow it."""
    lines = log.read_text(errors="replace").splitlines()
    problems = []
    for index, line in enumerate(lines):
        if any(marker in line for marker in SERVER_PROBLEM_MARKERS):
            problems.append("\n".join(lines[index : index + 30]))
    return problems


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
    with gunicorn("wsgi:app", env, options.workers, app_log) as base_url:
        warm_up(base_url, warm_up_requests, options.concurrency)
        print(f"[{database}] {options.journeys} journeys at {options.concurrency}", flush=True)
        journeys = run_journeys(base_url, options.journeys, options.concurrency)
        print(f"[{database}] submit burst, {options.submit_rounds} rounds", flush=True)
        burst = run_submit_burst(base_url, options.concurrency, options.submit_rounds)
    baseline_app = "benchmarks.baseline_app:create_baseline_app()"
    with gunicorn(baseline_app, env, options.workers, baseline_log) as base_url:
        warm = run_baseline(base_url, warm_up_requests, options.concurrency)
        print(f"[{database}] baseline, {options.journeys} inserts", flush=True)
        baseline = run_baseline(base_url, options.journeys, options.concurrency)
    problems = server_problems(app_log) + server_problems(baseline_log)
    stored = stored_counts(database_url)
    loads = (load_before, os.getloadavg()[0])
    return DatabaseRun(database, journeys, burst, baseline, stored, problems, warm.submitted, loads)


def database_url_for(database: str, options: Options) -> contextlib.AbstractContextManager[str]:
    factories: dict[str, Callable[[], contextlib.AbstractContextManager[str]]] = {
        "sqlite": sqlite_database,
        "postgresql": lambda: postgresql_database(options.postgres_admin_url),
    }
    return factories[database]()


# --- Report ------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


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
