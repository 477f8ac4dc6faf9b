"""Virtual residents for the survey served by gunicorn, shared by the benchmark and the tests.

A resident is a cookie jar and a urllib opener: it follows the survey as a browser with
JavaScript off would (channel link, start page, each question page GET then POST with the
page's CSRF token, check answers, submit, confirmation), records the time and status of
every request, and never follows a redirect on its own so that each step can be checked.

The same module starts and stops what the residents talk to: a fresh database (a temporary
SQLite file, or a throwaway database on a PostgreSQL server), `flask setup` against it, and
gunicorn serving `wsgi:app` on a free loopback port.

Used by benchmarks/journeys.py (run as a script, so imported as `residents`) and by
tests/production (imported as `benchmarks.residents`).
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
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
Answers = Mapping[str, Mapping[str, Any]]
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


# --- HTTP client -------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    kind: str
    ms: float
    status: int  # 0 when no HTTP answer came back at all

    @property
    def is_error(self) -> bool:
        return not 200 <= self.status < 400

    @property
    def is_server_error(self) -> bool:
        return self.status == 0 or self.status >= 500


@dataclass(frozen=True)
class Reply:
    status: int
    location: str  # path and query only
    body: str
    content_type: str = ""


class JourneyError(RuntimeError):
    """A resident could not carry on: an error status, a refused answer, no CSRF token."""


class _KeepEveryResponse(urllib.request.HTTPErrorProcessor):
    """Hand back every response as it came: redirects are followed by hand, errors counted."""

    def http_response(self, request: Any, response: Any) -> Any:
        return response


def opener(cookies: http.cookiejar.CookieJar | None = None) -> urllib.request.OpenerDirector:
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
    http: urllib.request.OpenerDirector,
    url: str,
    kind: str,
    samples: list[Sample],
    form: Mapping[str, Any] | None = None,
    *,
    timeout: float = REQUEST_TIMEOUT,
) -> Reply:
    """GET (or POST `form`), record the latency under `kind`, and return the reply."""
    data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
    started = time.perf_counter()
    try:
        with http.open(urllib.request.Request(url, data=data), timeout=timeout) as r:
            body = r.read().decode("utf-8", "replace")
            location = _local_path(r.headers.get("Location", ""))
            reply = Reply(r.status, location, body, r.headers.get("Content-Type", ""))
    except OSError as error:
        samples.append(Sample(kind, (time.perf_counter() - started) * 1000, 0))
        raise JourneyError(f"{kind} {url}: {error!r}") from error
    samples.append(Sample(kind, (time.perf_counter() - started) * 1000, reply.status))
    return reply


class Resident:
    """One virtual resident: a fresh cookie jar, so a new session and a new response.

    `deadline` (a time.monotonic() value) stops the resident before any request sent after
    it, so that a run of journeys ends within a known time even if the server slows down.
    """

    def __init__(
        self,
        base_url: str,
        *,
        deadline: float | None = None,
        timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        self.base_url = base_url
        self.http = opener(http.cookiejar.CookieJar())
        self.samples: list[Sample] = []
        self.deadline = deadline
        self.timeout = timeout

    def request(self, kind: str, path: str, form: Mapping[str, Any] | None = None) -> Reply:
        """Send one request and return whatever came back."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise JourneyError(f"{kind} {path}: not sent, the time limit had passed")
        return send(self.http, self.base_url + path, kind, self.samples, form, timeout=self.timeout)

    def fetch(
        self, kind: str, path: str, form: Mapping[str, Any] | None = None, *, expect: int = 200
    ) -> Reply:
        """Send one request; raise JourneyError unless it answered `expect`."""
        reply = self.request(kind, path, form)
        if reply.status != expect:
            raise JourneyError(f"{kind} {path}: {reply.status}, expected {expect}")
        return reply


def csrf_token(reply: Reply, path: str = "") -> str:
    match = CSRF_PATTERN.search(reply.body)
    if match is None:
        raise JourneyError(f"{path}: no CSRF token on the page")
    return match.group(1)


def page_id_of(location: str) -> str:
    if not location.startswith("/questions/"):
        raise JourneyError(f"unexpected redirect to {location!r}")
    return location.removeprefix("/questions/").split("?")[0]


# --- Journeys ----------------------------------------------------------------------------


def begin(resident: Resident, slug: str) -> str:
    """Follow a channel link to the start page and press Start; return where it leads."""
    resident.fetch("channel link", f"/s/{slug}", expect=302)
    resident.fetch("start page", "/")
    return resident.fetch("start", "/start", expect=302).location


def answer_page(resident: Resident, location: str, answers: Answers = FULL_ANSWERS) -> str:
    """Open the question page at `location`, post its answers; return where that leads."""
    page_id = page_id_of(location)
    token = csrf_token(resident.fetch("question GET", location), location)
    form = {**answers.get(page_id, {}), "csrf_token": token}
    return resident.fetch("question POST", location, form, expect=302).location


def answer_remaining_pages(
    resident: Resident, location: str, answers: Answers = FULL_ANSWERS
) -> None:
    """Answer every page from `location` until the survey leads to check answers."""
    for _ in range(60):
        if location == "/check-answers":
            return
        location = answer_page(resident, location, answers)
    raise JourneyError("did not reach /check-answers within 60 pages")


def check_answers(resident: Resident) -> str:
    """Open the check-answers page; return its CSRF token."""
    reply = resident.fetch("check-answers GET", "/check-answers")
    return csrf_token(reply, "/check-answers")


def walk_to_check_answers(resident: Resident, slug: str, answers: Answers = FULL_ANSWERS) -> str:
    """Follow a channel link and answer every page; return the check-answers CSRF token."""
    answer_remaining_pages(resident, begin(resident, slug), answers)
    return check_answers(resident)


def submit_answers(resident: Resident, token: str) -> None:
    reply = resident.fetch("submit POST", "/check-answers", {"csrf_token": token}, expect=302)
    if reply.location != "/confirmation":
        raise JourneyError(f"submit redirected to {reply.location!r}, not /confirmation")


@dataclass
class Outcome:
    samples: list[Sample]
    submitted: bool = False
    failure: str | None = None


def complete_journey(
    base_url: str,
    slug: str,
    answers: Answers = FULL_ANSWERS,
    *,
    deadline: float | None = None,
) -> Outcome:
    resident = Resident(base_url, deadline=deadline)
    outcome = Outcome(resident.samples)
    try:
        token = walk_to_check_answers(resident, slug, answers)
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
    client_cpu_seconds: float = 0.0  # the client's own CPU time: it shares the machine
    server_cpu_seconds: float = 0.0  # the server's (master and workers), where measured

    @property
    def per_second(self) -> float:
        return self.requests / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def submitted_per_second(self) -> float:
        return self.submitted / self.wall_seconds if self.wall_seconds else 0.0

    def add(self, outcome: Outcome) -> None:
        self.samples.extend(outcome.samples)
        self.submitted += outcome.submitted
        if outcome.failure:
            self.failures.append(outcome.failure)

    def latencies(self, kind: str) -> list[float]:
        return [s.ms for s in self.samples if s.kind == kind]

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for sample in self.samples:
            counts[sample.status] = counts.get(sample.status, 0) + 1
        return dict(sorted(counts.items()))


def run_journeys(
    base_url: str,
    journeys: int,
    concurrency: int,
    answers: Answers = FULL_ANSWERS,
    *,
    deadline: float | None = None,
) -> Phase:
    """`journeys` complete journeys, `concurrency` at a time, each by a new resident."""
    phase = Phase(requests=journeys)
    slugs = [CHANNEL_SLUGS[i % len(CHANNEL_SLUGS)] for i in range(journeys)]
    server_cpu = server_cpu_seconds(base_url) if base_url in SERVERS else 0.0
    started, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(concurrency) as pool:
        outcomes = list(
            pool.map(
                lambda slug: complete_journey(base_url, slug, answers, deadline=deadline), slugs
            )
        )
    phase.wall_seconds = time.perf_counter() - started
    phase.client_cpu_seconds = time.process_time() - cpu
    if base_url in SERVERS:
        phase.server_cpu_seconds = server_cpu_seconds(base_url) - server_cpu
    for outcome in outcomes:
        phase.add(outcome)
    return phase


def warm_up(base_url: str, requests: int, concurrency: int) -> None:
    """Let every worker render a page once (nothing is stored) before anything is timed."""

    def fetch_start_page(_: int) -> None:
        with contextlib.suppress(JourneyError):
            send(opener(), f"{base_url}/", "warm-up", [])

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(fetch_start_page, range(requests)))


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


# --- Databases ---------------------------------------------------------------------------


@contextlib.contextmanager
def sqlite_database() -> Iterator[str]:
    """A SQLite file in a new temporary folder, removed (with its WAL files) afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="safermk_sqlite_"))
    try:
        yield f"sqlite:///{folder / 'survey.sqlite3'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def postgresql_database(admin_url: str) -> Iterator[str]:
    """A new, empty database on the server at `admin_url`, dropped afterwards."""
    name = f"safermk_load_{secrets.token_hex(4)}"
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


@dataclass(frozen=True)
class StoredResponses:
    submitted: int
    in_progress: int
    answers: list[dict[str, Any]]  # of the submitted responses, in id order


def stored_responses(database_url: str) -> StoredResponses:
    """Count the responses in the database by status; read the submitted ones' answers."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT status, answers FROM responses ORDER BY id")
            ).all()
    finally:
        engine.dispose()
    answers = []
    for status, value in rows:
        if status == "submitted":
            answers.append(json.loads(value) if isinstance(value, str) else value)
    in_progress = sum(status == "in_progress" for status, _ in rows)
    return StoredResponses(len(answers), in_progress, answers)


# --- The server --------------------------------------------------------------------------


def server_environment(database_url: str, **extra: str) -> dict[str, str]:
    """The app's production settings, with the limit on survey posts raised for load.

    Every virtual resident posts from 127.0.0.1; the per-address limit on survey posts would
    otherwise answer 429 within seconds. The limiter itself still runs.
    """
    return {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": database_url,
        "SAFERMK_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "SAFERMK_BASE_URL": "https://survey.safermk.example",
        # Workers share their rate-limit counters, as in production; a fresh prefix keeps this
        # server's counts apart from any other run's.
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"),
        "RATELIMIT_KEY_PREFIX": f"safermk-{secrets.token_hex(4)}",
        # Reports and exports queue in the same Redis, under a name of this server's own.
        "JOBS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"),
        "JOBS_QUEUE_NAME": f"safermk-{secrets.token_hex(4)}",
        "SESSION_COOKIE_SECURE": "false",
        "SURVEY_RATE_LIMIT": "1000000 per minute",
        "LOG_FORMAT": "json",
        **extra,
    }


def flask_setup(env: Mapping[str, str], timeout: float = 120) -> None:
    """Run `flask setup` (migrations, survey, channels, benchmarks) on env's database."""
    result = subprocess.run(
        [str(BIN / "flask"), "setup"],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask setup failed:\n{result.stdout}{result.stderr}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_answering(
    base_url: str, process: subprocess.Popen[bytes], log: Path, path: str, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{log.read_text()[-3000:]}")
        try:
            with opener().open(base_url + path, timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(
        f"gunicorn did not answer within {timeout:.0f} seconds:\n{log.read_text()[-3000:]}"
    )


# Each running server's master process, by the base URL gunicorn() yielded.
SERVERS: dict[str, subprocess.Popen[bytes]] = {}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(base_url: str) -> float:
    """CPU time used so far by the server at base_url: its master and its workers (Linux)."""
    master = SERVERS[base_url].pid
    pids = [master, *map(int, Path(f"/proc/{master}/task/{master}/children").read_text().split())]
    total = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError):
            # utime and stime, fields 14 and 15, after the command name in parentheses.
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


@contextlib.contextmanager
def gunicorn(
    app: str,
    env: Mapping[str, str],
    log: Path,
    *,
    workers: int | None = None,
    config: Path | None = None,
    ready_path: str = "/",
    start_timeout: float = 60,
) -> Iterator[str]:
    """Serve `app` on a free loopback port until the block ends; yield its base URL.

    With `config` (gunicorn.conf.py) the production settings are used; `workers` overrides
    the worker count. The server's stderr (its log, and the app's) goes to `log`.
    """
    bind = f"127.0.0.1:{free_port()}"
    command = [str(BIN / "gunicorn")]
    if config is not None:
        command += ["--config", str(config)]
    command += ["--bind", bind]
    if workers is not None:
        command += ["--workers", str(workers)]
    command.append(app)
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            command, cwd=ROOT, env=dict(env), stdout=subprocess.DEVNULL, stderr=stderr
        )
    base_url = f"http://{bind}"
    try:
        _wait_until_answering(base_url, process, log, ready_path, start_timeout)
        SERVERS[base_url] = process
        yield base_url
    finally:
        SERVERS.pop(base_url, None)
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def jobs_worker(env: Mapping[str, str], log: Path, stop_timeout: float = 60) -> Iterator[None]:
    """Run `flask jobs worker` with env until the block ends; its output goes to `log`. It is
    stopped as a deploy would stop it: SIGINT, so the job under way finishes first."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(BIN / "flask"), "jobs", "worker"],
            cwd=ROOT,
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- The server's log --------------------------------------------------------------------


@dataclass
class ServerLog:
    """What gunicorn and the app wrote: request statuses, and any sign of trouble."""

    statuses: dict[int, int] = field(default_factory=dict)  # from the app's request lines
    levels: dict[str, int] = field(default_factory=dict)  # app log lines by level
    problems: list[str] = field(default_factory=list)  # errors, tracebacks, worker trouble

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)


GUNICORN_PROBLEM_MARKERS = ("[ERROR]", "[CRITICAL]", "WORKER TIMEOUT", "Traceback")


def read_server_log(log: Path) -> ServerLog:
    """Parse the app's JSON lines and gunicorn's own lines from a server's log."""
    result = ServerLog()
    lines = log.read_text(errors="replace").splitlines()
    for index, line in enumerate(lines):
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if isinstance(entry, dict) and "level" in entry:
            level = str(entry["level"])
            result.levels[level] = result.levels.get(level, 0) + 1
            if entry.get("message") == "request" and isinstance(entry.get("status"), int):
                status = entry["status"]
                result.statuses[status] = result.statuses.get(status, 0) + 1
            if level in ("ERROR", "CRITICAL"):
                result.problems.append(line[:3000])
        elif any(marker in line for marker in GUNICORN_PROBLEM_MARKERS):
            result.problems.append("\n".join(lines[index : index + 30]))
    return result
