"""The mapping file of a wave import: which data column answers which question, and what its
codes mean. See docs/importing.md for the format.

    column,question,code,value
    Q3,safe_after_dark,,          the column Q3 answers safe_after_dark
    Q3,,1,very_safe               ...where 1 means very_safe
    Q3,,99,                       ...and 99 means not answered
    Date,@submitted_on,,          the date each response was submitted

A checked mapping gives each mapped column's ColumnMap (survey_app.import_cells), which reads
its cells.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from .import_cells import (
    DAY_FIRST,
    MONTH_FIRST,
    AnswerCheck,
    CellProblem,
    Code,
    ColumnMap,
    normal_code,
    normal_label,
    option_lookup,
    quoted,
)
from .import_tables import TableError, cell_text, open_table
from .questionnaire import Questionnaire
from .questionnaire.definition import PREFER_NOT_TO_SAY

HEADINGS = ("column", "question", "code", "value")
SUBMITTED_ON = "@submitted_on"


class MappingError(ValueError):
    """The mapping does not fit the questionnaire or the data file; `problems` says where."""

    def __init__(self, name: str, problems: list[str]):
        super().__init__(
            f"Nothing was imported: the mapping {name} has "
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''}:\n"
            + "\n".join(f"  {problem}" for problem in problems)
        )
        self.problems = problems


@dataclass
class CheckedMapping:
    columns: list[ColumnMap]  # the answer columns, in the mapping's order
    date_column: ColumnMap | None
    checks: dict[str, AnswerCheck]  # by question id, for the questions mapped


@dataclass
class MappingRow:
    line: int
    column: str
    question: str
    code: str
    value: str


@dataclass
class MappingFile:
    name: str
    rows: list[MappingRow]


def read_mapping(path: Path) -> MappingFile:
    """The mapping file's rows (CSV, or XLSX for those who keep it in a workbook)."""
    try:
        with open_table(path) as table:
            headings = [h.casefold() for h in table.headings]
            missing = [h for h in HEADINGS[:2] if h not in headings]
            if missing:
                raise MappingError(
                    path.name,
                    [
                        f"Row 1 must hold the headings {', '.join(HEADINGS)} (code and value "
                        f"may be left out if no column has codes); {' and '.join(missing)} "
                        f"{'is' if len(missing) == 1 else 'are'} missing"
                    ],
                )
            present = [h for h in HEADINGS if h in headings]
            rows = []
            for number, cells in table.rows([headings.index(h) for h in present]):
                found = dict(zip(present, (cell_text(cell) for cell in cells), strict=True))
                rows.append(MappingRow(number, *(found.get(h, "") for h in HEADINGS)))
            return MappingFile(path.name, rows)
    except TableError as error:
        raise MappingError(path.name, [str(error)]) from None


class _Check:
    """The checks of one mapping, each problem noted with the mapping's row it is on."""

    def __init__(self, questionnaire: Questionnaire):
        self.questionnaire = questionnaire
        self.answers = {
            answer.key: (question, answer)
            for page in questionnaire.pages
            for question in page.questions
            for answer in question.answers
        }
        self.grids = {
            q.id: q for page in questionnaire.pages for q in page.questions if q.type == "grid"
        }
        self.by_column: dict[str, ColumnMap] = {}
        self.checks: dict[str, AnswerCheck] = {}
        self.problems: list[tuple[int, str]] = []

    def problem(self, line: int, text: str) -> None:
        self.problems.append((line, text))

    def question_row(self, row: MappingRow) -> None:
        """A row naming the question a column answers."""
        earlier = self.by_column.get(row.column)
        if earlier is not None:
            self.problem(
                row.line,
                f"column {quoted(row.column)} is already mapped to {earlier.key} on row "
                f"{earlier.line}",
            )
            return
        key = row.question
        if key == SUBMITTED_ON:
            self.by_column[row.column] = ColumnMap(row.column, key, row.line)
        elif key in self.answers:
            question, answer = self.answers[key]
            check = self.checks.setdefault(question.id, AnswerCheck(question))
            self.by_column[row.column] = ColumnMap(row.column, key, row.line, answer, check)
        elif key in self.grids:
            items = ", ".join(item["id"] for item in self.grids[key].spec["items"])
            self.problem(row.line, f"{key} is a grid; map a column to each of its items: {items}")
        else:
            guess = difflib.get_close_matches(key, [*self.answers, SUBMITTED_ON], n=1)
            hint = f" (did you mean {guess[0]}?)" if guess else ""
            self.problem(
                row.line,
                f"{quoted(key)} is not a question of {self.questionnaire.slug} "
                f"v{self.questionnaire.version}{hint}; give a question id, a grid item id or "
                f"{SUBMITTED_ON}",
            )

    def code_row(self, row: MappingRow, question_failed: bool) -> None:
        """A row giving a code of a column (or, for a date column, the order of its dates)."""
        column = self.by_column.get(row.column)
        if column is None:
            if not question_failed:  # or its codes would be a second message about one mistake
                self.problem(
                    row.line,
                    f"no row maps column {quoted(row.column)} to a question, so its codes mean "
                    "nothing yet; add a row with the column and its question",
                )
            return
        if column.key == SUBMITTED_ON:
            if row.code:
                self.problem(row.line, "a date column takes no codes")
            elif row.value.upper() not in (DAY_FIRST, MONTH_FIRST):
                self.problem(
                    row.line,
                    f"the value of a date column says the order of its dates, {DAY_FIRST} (the "
                    f"default) or {MONTH_FIRST}; not {quoted(row.value)}",
                )
            else:
                column.date_order = row.value.upper()
            return
        if not row.code:
            self.problem(row.line, f"value {quoted(row.value)} needs a code beside it")
            return
        key = normal_code(row.code)
        where = f"code {quoted(row.code)} of column {quoted(row.column)}"
        if key in column.codes:
            self.problem(row.line, f"{where} is already mapped on row {column.codes[key].line}")
            return
        try:
            column.codes[key] = Code(row.code, _code_value(column, row.value), row.line)
        except CellProblem as problem:
            self.problem(row.line, f"{where}: {problem}")

    def one_column_each(self) -> None:
        """A multiple choice may gather its options from several columns (one 0/1 column per
        option); every other answer comes from one column."""
        first: dict[str, ColumnMap] = {}
        for column in self.by_column.values():
            if column.kind == "options":
                continue
            if column.key in first:
                earlier = first[column.key]
                self.problem(
                    column.line,
                    f"{column.key} is already mapped from column {quoted(earlier.column)} on "
                    f"row {earlier.line}; only a multiple-choice question can take several "
                    "columns",
                )
            else:
                first[column.key] = column

    def place_columns(self, headings: list[str], data_name: str) -> None:
        """Each mapped column's place in the data file, found by its heading."""
        for column in self.by_column.values():
            places = [i for i, heading in enumerate(headings) if heading == column.column]
            if len(places) > 1:
                self.problem(
                    column.line,
                    f"{data_name} has {len(places)} columns headed {quoted(column.column)}; "
                    "give them different headings",
                )
            elif not places:
                same = [h for h in headings if h.casefold() == column.column.casefold()]
                guess = same or difflib.get_close_matches(column.column, headings, n=1)
                hint = f" (did you mean {quoted(guess[0])}?)" if guess else ""
                self.problem(
                    column.line, f"{data_name} has no column headed {quoted(column.column)}{hint}"
                )
            else:
                column.index = places[0]


def check_mapping(
    mapping: MappingFile, questionnaire: Questionnaire, headings: list[str], data_name: str
) -> CheckedMapping:
    """The mapping, checked against the questionnaire and the data file's headings; raises
    MappingError listing every problem found."""
    check = _Check(questionnaire)
    with_question: set[str] = set()  # columns some row gives a question, mapped or not
    for row in mapping.rows:
        if not row.column:
            check.problem(row.line, "give the data file's column heading under 'column'")
        elif row.question:
            with_question.add(row.column)
            check.question_row(row)
        elif not row.code and not row.value:
            check.problem(
                row.line,
                f"say which question column {quoted(row.column)} answers, or leave it out of "
                "the mapping (columns not in the mapping are ignored)",
            )
    for row in mapping.rows:
        if row.column and (row.code or row.value):
            check.code_row(row, question_failed=row.column in with_question)
    check.one_column_each()
    check.place_columns(headings, data_name)
    columns = [c for c in check.by_column.values() if c.key != SUBMITTED_ON]
    if not columns and not check.problems:
        check.problem(1, "no column is mapped to a question")
    if check.problems:
        raise MappingError(
            mapping.name, [f"Row {line}: {text}" for line, text in sorted(check.problems)]
        )
    date_column = next((c for c in check.by_column.values() if c.key == SUBMITTED_ON), None)
    used = {c.check.question.id for c in columns if c.check}
    return CheckedMapping(columns, date_column, {q: check.checks[q] for q in used})


def _code_value(column: ColumnMap, written: str) -> str | None:
    """What a code stands for: an option value (given as the value or its label), a number, or
    nothing (an empty value: not answered)."""
    if not written:
        return None
    assert column.answer is not None and column.check is not None
    if column.kind == "text":
        raise CellProblem(
            "a code of a free-text column can only mean not answered (leave its value empty)"
        )
    if column.kind == "number":
        declined = column.check.decline_field
        if declined and normal_label(written) in column.decline_words:
            return PREFER_NOT_TO_SAY
        _, errors = column.check.check({column.check.question.id: [written]})
        if errors:
            raise CellProblem(
                f"{quoted(written)}: {next(iter(errors.values()))} "
                f"(allowed: {column.check.allowed_number()}, or empty for not answered)"
            )
        return str(int(written.replace(",", "")))
    value = option_lookup(column.answer).get(normal_label(written))
    if value is None:
        raise CellProblem(
            f"{quoted(written)} is not an option of {column.key}; allowed: "
            f"{column.option_list()}, or empty for not answered"
        )
    return value
