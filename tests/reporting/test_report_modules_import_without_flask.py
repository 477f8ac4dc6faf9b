import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_report_building_and_rendering_import_neither_flask_nor_the_web_app():
    # A fresh interpreter, so that modules loaded by other tests cannot hide an import.
    check = (
        "import sys, reporting.queries, reporting.indicators, reporting.interim, "
        "reporting.render, reporting.charts, reporting.disclosure, reporting.reach, "
        "reporting.languages, "
        "reporting.final, reporting.weighted_indicators, reporting.workbook, reporting.generate; "
        "assert 'flask' not in sys.modules, 'reporting imported flask'; "
        "assert 'survey_app' not in sys.modules, 'reporting imported survey_app'"
    )

    completed = subprocess.run(
        [sys.executable, "-c", check], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0, completed.stderr
