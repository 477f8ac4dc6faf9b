import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_reporting_modules_import_without_flask():
    # A fresh interpreter, so that Flask loaded by other tests cannot hide an import.
    check = (
        "import sys, reporting.stats, reporting.representativeness, reporting.weighting; "
        "assert 'flask' not in sys.modules, 'reporting imported flask'"
    )

    completed = subprocess.run(
        [sys.executable, "-c", check], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0, completed.stderr
