"""How long the analyst's dashboard and a partner's portal take at a survey's full size.

For each database (SQLite, PostgreSQL) this script makes a fresh database, runs `flask setup`,
adds N demo responses (`flask demo seed`), an analyst and a user at one partner, and serves the
app with gunicorn (production settings, 2 workers) beside the background worker. Signed in as
each, it fetches each page once (the first view of a survey works its costly figures out and
keeps them: survey_app.live), then marks the kept figures out of date, as a minute of responses
would, and fetches the page R times more while the worker brings them up to date. It prints
the first view, and the median and slowest of the R, beside the same figures for the privacy
notice (a page that reads nothing from the database: the cost of a request itself), and how
long the worker took to work the figures out again.

    .venv/bin/python benchmarks/dashboard.py                       # N=100,000, both databases
    .venv/bin/python benchmarks/dashboard.py --responses 20000 --databases sqlite
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from residents import (
    BIN,
    ROOT,
    Resident,
    csrf_token,
    flask_setup,
    gunicorn,
    jobs_worker,
    postgresql_database,
    server_environment,
    sqlite_database,
)
from sqlalchemy import Engine, create_engine, text

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "a long benchmark passphrase 2026"
ANALYST, PARTNER_USER = "analyst@bench.example", "partner@bench.example"
PARTNER = "Age UK Milton Keynes"
ADD_USERS = f"""
from survey_app import create_app
from survey_app.auth import accounts
app = create_app()
with app.app_context():
    for email, role, partner in (("{ANALYST}", "analyst", None), ("{PARTNER_USER}", "partner",
                                  accounts.find_partner("{PARTNER}"))):
        accounts.set_password(accounts.create_user(email, role, partner), "{PASSWORD}")
"""
PAGES = {
    "privacy notice (baseline)": "/privacy",
    "analyst's dashboard": "/admin/dashboard",
    "partner's portal": "/partner/",
}


def _run(env: dict[str, str], *command: str) -> None:
    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{completed.stderr[-4000:]}")


def prepare(database_url: str, responses: int) -> dict[str, str]:
    env = server_environment(database_url)
    flask_setup(env)
    started = time.perf_counter()
    _run(env, str(BIN / "flask"), "demo", "seed", "--responses", str(responses))
    print(f"  seeded {responses:,} responses in {time.perf_counter() - started:.0f} s", flush=True)
    if database_url.startswith("postgresql"):
        engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
        engine.dispose()
    _run(env, str(BIN / "python"), "-c", ADD_USERS)
    return env


def signed_in(base_url: str, email: str) -> Resident:
    person = Resident(base_url, timeout=300)
    token = csrf_token(person.fetch("sign-in GET", "/sign-in"))
    form = {"email": email, "password": PASSWORD, "csrf_token": token}
    person.fetch("sign-in POST", "/sign-in", form, expect=302)
    return person


def _timed(person: Resident, path: str) -> float:
    started = time.perf_counter()
    person.fetch("timed", path)
    return time.perf_counter() - started


def _age_kept_figures(engine: Engine) -> dt.datetime:
    """Make the kept figures two minutes old, as if responses had been coming in since."""
    old = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=2)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE live_figures SET computed_at = :old, refresh_asked_at = NULL"),
            {"old": old},
        )
    return old


WAITING = text(
    "SELECT count(*) FROM live_figures WHERE computed_at <= :old AND refresh_asked_at IS NOT NULL"
)


def _refreshed_within(engine: Engine, old: dt.datetime, timeout: float = 300) -> float | None:
    """Seconds until the worker has brought up to date every figure the views asked it to;
    None if they asked for nothing (or it did not finish in time)."""
    started = time.perf_counter()
    asked = None
    while time.perf_counter() - started < timeout:
        with engine.connect() as connection:
            waiting = connection.execute(WAITING, {"old": old}).scalar()
        asked = waiting if asked is None else asked
        if not asked:
            return None
        if not waiting:
            return time.perf_counter() - started
        time.sleep(0.1)
    return None


def time_page(
    person: Resident, path: str, repeats: int, engine: Engine
) -> tuple[float, list[float], float | None]:
    """The first view; R views once the kept figures are out of date; the worker's refresh."""
    first = _timed(person, path)
    old = _age_kept_figures(engine)
    times = [_timed(person, path) for _ in range(repeats)]
    return first, times, _refreshed_within(engine, old)


def measure(database: str, database_url: str, responses: int, repeats: int) -> list[str]:
    print(f"[{database}]", flush=True)
    env = prepare(database_url, responses)
    lines = []
    logs = Path(tempfile.mkdtemp(prefix="safermk_dash_"))
    engine = create_engine(database_url)
    with (
        gunicorn("wsgi:app", env, logs / "app.log", workers=2) as base_url,
        jobs_worker(env, logs / "worker.log"),
    ):
        analyst, partner = signed_in(base_url, ANALYST), signed_in(base_url, PARTNER_USER)
        for name, path in PAGES.items():
            person = partner if path.startswith("/partner") else analyst
            first, times, refresh = time_page(person, path, repeats, engine)
            worker = f"{refresh:>9.1f}" if refresh is not None else f"{'-':>9}"
            lines.append(
                f"{database:<10} {responses:>9,} {name:<26} {1000 * first:>9.0f} "
                f"{1000 * statistics.median(times):>9.0f} {1000 * max(times):>9.0f} {worker}"
            )
    engine.dispose()
    shutil.rmtree(logs, ignore_errors=True)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    args = parser.parse_args(argv)
    factories: dict[str, Callable[[], contextlib.AbstractContextManager[str]]] = {
        "sqlite": sqlite_database,
        "postgresql": lambda: postgresql_database(args.postgres_admin_url),
    }
    lines = []
    for database in [d.strip() for d in args.databases.split(",") if d.strip()]:
        with factories[database]() as url:
            lines += measure(database, url, args.responses, args.repeats)
    print()
    print(f"{os.cpu_count()} CPUs; 1-minute load average {os.getloadavg()[0]:.1f}; "
          f"gunicorn 2 workers and the background worker; first view, then median and slowest "
          f"of {args.repeats} views with the kept figures out of date, and the seconds the "
          f"worker took to bring them up to date")  # fmt: skip
    print(
        f"{'database':<10} {'responses':>9} {'page':<26} {'first ms':>9} {'median ms':>9} "
        f"{'max ms':>9} {'worker s':>9}"
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
