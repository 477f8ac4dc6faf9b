"""Reports and exports the analyst generates from the web pages, kept under instance/reports/.

Only files listed from that folder can be downloaded, by exact name: a name from the address
bar can never reach anything else on disk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from reporting.exports import export_responses
from reporting.generate import write_report

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
    return write_report(db.engine, kind, reports_dir(), REPORT_FORMATS, survey_id=survey_id)


def generate_export(fmt: str, survey_id: int | None, *, free_text: bool) -> list[Path]:
    stamp = dt.date.today().isoformat()
    suffix = "-with-free-text" if free_text else ""
    out = reports_dir() / f"safermk-responses-{stamp}{suffix}.{fmt}"
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


def stored_file(name: str) -> Path | None:
    """The file of that exact name in the reports folder, if there is one."""
    return next(
        (path for path in reports_dir().iterdir() if path.is_file() and path.name == name), None
    )
