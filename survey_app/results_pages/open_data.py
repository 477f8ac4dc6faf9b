"""The published figures of a wave as open data: a CSV with one row per figure.

Percentages are given to one decimal place (the page rounds them to whole numbers) and changes
in percentage points; a count is written as published, so a suppressed one reads "fewer than
10" or "withheld", and a share withheld with it reads "withheld". UTF-8 with a byte order mark,
so Excel opens it with its dashes and accented letters intact.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

from .view import COMPARED_WITH_CENSUS

COLUMNS = (
    "section",
    "measure",
    "group",
    "base",
    "unit",
    "value",
    "interval_low",
    "interval_high",
    "previous_value",
    "change",
    "change_low",
    "change_high",
    "change_beyond_chance",
    "note",
)
WITHHELD = "withheld"


def _percent(share: float | None) -> float | str:
    """A published share as a percentage to one decimal place; "withheld" where it is not."""
    return WITHHELD if share is None else round(100 * share, 1)


def _figure(share: float | None) -> float | None:
    """An interval's end or a change, in percentage points; blank where there is none."""
    return None if share is None else round(100 * share, 1)


def _row(**values: Any) -> dict[str, Any]:
    return {column: values.get(column) for column in COLUMNS}


def _fieldwork(figures: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    survey, fieldwork = figures["survey"], figures["fieldwork"]
    for measure, value in (
        ("Survey opened", survey.get("opened_on")),
        ("Survey closed", survey.get("closed_on")),
        ("First response", fieldwork["first_submission"]),
        ("Last response", fieldwork["last_submission"]),
    ):
        if value:
            yield _row(section="Fieldwork", measure=measure, unit="date", value=value)
    yield _row(
        section="Fieldwork",
        measure="Residents who took part",
        unit="respondents",
        value=fieldwork["submitted"],
    )


def _headline(figures: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    comparison = figures.get("comparison") or {}
    changes = comparison.get("changes", {})
    reasons = {row["label"]: row["reason"] for row in comparison.get("not_compared", [])}
    weighted = "weighted to the census" if figures["weighted"] else "unweighted"
    for row in figures["headline"]:
        change = changes.get(row["key"])
        values: dict[str, Any] = {}
        if change is not None:
            values = {
                "previous_value": _percent(change["previous_share"]),
                "change": _figure(change["change"]),
                "change_low": _figure(change["low"]),
                "change_high": _figure(change["high"]),
                "change_beyond_chance": (
                    None
                    if change["significant"] is None
                    else "yes"
                    if change["significant"]
                    else "no"
                ),
            }
        yield _row(
            section="Headline indicators",
            measure=row["label"],
            base=row["base"],
            unit="percent",
            value=_percent(row["share"]),
            interval_low=_figure(row["low"]),
            interval_high=_figure(row["high"]),
            note=reasons.get(row["label"], weighted),
            **values,
        )


def _priorities(figures: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    priorities = figures["priorities"]
    for row in priorities["options"]:
        yield _row(
            section="Priorities for the partnership",
            measure=row["label"],
            base=priorities["base"],
            unit="percent",
            value=_percent(row["share"]),
            interval_low=_figure(row["low"]),
            interval_high=_figure(row["high"]),
        )


def _who_took_part(figures: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for dimension in figures["who_took_part"]:
        for row in dimension["categories"]:
            group = f"{dimension['label']}: {row['label']}"
            section = "Who took part"
            yield _row(
                section=section,
                measure="Respondents",
                group=group,
                unit="respondents",
                value=row["n"],
            )
            yield _row(
                section=section,
                measure="Share of respondents",
                group=group,
                base=f"Respondents who gave their {dimension['label'].lower()}",
                unit="percent",
                value=_percent(row["sample_share"]),
                note=COMPARED_WITH_CENSUS.get(row["flag"] or ""),
            )
            yield _row(
                section=section,
                measure="Share of population",
                group=group,
                base=dimension["source"],
                unit="percent",
                value=_percent(row["population_share"]),
            )


def rows(figures: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        *_fieldwork(figures),
        *_headline(figures),
        *_priorities(figures),
        *_who_took_part(figures),
    ]


def csv_text(figures: Mapping[str, Any]) -> str:
    """The CSV's text, starting with the byte order mark."""
    from reporting.spreadsheet_safety import csv_row  # brings openpyxl: only when asked for

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows(figures):
        writer.writerow(csv_row(row[column] for column in COLUMNS))
    return "\ufeff" + buffer.getvalue()


def file_name(slug: str, wave: int) -> str:
    return f"{slug}-wave{wave}-results.csv"
