"""Checking the rows of a wave import: each mapped cell read through the mapping, each
question's answers checked by its own answer type, dates read; every problem collected with the
row it is in, the same problem in many rows said once.

Nothing here writes: survey_app.wave_import stores the rows once every one of them fits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .import_cells import DAY_FIRST, MONTH_FIRST, AnswerCheck, CellProblem, ColumnMap, quoted
from .import_mapping import CheckedMapping
from .import_tables import Cell, Table, cell_text
from .questionnaire import Questionnaire
from .questionnaire.definition import PREFER_NOT_TO_SAY
from .questionnaire.journey import Journey

SHOWN_PROBLEMS = 50
SHOWN_ROWS = 10
TIME_OF_DAY = re.compile(
    r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?\s*(?:Z|[+-]\d{2}:?\d{2})?$"
)
# ISO first; then digits in the order the mapping says; then dates with the month in words.
DATE_FORMATS = {
    DAY_FIRST: ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"),
    MONTH_FIRST: ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y"),
}
WORDED_DATES = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y")


def rows_text(numbers: list[int]) -> str:
    """rows 5, 9 and 12; or the first ten and how many more."""
    if len(numbers) == 1:
        return f"row {numbers[0]}"
    shown = ", ".join(str(n) for n in numbers[:SHOWN_ROWS])
    if len(numbers) > SHOWN_ROWS:
        return f"rows {shown} and {len(numbers) - SHOWN_ROWS:,} more"
    return f"rows {shown.rsplit(', ', 1)[0]} and {numbers[-1]}"


class Problems:
    """Problems in the data rows, the same problem in many rows said once with its rows."""

    def __init__(self) -> None:
        self._rows: dict[str, list[int]] = {}
        self.rows: set[int] = set()

    def add(self, row: int, text: str) -> None:
        self._rows.setdefault(text, []).append(row)
        self.rows.add(row)

    def __len__(self) -> int:
        return len(self._rows)

    def report(self, name: str) -> str:
        count = sum(len(rows) for rows in self._rows.values())
        lines = [
            f"Nothing was imported: {name} has {count:,} problem{'s' if count != 1 else ''} in "
            f"{len(self.rows):,} row{'s' if len(self.rows) != 1 else ''} (the headings are "
            "row 1). Correct the data file or the mapping, and run the command again."
        ]
        for text, rows in list(self._rows.items())[:SHOWN_PROBLEMS]:
            where = rows_text(rows)
            lines.append(f"  {where[0].upper()}{where[1:]}, {text}")
        if len(self._rows) > SHOWN_PROBLEMS:
            lines.append(f"  ...and {len(self._rows) - SHOWN_PROBLEMS:,} more")
        return "\n".join(lines)


@dataclass
class CheckedRows:
    """What the check of every row found: the answers to store, and what was left out."""

    answers: list[tuple[dict[str, Any], dt.date | None]] = field(default_factory=list)
    under_age: list[int] = field(default_factory=list)
    empty: list[int] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


def check_rows(
    table: Table,
    mapping: CheckedMapping,
    questionnaire: Questionnaire,
    problems: Problems,
    opened: dt.date | None,
    closed: dt.date | None,
    today: dt.date,
) -> CheckedRows:
    """Every row read and checked, its problems added to `problems`. A row with none is kept,
    pruned as the service prunes (answers to questions its other answers skip are dropped),
    unless it has no answers or is of a respondent under the minimum age."""
    columns = [*mapping.columns, *([mapping.date_column] if mapping.date_column else [])]
    # Each question with its columns (a multiple choice may have several) and their places
    # among the cells read; the date column is read last.
    questions = [
        (check, [(place, c) for place, c in enumerate(mapping.columns) if c.check is check])
        for check in mapping.checks.values()
    ]
    date_place = len(mapping.columns)
    journey = Journey(questionnaire)
    checked = CheckedRows()
    for number, cells in table.rows([column.index for column in columns]):
        before = len(problems.rows)
        answers: dict[str, Any] = {}
        for check, question_columns in questions:
            answers.update(_question_answers(check, question_columns, cells, number, problems))
        submitted = None
        if mapping.date_column:
            try:
                submitted = _date(mapping.date_column, cells[date_place], opened, closed, today)
            except CellProblem as problem:
                where = f"column {quoted(mapping.date_column.column)} ({mapping.date_column.key})"
                problems.add(number, f"{where}: {problem}")
        if len(problems.rows) > before:
            continue
        if not answers:
            checked.empty.append(number)
        elif journey.is_under_age(answers):
            # As online and on paper: nothing of a resident under the minimum age is kept.
            checked.under_age.append(number)
        else:
            kept = questionnaire.prune(answers)
            checked.skipped.update(key for key in answers if key not in kept)
            checked.answers.append((kept, submitted))
    return checked


def _question_answers(
    check: AnswerCheck,
    columns: list[tuple[int, ColumnMap]],
    cells: list[Cell],
    number: int,
    problems: Problems,
) -> dict[str, Any]:
    """One question's answers in a row, checked by its answer type; {} if it has a problem."""
    formdata: dict[str, list[str]] = {}
    failed = False
    for place, column in columns:
        try:
            values = column.read(cells[place])
        except CellProblem as problem:
            problems.add(number, f"column {quoted(column.column)} ({column.key}): {problem}")
            failed = True
            continue
        for value in values:
            if value == PREFER_NOT_TO_SAY and column.kind == "number" and check.decline_field:
                formdata.setdefault(check.decline_field, []).append("y")
            else:
                formdata.setdefault(column.key, []).append(value)
    if failed or not formdata:
        return {}
    answers, errors = check.check(formdata)
    for field_name, message in errors.items():
        involved = [c for _, c in columns if c.key == field_name] or [c for _, c in columns]
        places = [place for place, c in columns if c in involved]
        problems.add(number, _answer_problem(check, involved, places, cells, formdata, message))
    return answers


def _answer_problem(
    check: AnswerCheck,
    columns: list[ColumnMap],
    places: list[int],
    cells: list[Cell],
    formdata: dict[str, list[str]],
    message: str,
) -> str:
    """Where an answer its question refuses is, what it is, and what the question allows. Free
    text is never shown, only its length."""
    names = ", ".join(quoted(c.column) for c in columns)
    key = columns[0].key if len(columns) == 1 else check.question.id
    where = f"column{'s' if len(columns) > 1 else ''} {names} ({key})"
    kind = columns[0].kind
    if kind == "text":
        return f"{where}: a text of {len(cell_text(cells[places[0]])):,} characters: {message}"
    if kind == "options":
        chosen = formdata.get(check.question.id, [])
        return f"{where}: {len(chosen)} chosen ({', '.join(chosen)}): {message}"
    shown = "; ".join(cell_text(cells[p]) for p in places if cell_text(cells[p]))
    allowed = f" (allowed: {check.allowed_number()})" if kind == "number" else ""
    return f"{where}: {quoted(shown)}: {message}{allowed}"


def _date(
    column: ColumnMap,
    cell: Cell,
    opened: dt.date | None,
    closed: dt.date | None,
    today: dt.date,
) -> dt.date | None:
    """The date a response was submitted; a time of day with it is dropped, never stored."""
    text = cell_text(cell)
    if not text:
        return None
    if isinstance(cell, dt.datetime):
        day: dt.date | None = cell.date()
    elif isinstance(cell, dt.date):
        day = cell
    else:
        day = _parsed_date(TIME_OF_DAY.sub("", text), column.date_order)
    shown = quoted(text)
    if day is None:
        example = "05/31/2023" if column.date_order == MONTH_FIRST else "31/05/2023"
        raise CellProblem(f"{shown} is not a date; write dates like 2023-05-31 or {example}")
    if day > today:
        raise CellProblem(f"{shown} is after today")
    if opened and day < opened:
        raise CellProblem(f"{shown} is before the wave opened (--opened {opened.isoformat()})")
    if closed and day > closed:
        raise CellProblem(f"{shown} is after the wave closed (--closed {closed.isoformat()})")
    return day


@lru_cache(maxsize=4096)  # a wave's fieldwork has few days, written again and again
def _parsed_date(text: str, order: str) -> dt.date | None:
    for form in (*DATE_FORMATS[order], *WORDED_DATES):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None
