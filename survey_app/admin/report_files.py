"""Reports and exports the analyst makes from the web pages, kept in the database.

Every server behind a load balancer shares the database, so a file made through one is listed
and downloaded through any other. A file is written to a temporary folder by the reporting
package, then stored as rows of at most CHUNK_BYTES each, and sent back a chunk at a time.
Only stored files can be downloaded, by exact name: nothing from the address bar reaches the
disk. `flask purge` deletes the files that hold residents' own words once the retention period
ends.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select

from reporting.queries import find_survey

from ..extensions import db
from ..models import ReportFile, ReportFileChunk

REPORT_FORMATS = ("html", "pdf", "json", "xlsx")
CHUNK_BYTES = 1024 * 1024
FREE_TEXT_SUFFIX = "-with-free-text"


@dataclass(frozen=True)
class StoredFile:
    name: str
    kind: str
    size_kb: int
    made_at: dt.datetime
    made_by: str | None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _store(
    path: Path, *, kind: str, survey_id: int | None, user_id: int | None, free_text: bool
) -> ReportFile:
    """Keep the file at `path` in the database, in place of any file of the same name (the
    same report made again on the same day)."""
    old = db.session.scalars(select(ReportFile).where(ReportFile.name == path.name)).first()
    if old is not None:
        _delete(old)
        db.session.flush()  # gone before its successor, which takes its name, is written
    stored = ReportFile(
        name=path.name,
        kind=kind,
        survey_id=survey_id,
        made_at=_now(),
        made_by_user_id=user_id,
        holds_free_text=free_text,
        media_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
        size=path.stat().st_size,
    )
    db.session.add(stored)
    db.session.flush()
    with path.open("rb") as handle:
        number = 0
        while data := handle.read(CHUNK_BYTES):
            chunk = ReportFileChunk(file_id=stored.id, number=number, data=data)
            db.session.add(chunk)
            db.session.flush()
            db.session.expunge(chunk)  # written: not kept in memory until the commit
            number += 1
    return stored


def _delete(stored: ReportFile) -> None:
    db.session.execute(delete(ReportFileChunk).where(ReportFileChunk.file_id == stored.id))
    db.session.delete(stored)


Progress = Callable[[int, int, str], None]


def _then_keeping(progress: Progress | None) -> Progress | None:
    """The work's progress, with its last step ("Done") named for what follows it: the files
    being kept in the database."""
    if progress is None:
        return None
    told = progress

    def tell(done: int, total: int, step: str) -> None:
        told(done, total, "Keeping the files" if step == "Done" else step)

    return tell


def generate_report(
    kind: str,
    survey_id: int | None,
    *,
    user_id: int | None = None,
    progress: Progress | None = None,
) -> list[str]:
    """Make the interim or final report in every format and keep the files; returns their
    names. Raises ValueError on bad input. `progress` is told of each step (write_report's)."""
    # Imported here: report writing brings matplotlib, WeasyPrint and openpyxl, which no page
    # but this one needs, and which every `flask` command would otherwise load at start-up.
    from reporting.generate import write_report

    survey = find_survey(db.engine, survey_id)
    with tempfile.TemporaryDirectory(prefix="safermk-report-") as folder:
        paths = write_report(
            db.engine,
            kind,
            Path(folder),
            REPORT_FORMATS,
            survey_id=survey_id,
            progress=_then_keeping(progress),
        )
        stored = [
            _store(
                path,
                kind=f"{kind} report",
                survey_id=survey["id"] if survey else None,
                user_id=user_id,
                free_text=False,
            )
            for path in paths
        ]
        db.session.commit()
    return [file.name for file in stored]


def export_stem(slug: str, wave: int) -> str:
    """The start of every export file name of a survey's wave."""
    return f"{slug}-wave{wave}-responses-"


def generate_export(
    fmt: str,
    survey_id: int | None,
    *,
    free_text: bool,
    user_id: int | None = None,
    progress: Progress | None = None,
) -> list[str]:
    """Make an export of the responses (and its data dictionary) and keep the files; returns
    their names. `progress` is told of the rows written (export_responses')."""
    from reporting.exports import export_responses  # loaded when needed, as write_report

    stamp = dt.date.today().isoformat()
    suffix = FREE_TEXT_SUFFIX if free_text else ""
    survey = find_survey(db.engine, survey_id)
    stem = export_stem(survey["slug"], survey["wave"]) if survey else "safermk-responses-"
    with tempfile.TemporaryDirectory(prefix="safermk-export-") as folder:
        out = Path(folder) / f"{stem}{stamp}{suffix}.{fmt}"
        result = export_responses(
            db.engine,
            out,
            fmt=fmt,
            survey_id=survey_id,
            free_text=free_text,
            progress=_then_keeping(progress),
        )
        stored = [
            _store(
                path,
                kind="data dictionary" if path == result.dictionary_path else "export",
                survey_id=survey["id"] if survey else None,
                user_id=user_id,
                # The dictionary of an export with free text names its free-text columns only,
                # but goes with the export it describes.
                free_text=free_text,
            )
            for path in (result.path, result.dictionary_path)
            if path is not None
        ]
        db.session.commit()
    return [file.name for file in stored]


def stored_files(names: list[str] | None = None) -> list[StoredFile]:
    """Every stored file, newest first; or only those of the given names (those still kept)."""
    query = select(ReportFile).order_by(ReportFile.made_at.desc(), ReportFile.name)
    if names is not None:
        query = query.where(ReportFile.name.in_(names))
    files = db.session.scalars(query)
    return [
        StoredFile(
            file.name,
            file.kind,
            max(1, round(file.size / 1024)),
            file.made_at,
            file.made_by.email if file.made_by else None,
        )
        for file in files
    ]


def stored_file(name: str) -> ReportFile | None:
    """The stored file of that exact name, if there is one."""
    return db.session.scalars(select(ReportFile).where(ReportFile.name == name)).first()


def file_bytes(file_id: int) -> Iterator[bytes]:
    """The file's bytes, a chunk at a time (each read when the previous one has been sent)."""
    count = db.session.scalar(
        select(func.count()).select_from(ReportFileChunk).where(ReportFileChunk.file_id == file_id)
    )
    for number in range(int(count or 0)):
        chunk = db.session.scalar(
            select(ReportFileChunk.data).where(
                ReportFileChunk.file_id == file_id, ReportFileChunk.number == number
            )
        )
        if chunk is not None:
            yield chunk


def remove_free_text_exports(survey_id: int) -> int:
    """Delete the stored files that hold a survey's free text (exports made with it and their
    dictionaries), and any such file of no known survey. Returns how many were deleted."""
    files = db.session.scalars(
        select(ReportFile).where(
            ReportFile.holds_free_text.is_(True),
            (ReportFile.survey_id == survey_id) | ReportFile.survey_id.is_(None),
        )
    ).all()
    for file in files:
        _delete(file)
    db.session.commit()
    return len(files)
