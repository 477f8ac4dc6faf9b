"""What the comparison with the previous wave costs the final report.

Makes a fresh SQLite database (or uses --database-url), seeds wave 1 with N demo responses,
closes it, starts wave 2 and seeds it with N more, then builds the final report of each wave in
a fresh Python process: wave 1's (no previous wave, so no comparison) is the same-run baseline,
wave 2's adds the previous wave's weights and results and the comparison. Each build is run
twice and the faster time kept.

    .venv/bin/python benchmarks/waves.py                 # 20,000 responses a wave
    .venv/bin/python benchmarks/waves.py --short         # 3,000 a wave: a quick check
    .venv/bin/python benchmarks/waves.py --responses 100000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "FLASK_APP": "wsgi.py"}


def flask(database_url: str, *args: str) -> None:
    subprocess.run(
        [str(BIN / "flask"), *args],
        cwd=ROOT,
        env=_env(database_url),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def measure_in_this_process(database_url: str, wave: int) -> dict[str, float]:
    import resource

    from sqlalchemy import create_engine, text

    from reporting.final import build_final_report

    engine = create_engine(database_url)
    with engine.connect() as connection:
        survey_id = connection.execute(
            text("SELECT id FROM surveys WHERE wave = :wave"), {"wave": wave}
        ).scalar_one()
    best = float("inf")
    compared = 0
    for _ in range(2):
        started = time.perf_counter()
        report = build_final_report(engine, survey_id)
        best = min(best, time.perf_counter() - started)
        comparison = report.get("comparison")
        compared = len(comparison["questions"]) if comparison else 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": best, "peak_rss_mb": peak, "questions_compared": compared}


def measure(database_url: str, wave: int) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--measure", database_url, "--wave", str(wave)],
        cwd=ROOT,
        env=_env(database_url),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def seed_two_waves(database_url: str, responses: int) -> None:
    flask(database_url, "setup")
    flask(database_url, "demo", "seed", "--responses", str(responses))
    flask(database_url, "survey", "close")
    flask(database_url, "survey", "new-wave", "--open")
    flask(database_url, "demo", "seed", "--responses", str(responses))
    flask(database_url, "survey", "close")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=20_000, help="per wave")
    parser.add_argument("--short", action="store_true", help="3,000 responses a wave")
    parser.add_argument("--database-url", help="an existing database with two waves, as it is")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--wave", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.measure:
        print(json.dumps(measure_in_this_process(options.measure, options.wave)))
        return 0
    responses = 3_000 if options.short else options.responses
    with tempfile.TemporaryDirectory() as directory:
        url = options.database_url or f"sqlite:///{directory}/waves.sqlite3"
        if not options.database_url:
            started = time.perf_counter()
            seed_two_waves(url, responses)
            seconds = time.perf_counter() - started
            print(f"Seeded two waves of {responses:,} responses in {seconds:.1f} s")
        first, second = measure(url, 1), measure(url, 2)
    print(f"{'final report':<40}{'build (s)':>12}{'peak RSS (MB)':>16}")
    for label, figures in (
        ("wave 1, no previous wave (baseline)", first),
        ("wave 2, compared with wave 1", second),
    ):
        print(f"{label:<40}{figures['seconds']:>12.2f}{figures['peak_rss_mb']:>16.0f}")
    print(
        f"The comparison ({second['questions_compared']:.0f} questions and the headline "
        f"indicators) costs {second['seconds'] / first['seconds']:.2f} times the baseline build."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
