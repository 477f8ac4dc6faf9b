"""How long a command takes before it does anything: `flask --help` beside bare Flask's.

Every `flask` command (and every gunicorn worker, and every background job process) starts by
importing the service and building the app. This times, in one run and on the same machine:

* baseline: `python -c "import flask"`, the least any Flask command costs;
* `flask --help` for the service (FLASK_APP=wsgi.py), which imports the app and lists its
  commands; the aim is under 1 second (docs/performance.md);
* `python -c "import wsgi"`: building the app alone.

Each is run RUNS times (5 by default) after one untimed run (so the file cache is warm); the
median and the slowest are printed.

    .venv/bin/python benchmarks/startup.py
    .venv/bin/python benchmarks/startup.py --runs 11
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COMMANDS = {
    "baseline: import flask": [str(BIN / "python"), "-c", "import flask"],
    "flask --help": [str(BIN / "flask"), "--help"],
    "import wsgi (build the app)": [str(BIN / "python"), "-c", "import wsgi"],
}


def seconds(command: list[str]) -> float:
    env = {**os.environ, "FLASK_APP": "wsgi.py"}
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args(argv).runs
    print(f"{'command':<30} {'median s':>9} {'slowest s':>10}  (of {runs} runs)")
    for name, command in COMMANDS.items():
        seconds(command)
        times = [seconds(command) for _ in range(runs)]
        print(f"{name:<30} {statistics.median(times):>9.2f} {max(times):>10.2f}")
    print(f"1-minute load average: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
