"""Time each step of report generation on seeded demo data, with peak memory, per database.

For each database (SQLite, PostgreSQL) the script makes a fresh database, runs `flask setup`,
then seeds demo responses up to each size in turn (10k, then 100k, then 1M: each size adds to
the one before) and measures the reports at that size. Every measurement runs in a fresh
Python process, so one size's caches and memory never colour another's:

* a timing process builds the report and renders it, timing each step separately, and
  reports its own peak resident memory (ru_maxrss): one process for the interim report
  (build, HTML, JSON, PDF, XLSX) and one for the final report (the same steps);
* a second pair of processes repeats the steps under tracemalloc and reports the peak of
  Python's own allocations during each step (tracemalloc slows Python down, which is why
  the timings come from separate processes).

The same-run baseline is the cost of the plainest queries a report could make over the same
table: `SELECT count(*) FROM responses`, and the submitted responses counted by age band
(`GROUP BY age_band`), a floor for any aggregation. Each is run twice and the second, warm,
time is shown; the report steps then run on the same warm cache.

SQLite databases live in a temporary directory, PostgreSQL ones are throwaway databases
(`safermk_rbench_<random>`) dropped at the end, even on error. Seeding 1M responses takes
minutes; with `--keep-dir DIR` the seeded SQLite files are kept in DIR (one per size) and
reused by later runs.

    .venv/bin/python benchmarks/reports.py                          # both databases, 10k 100k 1M
    .venv/bin/python benchmarks/reports.py --short                  # SQLite, 10k: a quick check
    .venv/bin/python benchmarks/reports.py --databases sqlite --sizes 10k,100k
    .venv/bin/python benchmarks/reports.py --database-url URL       # an existing database as it is
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
SHORT_SIZES = (10_000,)
SEED = 2026
KINDS = ("interim", "final")
STEPS = ("build", "html", "json", "pdf", "xlsx")
# The aims: interim HTML+JSON and PDF at 100k, peak memory, and how 1M scales against 100k.
AIM_HTML_JSON_SECONDS = 5.0
AIM_PDF_SECONDS = 15.0
AIM_PEAK_MB = 400.0
AIM_SCALING = 10.0


# --- The measured process ------------------------------------------------------------------


def _engine(database_url: str) -> Any:
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    with contextlib.suppress(ImportError):
        # The same SQLite settings the application uses (WAL, busy timeout).
        from survey_app.database import configure_engine

        configure_engine(engine)
    return engine


def _baseline(engine: Any) -> dict[str, float]:
    from sqlalchemy import func, select

    from reporting import queries

    survey = queries.find_survey(engine)
    survey_id = survey["id"] if survey else 0
    responses = queries.responses
    statements = {
        "count": select(func.count()).select_from(responses),
        "group_by_age_band": select(responses.c.age_band, func.count())
        .where(responses.c.survey_id == survey_id, responses.c.status == queries.SUBMITTED)
        .group_by(responses.c.age_band),
    }
    seconds = {}
    with engine.connect() as connection:
        for name, statement in statements.items():
            for _ in range(2):  # the second, warm, run is the one kept
                start = time.perf_counter()
                connection.execute(statement).all()
                seconds[name] = time.perf_counter() - start
    return seconds


def measure_in_this_process(database_url: str, kind: str, trace: bool) -> dict[str, Any]:
    """Run one report's steps; time each, or (trace) take each one's tracemalloc peak."""
    from reporting.final import build_final_report
    from reporting.interim import build_interim_report
    from reporting.render import render_html, render_json, render_pdf, render_xlsx

    engine = _engine(database_url)
    result: dict[str, Any] = {"kind": kind, "seconds": {}, "traced_peak_mb": {}}
    if not trace:
        result["baseline"] = _baseline(engine)
    build = build_final_report if kind == "final" else build_interim_report
    state: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="safermk-rbench-out-") as out:
        out_dir = Path(out)
        steps: dict[str, Callable[[], Any]] = {
            "build": lambda: state.update(report=build(engine)),
            "html": lambda: state.update(html=render_html(state["report"])),
            "json": lambda: render_json(state["report"]),
            # As write_report does: the PDF is laid out from the HTML already drawn.
            "pdf": lambda: render_pdf(state["report"], out_dir / "r.pdf", html=state["html"]),
            "xlsx": lambda: render_xlsx(state["report"], out_dir / "r.xlsx"),
        }
        if trace:
            tracemalloc.start()
        for name in STEPS:
            if trace:
                tracemalloc.reset_peak()
                base = tracemalloc.get_traced_memory()[0]
            start = time.perf_counter()
            steps[name]()
            elapsed = time.perf_counter() - start
            if trace:
                result["traced_peak_mb"][name] = (tracemalloc.get_traced_memory()[1] - base) / 2**20
            else:
                result["seconds"][name] = elapsed
        if trace:
            tracemalloc.stop()
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    submitted = (state["report"].get("fieldwork") or {}).get("submitted")
    result["submitted"] = submitted
    engine.dispose()
    return result


def measure(database_url: str, kind: str, trace: bool) -> dict[str, Any]:
    """measure_in_this_process, in a fresh child process."""
    command = [sys.executable, __file__, "--measure", database_url, "--kind", kind]
    if trace:
        command.append("--trace")
    completed = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=False, env=_env(database_url)
    )
    if completed.returncode != 0:
        raise RuntimeError(f"measuring {kind} failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- Databases and seeding -----------------------------------------------------------------


def _env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
    }


def flask(database_url: str, *args: str) -> None:
    completed = subprocess.run(
        [str(BIN / "flask"), *args],
        cwd=ROOT,
        env=_env(database_url),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{completed.stderr[-4000:]}")


def submitted_count(database_url: str) -> int:
    from sqlalchemy import create_engine, func, select

    from reporting import queries

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(
                connection.scalar(
                    select(func.count())
                    .select_from(queries.responses)
                    .where(queries.responses.c.status == queries.SUBMITTED)
                )
            )
    finally:
        engine.dispose()


def seed_to(database_url: str, size: int) -> float:
    """Add demo responses until the database holds `size`; returns the seconds it took.

    On PostgreSQL the table is then ANALYZEd, as autovacuum would soon do after so many new
    rows, so that every size is measured with up-to-date planner statistics.
    """
    from sqlalchemy import create_engine, text

    have = submitted_count(database_url)
    if have > size:
        raise RuntimeError(f"the database already holds {have} responses, more than {size}")
    start = time.perf_counter()
    if have < size:
        # A different seed for each addition, so added responses are new draws.
        flask(
            database_url,
            "demo",
            "seed",
            "--responses",
            str(size - have),
            "--seed",
            str(SEED + have),
        )
    seconds = time.perf_counter() - start
    if database_url.startswith("postgresql"):
        engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("ANALYZE responses"))
        engine.dispose()
    return seconds


@contextlib.contextmanager
def sqlite_databases(keep_dir: Path | None) -> Iterator[Callable[[int], str]]:
    """A function giving, for each size in increasing order, a URL of a database that size."""
    work = Path(tempfile.mkdtemp(prefix="safermk-rbench-"))
    current = work / "reports.sqlite3"
    try:

        def database_for(size: int) -> str:
            if keep_dir is not None:
                keep_dir.mkdir(parents=True, exist_ok=True)
                kept = keep_dir / f"reports-{size}.sqlite3"
                if kept.exists():
                    return f"sqlite:///{kept}"
                smaller = sorted(
                    (int(p.stem.split("-")[1]), p)
                    for p in keep_dir.glob("reports-*.sqlite3")
                    if int(p.stem.split("-")[1]) < size
                )
                if smaller:
                    shutil.copyfile(smaller[-1][1], kept)
                url = f"sqlite:///{kept}"
            else:
                url = f"sqlite:///{current}"
            flask(url, "setup")
            print(f"  seeding to {size:,}: {seed_to(url, size):.0f} s", flush=True)
            return url

        yield database_for
    finally:
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def postgres_databases(admin_url: str) -> Iterator[Callable[[int], str]]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"safermk_rbench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        flask(url, "setup")

        def database_for(size: int) -> str:
            print(f"  seeding to {size:,}: {seed_to(url, size):.0f} s", flush=True)
            return url

        yield database_for
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- Running and reporting -----------------------------------------------------------------


@dataclass
class SizeRun:
    database: str
    size: int
    timed: dict[str, dict[str, Any]] = field(default_factory=dict)  # kind -> measurement
    traced: dict[str, dict[str, Any]] = field(default_factory=dict)

    def seconds(self, kind: str, *steps: str) -> float:
        return sum(self.timed[kind]["seconds"][step] for step in steps)

    @property
    def peak_rss_mb(self) -> float:
        return max(run["max_rss_mb"] for run in self.timed.values())


def measure_size(database: str, url: str, size: int, trace: bool) -> SizeRun:
    run = SizeRun(database, size)
    for kind in KINDS:
        run.timed[kind] = measure(url, kind, trace=False)
        if trace:
            run.traced[kind] = measure(url, kind, trace=True)
        steps = ", ".join(f"{s} {run.timed[kind]['seconds'][s]:.2f}" for s in STEPS)
        print(f"  {kind} at {size:,}: {steps} s", flush=True)
    return run


def size_label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1_000 and size % 1_000 == 0:
        return f"{size // 1_000}k"
    return str(size)


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join(
        [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]
    )


def database_table(runs: list[SizeRun]) -> str:
    runs = sorted(runs, key=lambda run: run.size)
    by_size = {run.size: run for run in runs}
    ratio = 100_000 in by_size and 1_000_000 in by_size
    headers = ["Step", *(f"{size_label(run.size)}" for run in runs)]
    if ratio:
        headers.append("1M/100k")

    def row(label: str, values: list[float], unit: str = "s", digits: int = 2) -> list[str]:
        cells = [label, *(f"{value:.{digits}f}" for value in values)]
        if ratio:
            big, small = (
                values[runs.index(by_size[1_000_000])],
                values[runs.index(by_size[100_000])],
            )
            cells.append(f"{big / small:.1f}x" if small else "")
        return cells

    rows = [
        row(
            "Baseline: SELECT count(*)",
            [r.timed["interim"]["baseline"]["count"] for r in runs],
            digits=3,
        ),
        row(
            "Baseline: GROUP BY age_band",
            [r.timed["interim"]["baseline"]["group_by_age_band"] for r in runs],
            digits=3,
        ),
    ]
    for kind in KINDS:
        for step in STEPS:
            rows.append(row(f"{kind}: {step}", [r.timed[kind]["seconds"][step] for r in runs]))
    rows.append(
        row(
            "interim: build + HTML + JSON",
            [r.seconds("interim", "build", "html", "json") for r in runs],
        )
    )
    rows.append(
        row(
            "interim: build + HTML + PDF",
            [r.seconds("interim", "build", "html", "pdf") for r in runs],
        )
    )
    rows.append(
        row("final: build + HTML + PDF", [r.seconds("final", "build", "html", "pdf") for r in runs])
    )
    for kind in KINDS:
        rows.append(
            row(f"{kind}: peak RSS, MB", [r.timed[kind]["max_rss_mb"] for r in runs], digits=0)
        )
    if all(r.traced for r in runs):
        for kind in KINDS:
            rows.append(
                row(
                    f"{kind}: largest tracemalloc step peak, MB",
                    [max(r.traced[kind]["traced_peak_mb"].values()) for r in runs],
                    digits=0,
                )
            )
    return _table(headers, rows)


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def aims(runs: list[SizeRun]) -> list[str]:
    lines = []
    for database in dict.fromkeys(run.database for run in runs):
        mine = {run.size: run for run in runs if run.database == database}
        if 100_000 in mine:
            run = mine[100_000]
            html_json = run.seconds("interim", "build", "html", "json")
            pdf = run.seconds("interim", "build", "html", "pdf")
            final_pdf = run.seconds("final", "build", "html", "pdf")
            lines.append(
                f"{database}: interim HTML+JSON at 100k {html_json:.1f} s "
                f"(aim <= {AIM_HTML_JSON_SECONDS:g}): "
                f"{_verdict(html_json <= AIM_HTML_JSON_SECONDS)}"
            )
            lines.append(
                f"{database}: PDF at 100k, interim {pdf:.1f} s: "
                f"{_verdict(pdf <= AIM_PDF_SECONDS)}, "
                f"final {final_pdf:.1f} s: {_verdict(final_pdf <= AIM_PDF_SECONDS)} "
                f"(aim <= {AIM_PDF_SECONDS:g})"
            )
        peak = max(run.peak_rss_mb for run in mine.values())
        lines.append(
            f"{database}: peak RSS up to {size_label(max(mine))} {peak:.0f} MB "
            f"(aim < {AIM_PEAK_MB:g}): {_verdict(peak < AIM_PEAK_MB)}"
        )
        if 100_000 in mine and 1_000_000 in mine:
            for kind in KINDS:
                small = mine[100_000].seconds(kind, "build", "html", "json")
                ratio = mine[1_000_000].seconds(kind, "build", "html", "json") / small
                lines.append(
                    f"{database}: {kind} build+HTML+JSON 1M/100k {ratio:.1f}x "
                    f"(aim <= {AIM_SCALING:g}x): {_verdict(ratio <= AIM_SCALING)}"
                )
    return lines


def load_average() -> str:
    with contextlib.suppress(OSError):
        return " ".join(f"{value:.1f}" for value in os.getloadavg())
    return "unknown"


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sizes", default=",".join(size_label(s) for s in DEFAULT_SIZES))
    parser.add_argument("--short", action="store_true", help="SQLite at 10k only, for CI")
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc runs")
    parser.add_argument("--keep-dir", type=Path, help="keep and reuse seeded SQLite files here")
    parser.add_argument("--database-url", help="measure this database as it is (no seeding)")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--json-out", type=Path, help="also write every figure to this file")
    # Internal: one measurement in this process, printed as JSON.
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--kind", choices=KINDS, default="interim", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.short:
        options.databases, options.sizes = "sqlite", ",".join(size_label(s) for s in SHORT_SIZES)
    options.database_list = [d.strip() for d in options.databases.split(",") if d.strip()]
    unknown = set(options.database_list) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")
    options.size_list = sorted({parse_size(s) for s in options.sizes.split(",") if s.strip()})
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    if options.measure:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(measure_in_this_process(options.measure, options.kind, options.trace)))
        return 0
    sys.path.insert(0, str(ROOT))
    trace = not options.no_trace
    print(
        f"Report benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.platform()}",
        flush=True,
    )
    runs: list[SizeRun] = []
    if options.database_url:
        database = options.database_url.split(":", 1)[0].split("+")[0]
        size = submitted_count(options.database_url)
        print(f"[{database}] {size:,} submitted responses, load average {load_average()}")
        runs.append(measure_size(database, options.database_url, size, trace))
    for database in [] if options.database_url else options.database_list:
        print(f"[{database}] load average {load_average()}", flush=True)
        context = (
            sqlite_databases(options.keep_dir)
            if database == "sqlite"
            else postgres_databases(options.postgres_admin_url)
        )
        with context as database_for:
            for size in options.size_list:
                url = database_for(size)
                runs.append(measure_size(database, url, size, trace))
        print(f"[{database}] load average {load_average()}", flush=True)
    print()
    for database in dict.fromkeys(run.database for run in runs):
        print(f"{database}: seconds per step (one run each), peak memory\n")
        print(database_table([run for run in runs if run.database == database]))
        print()
    for line in aims(runs):
        print(line)
    if options.json_out:
        options.json_out.write_text(
            json.dumps(
                [
                    {"database": r.database, "size": r.size, "timed": r.timed, "traced": r.traced}
                    for r in runs
                ],
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
