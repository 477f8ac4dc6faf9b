"""Importing an earlier wave, run on another tool, from a CSV or XLSX of individual responses.

A mapping file (survey_app.import_mapping; docs/importing.md) says which column answers which
question and what its codes mean. Every row is checked, by the questionnaire's own answer types,
before anything is written; nothing is written unless every row fits. The responses go into a
wave of their own, marked as imported (the wave names its file, each response has source
"imported"), so they are never mixed with the responses the service collected itself.

Only the mapped columns are read: names, email and network addresses, or anything else in the
export, are never kept, and no message shows them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import force_locale
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .import_cells import quoted
from .import_mapping import MappingError, check_mapping, read_mapping
from .import_rows import SHOWN_ROWS, CheckedRows, Problems, check_rows, rows_text
from .import_tables import TableError, open_table
from .models import Response, Survey
from .questionnaire import Questionnaire
from .questionnaire.translation import only_wording_differs
from .responses import submitted_row
from .setup_data import add_wave, newest_wave

BATCH = 5_000
# `flask purge --free-text-days`, unless the operator runs it with another.
PURGE_FREE_TEXT_DAYS = 90


class WaveImportError(ValueError):
    """The wave cannot be imported; the message says why and what to change."""


@dataclass(frozen=True)
class ImportResult:
    survey_label: str
    survey_ref: str
    source_name: str
    imported: int
    opened_on: dt.date
    closed_on: dt.date
    undated_responses: int
    dates_given: bool  # by a date column, or by --opened and --closed
    ignored_columns: list[str]
    under_age_rows: list[int]
    minimum_age: int
    empty_rows: list[int]
    skipped_answers: Counter[str]
    free_text_keys: list[str]
    free_text_responses: int
    encoding_note: str | None = None


def import_wave(
    data_path: Path,
    mapping_path: Path,
    *,
    wave: int,
    slug: str,
    questionnaire: Questionnaire | None = None,
    opened: dt.date | None = None,
    closed: dt.date | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Check every row of the data file against the mapping and the questionnaire (the newest
    wave's, or the one given), then store them all as a new closed wave, or nothing."""
    today = today or dt.date.today()
    questionnaire = _questionnaire(slug, questionnaire)
    _check_wave_is_free(slug, wave)
    _check_dates(opened, closed, today)
    problems = Problems()
    try:
        mapping_file = read_mapping(mapping_path)
        # The answer types' messages, for the analyst, in English: a command has no request to
        # choose a language by.
        with open_table(data_path) as table, force_locale("en"):
            mapping = check_mapping(mapping_file, questionnaire, table.headings, table.name)
            checked = check_rows(table, mapping, questionnaire, problems, opened, closed, today)
            encoding_note = table.encoding_note
            headings = table.headings
    except MappingError as error:
        raise WaveImportError(str(error)) from None
    except TableError as error:
        raise WaveImportError(f"Nothing was imported: {error}") from None
    if problems:
        raise WaveImportError(problems.report(data_path.name))
    if not checked.answers:
        left_out = [
            f"{len(checked.empty)} with no answer in the mapped columns" if checked.empty else "",
            f"{len(checked.under_age)} of respondents under {questionnaire.minimum_age}"
            if checked.under_age
            else "",
        ]
        reasons = " and ".join(filter(None, left_out))
        raise WaveImportError(
            f"Nothing was imported: {data_path.name} has no responses to import"
            + (f" (its rows were left out: {reasons})" if reasons else "")
        )
    dates = [submitted for _, submitted in checked.answers if submitted]
    closed_on = closed or max(dates, default=None) or today
    opened_on = opened or min(dates, default=None) or closed_on
    survey = _store(questionnaire, wave, data_path.name, opened_on, closed_on, checked)
    mapped = {c.index for c in mapping.columns} | (
        {mapping.date_column.index} if mapping.date_column else set()
    )
    free_text = sorted(
        {k for answers, _ in checked.answers for k in answers} & questionnaire.free_text_keys
    )
    return ImportResult(
        survey_label=survey.label,
        survey_ref=survey.ref,
        source_name=data_path.name,
        imported=len(checked.answers),
        opened_on=opened_on,
        closed_on=closed_on,
        undated_responses=len(checked.answers) - len(dates),
        dates_given=bool(mapping.date_column) or bool(opened and closed),
        ignored_columns=[
            heading or f"(column {index + 1}, no heading)"
            for index, heading in enumerate(headings)
            if index not in mapped
        ],
        under_age_rows=checked.under_age,
        minimum_age=questionnaire.minimum_age,
        empty_rows=checked.empty,
        skipped_answers=checked.skipped,
        free_text_keys=free_text,
        free_text_responses=sum(
            1 for answers, _ in checked.answers if questionnaire.free_text_keys & answers.keys()
        ),
        encoding_note=encoding_note,
    )


def _questionnaire(slug: str, given: Questionnaire | None) -> Questionnaire:
    """The questionnaire the earlier wave asked: the one given, or the survey's newest wave's."""
    if given is None:
        newest = newest_wave(slug)
        if newest is None:
            raise WaveImportError(
                f"No survey {slug!r} is loaded (see `flask survey list`); give the "
                "questionnaire the earlier wave asked with --definition"
            )
        return Questionnaire(newest.definition)
    if given.slug != slug:
        raise WaveImportError(
            f"That questionnaire is {given.slug!r}, not {slug!r}: a wave continues the same survey"
        )
    for loaded in db.session.scalars(
        select(Survey).where(Survey.slug == slug, Survey.version == given.version)
    ):
        if not only_wording_differs(loaded.definition, given.definition):
            raise WaveImportError(
                f"Version {given.version} of {slug} is already loaded (wave {loaded.wave}) with "
                "different questions or options; give the earlier questionnaire a version "
                "number of its own"
            )
    return given


def _check_wave_is_free(slug: str, wave: int) -> None:
    waves = sorted(db.session.scalars(select(Survey.wave).where(Survey.slug == slug)))
    if wave not in waves:
        return
    free = [f"{waves[-1] + 1} for a year after wave {waves[-1]}"]
    if waves[0] > 0:
        free.insert(0, f"{waves[0] - 1} for a year before wave {waves[0]}")
    raise WaveImportError(
        f"{slug} already has a wave {wave} (waves loaded: {', '.join(map(str, waves))}); "
        f"give --wave a free number, such as {' or '.join(free)}"
    )


def _check_dates(opened: dt.date | None, closed: dt.date | None, today: dt.date) -> None:
    for name, day in (("--opened", opened), ("--closed", closed)):
        if day and day > today:
            raise WaveImportError(
                f"{name} {day.isoformat()} is after today: a wave to import is over"
            )
    if opened and closed and opened > closed:
        raise WaveImportError(
            f"--opened {opened.isoformat()} is after --closed {closed.isoformat()}"
        )


def _store(
    questionnaire: Questionnaire,
    wave: int,
    source_name: str,
    opened_on: dt.date,
    closed_on: dt.date,
    checked: CheckedRows,
) -> Survey:
    """The new wave and its responses, in one transaction."""
    try:
        survey = add_wave(questionnaire, wave, imported_from=source_name[:300])
        survey.opened_on, survey.closed_on = opened_on, closed_on
        batch: list[dict[str, Any]] = []
        for answers, submitted in checked.answers:
            batch.append(
                submitted_row(
                    questionnaire, survey.id, answers, submitted or closed_on, source="imported"
                )
            )
            if len(batch) == BATCH:
                db.session.execute(insert(Response), batch)
                batch = []
        if batch:
            db.session.execute(insert(Response), batch)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        _check_wave_is_free(questionnaire.slug, wave)  # it may have been added meanwhile
        raise
    except BaseException:
        db.session.rollback()
        raise
    return survey


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def summary(result: ImportResult, today: dt.date | None = None) -> list[str]:
    """What the command says once the wave is in."""
    today = today or dt.date.today()
    ignored = len(result.ignored_columns)
    lines = [
        f"Imported {_count(result.imported, 'response')} into {result.survey_label} "
        f"(from {result.source_name})."
        + (f" Ignored {_count(ignored, 'column')} not in the mapping." if ignored else "")
    ]
    if result.encoding_note:
        lines.append(f"  {result.encoding_note}.")
    if ignored:
        names = ", ".join(quoted(name) for name in result.ignored_columns[:SHOWN_ROWS])
        more = f" and {ignored - SHOWN_ROWS} more" if ignored > SHOWN_ROWS else ""
        lines.append(f"  Nothing in these columns was stored or shown: {names}{more}.")
    lines.append(
        f"  Fieldwork dated {result.opened_on.isoformat()} to {result.closed_on.isoformat()}."
    )
    if result.undated_responses:
        lines.append(
            f"  {_count(result.undated_responses, 'response')} with no date "
            f"{'is' if result.undated_responses == 1 else 'are'} dated "
            f"{result.closed_on.isoformat()}, the day the wave closed"
            + ("." if result.dates_given else ": give --opened and --closed to date the wave.")
        )
    if result.under_age_rows:
        lines.append(
            f"  Left out {_count(len(result.under_age_rows), 'respondent')} under "
            f"{result.minimum_age} ({rows_text(result.under_age_rows)}): the survey keeps "
            f"nothing of residents under {result.minimum_age}."
        )
    if result.empty_rows:
        lines.append(
            f"  Left out {_count(len(result.empty_rows), 'row')} with no answer in the mapped "
            f"columns ({rows_text(result.empty_rows)})."
        )
    if result.skipped_answers:
        skipped = sum(result.skipped_answers.values())
        which = ", ".join(f"{key}: {n}" for key, n in result.skipped_answers.most_common())
        lines.append(
            f"  Left out {_count(skipped, 'answer')} to questions the respondent's other answers "
            f"skip, as the online survey does ({which})."
        )
    if result.free_text_responses:
        count = result.free_text_responses
        purge_from = result.closed_on + dt.timedelta(days=PURGE_FREE_TEXT_DAYS)
        when = "at its next run" if purge_from <= today else f"from {purge_from.isoformat()}"
        lines.append(
            f"  {_count(count, 'response')} {'holds' if count == 1 else 'hold'} free text "
            f"({', '.join(result.free_text_keys)}): `flask purge` removes it once the wave has "
            f"been closed for --free-text-days ({PURGE_FREE_TEXT_DAYS} by default), so {when}."
        )
    lines.append(
        f"  `flask report final --survey {result.survey_ref}` reports on it; it cannot be opened "
        "to residents."
    )
    return lines
