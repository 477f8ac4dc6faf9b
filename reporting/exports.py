"""Exports of submitted responses for the analyst: CSV, XLSX or SPSS (.sav), with a dictionary.

One row per submitted response, in the order received. Answers are numeric codes (an option's
position in the question, from 1). A multiple-choice question becomes one 0/1 column per option.
The data dictionary has one entry per column, in the columns' order, with every code's label: it
is made from the same list of variables as the columns. What residents wrote in their own words
is left out unless asked for, as it may name people. Nothing identifying is exported: no session
token hash, no reference, no dates other than the day started and the day submitted. No text
becomes a formula in a spreadsheet program: in the CSV, text starting with "=", "+", "-", "@", a
tab or a carriage return is written behind a single quote (see spreadsheet_safety).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select
from sqlalchemy.engine import Engine

from .answer_keys import definition_answer_keys
from .errors import Refused
from .interim import DIMENSION_LABELS
from .queries import (
    DERIVED_DIMENSIONS,
    SUBMITTED,
    channels,
    counted,
    find_survey,
    partners,
    responses,
    status_counts,
)
from .spreadsheet_safety import csv_row, xlsx_row
from .survey_weights import SurveyWeights, compute_survey_weights

if TYPE_CHECKING:
    from pyreadstat.pyclasses import MissingRange

# Reads a variable's value from a response's answers.
Reader = Callable[[Mapping[str, Any]], Any]

FORMATS = ("csv", "xlsx", "sav")
PREFER_NOT_TO_SAY_CODE = -1
SPSS_NAME_LIMIT = 64
SPSS_LABEL_BYTES = 256  # SPSS keeps no more of a variable label


@dataclass(frozen=True)
class Variable:
    """One column of the export, and its entry in the data dictionary."""

    name: str
    label: str
    kind: str  # "code", "flag", "number", "text", "date"
    codes: dict[int, str] = field(default_factory=dict)
    # From a response's answers to the exported value. None: not an answer, so `_rows` takes
    # the value from the response itself (channel, dates, census categories, weight...).
    read: Reader | None = None


def _as_given(key: str) -> Reader:
    """Reads the answer to `key` as the resident gave it (free text)."""
    return lambda answers: answers.get(key)


def _coded(options: Sequence[Mapping[str, Any]], key: str, label: str) -> Variable:
    code_of = {o["value"]: position for position, o in enumerate(options, start=1)}
    return Variable(
        key,
        label,
        "code",
        {code_of[o["value"]]: o["label"] for o in options},
        lambda answers: code_of.get(answers.get(key)),
    )


def questionnaire_variables(definition: Mapping[str, Any], *, free_text: bool) -> list[Variable]:
    variables: list[Variable] = []
    for answer in definition_answer_keys(definition):
        key = answer.key
        if answer.kind == "option":
            variables.append(_coded(answer.options, key, answer.label))
        elif answer.kind == "options":
            for option in answer.options:
                # SPSS names stop at 64 characters; every format uses the same names.
                name = f"{key}__{option['value']}"[:SPSS_NAME_LIMIT]

                def chosen(
                    answers: Mapping[str, Any], key: str = key, value: str = option["value"]
                ) -> int | None:
                    if key not in answers:
                        return None
                    return int(value in answers[key])

                variables.append(
                    Variable(
                        name,
                        f"{answer.label} {option['label']}",
                        "flag",
                        {0: "Not chosen", 1: "Chosen"},
                        chosen,
                    )
                )
        elif answer.kind == "number":

            def number(answers: Mapping[str, Any], key: str = key) -> Any:
                value = answers.get(key)
                return PREFER_NOT_TO_SAY_CODE if value == "prefer_not_to_say" else value

            codes = {PREFER_NOT_TO_SAY_CODE: "Prefer not to say"}
            variables.append(Variable(key, answer.label, "number", codes, number))
        elif free_text:
            variables.append(Variable(key, answer.label, "text", {}, _as_given(key)))
    return variables


# The columns before the answers. Every column the export writes is a Variable, so the header,
# the values and the dictionary come from one list and cannot disagree.
FIXED_VARIABLES = (
    Variable("respondent", "Respondent number in this export (not stored anywhere)", "number"),
    Variable("survey_version", "Version of the questionnaire the resident answered", "number"),
    Variable("channel", "Channel link the resident used (blank: none or unknown)", "text"),
    Variable("partner", "Partner organisation whose channel it is (blank: none)", "text"),
    Variable(
        "language",
        "Language the resident answered in, as an ISO 639 code such as en (English), pl "
        "(Polish), ro (Romanian) or ur (Urdu); answers are coded the same in every language",
        "text",
    ),
    Variable(
        "source",
        "How the response came in: online, paper, demo (synthetic) or imported (a wave run "
        "elsewhere)",
        "text",
    ),
    Variable("started_on", "Day the resident started the survey", "date"),
    Variable("submitted_on", "Day the resident submitted the survey", "date"),
    Variable("utm_source", "Where the link was shared, as tagged in it (utm_source)", "text"),
    Variable("utm_medium", "Kind of link or medium, as tagged in it (utm_medium)", "text"),
    Variable("utm_campaign", "Campaign named in the link (utm_campaign)", "text"),
)
# Several census dimensions share a name with the question they come from (sex, ward...), so
# their columns carry a prefix.
CENSUS_VARIABLES = tuple(
    Variable(
        f"census_{d}",
        f"{DIMENSION_LABELS[d]}: category derived from the answers, as the reports count it",
        "text",
    )
    for d in DERIVED_DIMENSIONS
)
CENSUS_COLUMNS = tuple(v.name for v in CENSUS_VARIABLES)
WEIGHT_VARIABLE = Variable("weight", "Raking weight to Census 2021 margins (mean 1)", "number")


def export_variables(
    definition: Mapping[str, Any], *, free_text: bool, weighted: bool
) -> list[Variable]:
    """Every column of the export, in order."""
    variables = [
        *FIXED_VARIABLES,
        *questionnaire_variables(definition, free_text=free_text),
        *CENSUS_VARIABLES,
        *([WEIGHT_VARIABLE] if weighted else []),
    ]
    names = [v.name for v in variables]
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        # A question id equal to a fixed column's name would give two columns one name.
        raise ValueError(f"Export columns named twice: {', '.join(doubled)}")
    return variables


def _rows(
    engine: Engine, survey_id: int, variables: list[Variable], weights: SurveyWeights | None
) -> Iterator[list[Any]]:
    query = (
        select(
            responses.c.id,
            channels.c.slug,
            partners.c.name,
            responses.c.language,
            responses.c.source,
            responses.c.started_on,
            responses.c.submitted_on,
            responses.c.utm_source,
            responses.c.utm_medium,
            responses.c.utm_campaign,
            responses.c.answers,
            *(responses.c[d] for d in DERIVED_DIMENSIONS),
        )
        .select_from(
            responses.outerjoin(channels, responses.c.channel_id == channels.c.id).outerjoin(
                partners, channels.c.partner_id == partners.c.id
            )
        )
        .where(counted(survey_id))
        .order_by(responses.c.id)
    )
    survey = find_survey(engine, survey_id)
    if survey is None:
        raise Refused(f"No survey {survey_id} is loaded")
    version = survey["version"]
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=10_000).execute(query)
        for number, row in enumerate(result, start=1):
            answers = row.answers or {}
            record = {
                "respondent": number,
                "survey_version": version,
                "channel": row.slug or "",
                "partner": row.name or "",
                "language": row.language,
                "source": row.source,
                "started_on": row.started_on,
                "submitted_on": row.submitted_on,
                "utm_source": row.utm_source,
                "utm_medium": row.utm_medium,
                "utm_campaign": row.utm_campaign,
                **{f"census_{d}": getattr(row, d) for d in DERIVED_DIMENSIONS},
            }
            if weights is not None:
                # Weighting reads the census columns by name, one of the keys a row's mapping has.
                values = cast(Mapping[str, str | None], row._mapping)
                record["weight"] = weights.weight_for(values)
            yield [record[v.name] if v.read is None else v.read(answers) for v in variables]


def dictionary_rows(variables: list[Variable]) -> list[list[Any]]:
    """One entry per column, in the export's order, each followed by its codes' labels."""
    rows: list[list[Any]] = []
    for variable in variables:
        rows.append([variable.name, variable.label, "", ""])
        rows += [[variable.name, "", code, text] for code, text in variable.codes.items()]
    return rows


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    weighted: bool
    dictionary_path: Path | None


EXPORT_PROGRESS_EVERY = 1000  # rows between reports of progress


def export_responses(
    engine: Engine,
    out: Path,
    *,
    fmt: str,
    survey_id: int | None = None,
    free_text: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> ExportResult:
    """Write the survey's counted responses to `out`, with a data dictionary beside it.

    `progress` is told the rows written so far, of how many, every EXPORT_PROGRESS_EVERY rows
    and at the end."""
    if fmt not in FORMATS:
        raise Refused(f"Format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    survey = find_survey(engine, survey_id)
    if survey is None:
        raise Refused("No survey is loaded")
    weights = None
    if survey["status"] == "closed":
        computed = compute_survey_weights(engine, survey["id"])
        weights = computed if computed.result is not None else None
    variables = export_variables(
        survey["definition"], free_text=free_text, weighted=weights is not None
    )
    header = [v.name for v in variables]
    rows = _rows(engine, survey["id"], variables, weights)
    if progress is not None:
        total = status_counts(engine, survey["id"])[SUBMITTED]
        rows = _telling(rows, total, progress)
    dictionary = dictionary_rows(variables)
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = {"csv": _write_csv, "xlsx": _write_xlsx, "sav": _write_sav}[fmt]
    count, dictionary_path = writer(out, header, rows, dictionary, variables)
    return ExportResult(out, count, weights is not None, dictionary_path)


def _telling(
    rows: Iterator[list[Any]], total: int, progress: Callable[[int, int, str], None]
) -> Iterator[list[Any]]:
    done = 0
    progress(0, total, "Writing the responses")
    for done, row in enumerate(rows, start=1):
        yield row
        if done % EXPORT_PROGRESS_EVERY == 0:
            progress(done, total, "Writing the responses")
    progress(done, max(total, done), "Done")


def _write_csv(
    out: Path,
    header: list[str],
    rows: Iterator[list[Any]],
    dictionary: list[list[Any]],
    variables: list[Variable],
) -> tuple[int, Path]:
    count = 0
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(csv_row(header))
        for row in rows:
            writer.writerow(csv_row(row))
            count += 1
    dictionary_path = out.with_name(f"{out.stem}_dictionary.csv")
    with dictionary_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["variable", "label", "code", "code_label"])
        writer.writerows(csv_row(line) for line in dictionary)
    return count, dictionary_path


def _write_xlsx(
    out: Path,
    header: list[str],
    rows: Iterator[list[Any]],
    dictionary: list[list[Any]],
    variables: list[Variable],
) -> tuple[int, None]:
    from openpyxl import Workbook

    # Write-only mode streams rows to disk, so a large export never sits in memory whole.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Responses")
    sheet.append(xlsx_row(sheet, header))
    count = 0
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
        count += 1
    dictionary_sheet = workbook.create_sheet("Dictionary")
    dictionary_sheet.append(["variable", "label", "code", "code_label"])
    for line in dictionary:
        dictionary_sheet.append(xlsx_row(dictionary_sheet, line))
    workbook.save(out)
    return count, None


def _spss_label(label: str) -> str:
    """The label cut to what SPSS keeps, between characters, never inside one."""
    return label.encode()[:SPSS_LABEL_BYTES].decode("utf-8", errors="ignore")


def _write_sav(
    out: Path,
    header: list[str],
    rows: Iterator[list[Any]],
    dictionary: list[list[Any]],
    variables: list[Variable],
) -> tuple[int, None]:
    # The SAV holds the dictionary as SPSS metadata: variable labels and value labels.
    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame(list(rows), columns=header)
    for variable in variables:
        if variable.kind == "date":
            frame[variable.name] = pd.to_datetime(frame[variable.name])
        elif variable.kind in ("code", "flag", "number"):
            frame[variable.name] = pd.to_numeric(frame[variable.name]).astype("float64")
    labels: dict[str, str | None] = {v.name: _spss_label(v.label) for v in variables}
    value_labels = {v.name: {float(c): t for c, t in v.codes.items()} for v in variables if v.codes}
    # "Prefer not to say" is an answer, but no number: SPSS leaves it out of means and sums.
    missing: dict[str, list[int | float | str | MissingRange]] = {
        v.name: [float(PREFER_NOT_TO_SAY_CODE)]
        for v in variables
        if v.kind == "number" and PREFER_NOT_TO_SAY_CODE in v.codes
    }
    pyreadstat.write_sav(
        frame,
        out,
        file_label="SaferMK residents' survey",
        column_labels=labels,
        variable_value_labels=value_labels,
        missing_ranges=missing,
    )
    return len(frame), None
