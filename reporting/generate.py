"""Write a report to files: the one entry point the command line (and anything else) calls.

    write_report(engine, "final", Path("out"), formats=("html", "pdf"))

Files are named after the survey, the kind of report and the day the figures are for, such as
`safermk-perceptions-wave1-interim-2026-11-25.html`, so successive runs sort by date and never
overwrite a different survey's (or wave's) report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from sqlalchemy.engine import Engine

from reporting.errors import Refused
from reporting.final import build_final_report
from reporting.interim import build_interim_report
from reporting.model import Report
from reporting.render import render_html, render_json, render_pdf, render_xlsx

KINDS = ("interim", "final")
FORMATS = ("html", "pdf", "json", "xlsx")
FORMAT_NAMES = {"html": "web page", "pdf": "PDF", "json": "JSON file", "xlsx": "spreadsheet"}
NO_SURVEY_STEM = "safermk-survey"
# Told how far a long piece of work has gone: steps done, steps in all, and the step now begun.
Progress = Callable[[int, int, str], None]


def _write_text(text: str, path: Path) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# Each writer gets the report and a function giving its HTML, drawn once for HTML and PDF.
WRITERS: dict[str, Callable[[Report, Callable[[], str], Path], Path]] = {
    "html": lambda report, html, path: _write_text(html(), path),
    "json": lambda report, html, path: _write_text(render_json(report) + "\n", path),
    "pdf": lambda report, html, path: render_pdf(report, path, html=html()),
    "xlsx": lambda report, html, path: render_xlsx(report, path),
}


def report_file_stem(report: Report) -> str:
    survey = report.get("survey")
    survey_part = f"{survey['slug']}-wave{survey['wave']}" if survey else NO_SURVEY_STEM
    return f"{survey_part}-{report['kind']}-{report['generated_on']}"


def _check(kind: str, formats: Sequence[str]) -> list[str]:
    if kind not in KINDS:
        raise Refused(f"Unknown report kind {kind!r}: choose 'interim' or 'final'")
    if isinstance(formats, str):
        # A lone "html" would otherwise be read as the formats "h", "t", "m", "l".
        formats = [formats]
    chosen = [name.strip().lower() for name in formats if name.strip()]
    unknown = [name for name in chosen if name not in FORMATS]
    if unknown:
        raise Refused(
            f"Unknown report format(s) {', '.join(map(repr, unknown))}: "
            f"choose from {', '.join(FORMATS)}"
        )
    if not chosen:
        raise Refused(f"No report format given: choose from {', '.join(FORMATS)}")
    return list(dict.fromkeys(chosen))  # each format once, in the order asked


def write_report(
    engine: Engine,
    kind: str,
    out_dir: Path,
    formats: Sequence[str] = FORMATS,
    survey_id: int | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Build the report once and write it in each format; returns the paths written.

    `progress` is told of each step as it begins (working out the figures, then each format),
    and once more when all are done. Raises ValueError for an unknown kind or format before
    reading the database.
    """
    chosen = _check(kind, formats)
    steps = 1 + len(chosen)
    tell = progress or (lambda done, total, step: None)
    tell(0, steps, "Working out the figures")
    report: Report = (
        build_final_report(engine, survey_id, today=today)
        if kind == "final"
        else build_interim_report(engine, survey_id, today=today)
    )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = report_file_stem(report)
    html = cache(lambda: render_html(report))
    paths = []
    for done, name in enumerate(chosen, start=1):
        tell(done, steps, f"Writing the {FORMAT_NAMES[name]}")
        paths.append(WRITERS[name](report, html, out_dir / f"{stem}.{name}"))
    tell(steps, steps, "Done")
    return paths
