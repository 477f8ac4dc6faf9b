"""Reports and exports the analyst generates from the web pages, kept under instance/reports/.

Only files listed from that folder can be downloaded, by exact name: a name from the address
bar can never reach anything else on disk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from reporting.queries import find_survey

from ..extensions import db

REPORT_FORMATS = ("html", "pdf", "json", "xlsx")


@dataclass(frozen=True)
class StoredFile:
    name: str
    size_kb: int
    modified: dt.datetime


def reports_dir() -> Path:
    path = Path(current_app.instance_path) / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def generate_report(kind: str, survey_id: int | None) -> list[Path]:
    """Write the interim or final report in every format; raises ValueError on bad input."""
    # Imported here: report writing brings matplotlib, WeasyPrint and openpyxl, which no page
    # but this one needs, and which every `flask` command would otherwise load at start-up.
    from reporting.generate import write_report

    return write_report(db.engine, kind, reports_dir(), REPORT_FORMATS, survey_id=survey_id)


FREE_TEXT_SUFFIX = "-with-free-text"


def export_stem(slug: str, version: int) -> str:
    """The start of every export file name of a survey version, so that retention can find
    the files that hold its free text."""
    return f"{slug}-v{version}-responses-"


def generate_export(fmt: str, survey_id: int | None, *, free_text: bool) -> list[Path]:
    stamp = dt.date.today().isoformat()
    suffix = FREE_TEXT_SUFFIX if free_text else ""
    survey = find_survey(db.engine, survey_id)
    stem = export_stem(survey["slug"], survey["version"]) if survey else "safermk-responses-"
    out = reports_dir() / f"{stem}{stamp}{suffix}.{fmt}"
    from reporting.exports import export_responses  # loaded when needed, as write_report

    result = export_responses(db.engine, out, fmt=fmt, survey_id=survey_id, free_text=free_text)
    return [path for path in (result.path, result.dictionary_path) if path is not None]


def stored_files() -> list[StoredFile]:
    files = [path for path in reports_dir().iterdir() if path.is_file()]
    files.sort(key=lambda path: (-path.stat().st_mtime, path.name))
    return [
        StoredFile(
            path.name,
            max(1, round(path.stat().st_size / 1024)),
            dt.datetime.fromtimestamp(path.stat().st_mtime),
        )
        for path in files
    ]


def remove_free_text_exports(slug: str, version: int) -> int:
    """Delete the stored exports (and their dictionaries) that hold a survey's free text, and
    any older free-text export whose file name does not say which survey it holds."""
    removed = 0
    for path in reports_dir().iterdir():
        name = path.name
        holds_free_text = FREE_TEXT_SUFFIX in name
        this_survey = name.startswith(export_stem(slug, version))
        unlabelled = name.startswith("safermk-responses-")
        if path.is_file() and holds_free_text and (this_survey or unlabelled):
            path.unlink()
            removed += 1
    return removed


def stored_file(name: str) -> Path | None:
    """The file of that exact name in the reports folder, if there is one."""
    return next(
        (path for path in reports_dir().iterdir() if path.is_file() and path.name == name), None
    )
