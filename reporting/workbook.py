"""The report's tables as an Excel workbook (openpyxl), one sheet per table.

Like the HTML, it reads only the published report dict, so suppressed counts appear as the text
"fewer than 10" (or "withheld") exactly as published, and shares withheld by disclosure control
are written as "withheld" rather than left blank, so that a blank never passes for a zero. Names
staff gave channels and partners are written as text, never as formulas (see spreadsheet_safety).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reporting.model import (
    Change,
    ChannelTable,
    Comparison,
    DimensionResult,
    FlaggedGroup,
    IndicatorResult,
    QuestionResult,
    Report,
    WeightedIndicatorResult,
    WeightedResults,
    Weighting,
)
from reporting.reach import humanise
from reporting.representativeness import FLAG_LABELS
from reporting.spreadsheet_safety import xlsx_row

SHEET_NAME_LENGTH = 31  # Excel's limit
MAX_COLUMN_WIDTH = 60


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    share: bool = False  # formatted as a percentage; None means withheld
    date: bool = False  # an ISO date, written as a date cell


def _sheet_title(title: str, taken: set[str]) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:SHEET_NAME_LENGTH]
    candidate, number = cleaned, 2
    while candidate.lower() in taken:
        suffix = f" {number}"
        candidate = cleaned[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        number += 1
    taken.add(candidate.lower())
    return candidate


def _add_table(
    workbook: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Mapping[str, object]],
) -> None:
    taken = {sheet.title.lower() for sheet in workbook.worksheets}
    sheet = workbook.create_sheet(_sheet_title(title, taken))
    sheet.append([column.header for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = []
        for column in columns:
            value = row.get(column.key)
            if column.share and value is None and column.key in row:
                value = "withheld"
            if column.date and isinstance(value, str):
                value = dt.date.fromisoformat(value)
            values.append(value)
        sheet.append(xlsx_row(sheet, values))
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        if column.share:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                if isinstance(cell.value, float):
                    cell.number_format = "0.0%"
        if column.date:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "d mmmm yyyy"
        elif not column.share:
            # Counts with thousands separators; other numbers (ratios, effective n) to 2 places.
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                if isinstance(cell.value, bool):
                    continue
                if isinstance(cell.value, int):
                    cell.number_format = "#,##0"
                elif isinstance(cell.value, float):
                    cell.number_format = "#,##0.00"
        lengths = [
            len(str(cell.value)) for (cell,) in sheet.iter_rows(min_col=index, max_col=index)
        ]
        width = min(MAX_COLUMN_WIDTH, max(lengths, default=8) + 2)
        # A date shows as "30 November 2026", longer than its stored value.
        sheet.column_dimensions[letter].width = max(width, 18) if column.date else width
    sheet.freeze_panes = "A2"


def _long_date(iso: str | None) -> str | None:
    """A date in the summary's words: "20 October 2026"."""
    if not iso:
        return None
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def _percent(share: float | None) -> str:
    return "withheld" if share is None else f"{share:.1%}"


def _summary_rows(report: Report) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {"item": "Report", "value": report["title"]},
        {"item": "Figures as at", "value": _long_date(report["generated_on"])},
    ]
    survey = report.get("survey")
    if survey:
        rows += [
            {"item": "Survey", "value": f"{survey['title']} (version {survey['version']})"},
            {"item": "Survey status", "value": survey["status"]},
            {"item": "Opened on", "value": _long_date(survey["opened_on"])},
            {"item": "Closed on", "value": _long_date(survey["closed_on"])},
        ]
    fieldwork = report.get("fieldwork")
    if fieldwork:
        rows += [
            {"item": "Responses submitted", "value": fieldwork["submitted"]},
            {"item": "Started, not submitted", "value": fieldwork["in_progress"]},
            {
                "item": "Excluded as suspected",
                "value": report["response_quality"]["excluded"],
            },
            {"item": "First submission", "value": _long_date(fieldwork["first_submission"])},
            {"item": "Last submission", "value": _long_date(fieldwork["last_submission"])},
        ]
    rows += [{"item": "Note", "value": message} for message in report["messages"]]
    summary = report.get("summary")
    if summary:
        rows.append({"item": "Who answered", "value": summary["responses"]})
        for group in summary["missing_groups"]:
            channels = "; ".join(
                f"{c['channel']} ({_percent(c['group_share'])} of its responses)"
                for c in group["best_channels"]
            )
            needed = group["responses_needed"]
            rows.append(
                {
                    "item": f"Missing: {group['group']}",
                    "value": f"{group['flag_label']}: {_percent(group['sample_share'])} of "
                    f"respondents against {_percent(group['population_share'])} of the population"
                    + (f"; about {needed:,} more responses would close the gap" if needed else "")
                    + (f"; reached best by {channels}" if channels else ""),
                }
            )
        for result in summary["headline_results"]:
            share = result["share"]
            rows.append(
                {
                    "item": result["label"] + (" (weighted)" if result["weighted"] else ""),
                    "value": "withheld"
                    if share is None
                    else f"{_percent(share)} ({_percent(result['interval_low'])} to "
                    f"{_percent(result['interval_high'])})",
                }
            )
        rows += [{"item": "Next step", "value": step} for step in summary["next_steps"]]
    rows.append({"item": "Small numbers", "value": report["disclosure"]["rule"]})
    return rows


def _question_rows(questions: Sequence[QuestionResult]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for question in questions:
        for table in question["tables"]:
            for option in table["options"]:
                rows.append(
                    {
                        "question": question["wording"],
                        "item": table["item"] or "",
                        "answered": table["n"],
                        **option,
                    }
                )
    return rows


def _channel_rows(channels: ChannelTable) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {
            **row,
            "status": "Archived" if row["archived"] else "Dormant" if row["dormant"] else "Active",
        }
        for row in channels["rows"]
    ]
    rows.append({"name": "No channel link", "count": channels["untagged"]})
    rows.append({"name": "Unrecognised channel link", "count": channels["unknown_link"]})
    return rows


def _dimension_table(workbook: Workbook, dimension: DimensionResult) -> None:
    if dimension["benchmark"] is None:
        columns = [
            Column("Group", "label"),
            Column("Respondents", "n"),
            Column("Share of those who answered", "sample_share", share=True),
        ]
    else:
        columns = [
            Column("Group", "label"),
            Column("Respondents", "n"),
            Column("Sample share", "sample_share", share=True),
            Column("95% interval, low", "interval_low", share=True),
            Column("95% interval, high", "interval_high", share=True),
            Column("Range the flag is judged on, low", "flag_interval_low", share=True),
            Column("Range the flag is judged on, high", "flag_interval_high", share=True),
            Column("Population share", "population_share", share=True),
            Column("Representation ratio", "representation_ratio"),
            Column("Flag", "flag_label"),
            Column("Responses needed", "responses_needed"),
        ]
    rows = [
        {**row, "flag_label": FLAG_LABELS.get(row.get("flag") or "", row.get("flag"))}
        for row in dimension["categories"]
    ]
    not_stated = {"label": "Did not say", "n": dimension["not_stated"]}
    _add_table(workbook, f"Rep - {dimension['label']}", columns, [*rows, not_stated])


def _group_columns(group: FlaggedGroup) -> dict[str, object]:
    return {
        "dimension": group["dimension_label"],
        "group": group["label"],
        "flag": FLAG_LABELS.get(group["flag"], group["flag"]),
        "n": group["n"],
        "sample_share": group["sample_share"],
        "population_share": group["population_share"],
        "responses_needed": group["responses_needed"],
    }


def _reach_rows(
    groups: Sequence[FlaggedGroup],
    reach: Callable[[FlaggedGroup], Sequence[Mapping[str, Any]]],
    columns: Callable[[Mapping[str, Any]], dict[str, object]],
) -> list[dict[str, object]]:
    """One row per group and channel (or language) reaching it; a group reached by none still
    has its row."""
    rows: list[dict[str, object]] = []
    for group in groups:
        base = _group_columns(group)
        reached = reach(group)
        if not reached:
            rows.append(base)
        rows.extend(
            {
                **base,
                **columns(row),
                "group_count": row["group_count"],
                "group_share": row["group_share"],
            }
            for row in reached
        )
    return rows


def _channel_columns(row: Mapping[str, Any]) -> dict[str, object]:
    return {"channel": row["channel"], "channel_n": row["n"]}


def _language_columns(row: Mapping[str, Any]) -> dict[str, object]:
    return {"language": row["name"], "code": row["language"], "language_n": row["n"]}


GROUP_COLUMNS = [
    Column("Dimension", "dimension"),
    Column("Group", "group"),
    Column("Flag", "flag"),
    Column("Respondents", "n"),
    Column("Sample share", "sample_share", share=True),
    Column("Population share", "population_share", share=True),
    Column("Responses needed", "responses_needed"),
]
INDICATOR_COLUMNS = [
    Column("Indicator", "label"),
    Column("Kind", "kind"),
    Column("Base", "base"),
    Column("Base n", "n"),
    Column("Numerator", "numerator"),
    Column("Unweighted share", "share", share=True),
    Column("95% interval, low", "interval_low", share=True),
    Column("95% interval, high", "interval_high", share=True),
]
WEIGHTED_COLUMNS = [
    Column("Weighted share", "weighted_share", share=True),
    Column("Weighted 95% interval, low", "weighted_interval_low", share=True),
    Column("Weighted 95% interval, high", "weighted_interval_high", share=True),
    Column("Effective n", "effective_n"),
]


def _breakdown_rows(
    indicators: Sequence[IndicatorResult | WeightedIndicatorResult],
    dimension_labels: Mapping[str, str],
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for indicator in indicators:
        for dimension, groups in indicator["breakdowns"].items():
            for group in groups:
                compared = "withheld"
                if group["differs_from_rest"] is not None and (
                    group.get("weighted_share", group["share"]) is not None
                ):
                    compared = (group["direction"] or "no clear difference").capitalize()
                rows.append(
                    {
                        **group,
                        "indicator": indicator["label"],
                        "dimension": dimension_labels.get(dimension, humanise(dimension)),
                        "compared": compared,
                    }
                )
    return rows


def _weighting_tables(workbook: Workbook, weighting: Weighting) -> None:
    summary: list[dict[str, object]] = [
        {"item": "Weighted", "value": "yes" if weighting["weighted"] else "no"},
        {"item": "Method", "value": weighting["method"]},
        {"item": "Weight cap (times the mean)", "value": weighting["cap"]},
        {"item": "Converged", "value": weighting["converged"]},
        {"item": "Passes", "value": weighting["iterations"]},
        {"item": "Largest margin error", "value": weighting["max_margin_error"]},
        {"item": "Design effect", "value": weighting["design_effect"]},
        {"item": "Effective sample size", "value": weighting["effective_n"]},
        {"item": "Problem", "value": weighting["problem"]},
    ]
    summary += [
        {
            "item": f"Merged: {m['dimension_label']}",
            "value": f"{m['label']} with {m['merged_into_label']}",
        }
        for m in weighting["merged_categories"]
    ]
    summary += [
        {"item": f"Not used: {d['label']}", "value": d["reason"]} for d in weighting["not_used"]
    ]
    _add_table(workbook, "Weighting", [Column("Item", "item"), Column("Value", "value")], summary)
    margins = [
        {**row, "dimension": dimension["label"], "source": dimension["source"]}
        for dimension in weighting["dimensions"]
        for row in dimension["categories"]
    ]
    _add_table(
        workbook,
        "Weighting margins",
        [
            Column("Dimension", "dimension"),
            Column("Group", "label"),
            Column("Population share", "population_share", share=True),
            Column("Weighted share", "weighted_share", share=True),
            Column("Census source", "source"),
        ],
        margins,
    )


def _change_rows(comparison: Comparison) -> list[dict[str, object]]:
    """Every compared share of both waves, with the change in percentage points."""

    def points(value: float | None) -> float | None:
        return None if value is None else round(value * 100, 2)

    def row(part: str, question: str, item: str | None, change: Change) -> dict[str, object]:
        verdict = "withheld"
        if change["change"] is not None:
            verdict = (
                f"Yes: {change['direction']}" if change["significant"] else "No significant change"
            )
        return {
            "part": part,
            "question": question,
            "item": item,
            "label": change["label"],
            "previous_share": change["previous_share"],
            "current_share": change["current_share"],
            "change": points(change["change"]),
            "change_low": points(change["change_low"]),
            "change_high": points(change["change_high"]),
            "significant": verdict,
        }

    rows = [row("Headline indicator", "", None, c) for c in comparison["indicators"]]
    for question in comparison["questions"]:
        for change in question["changes"]:
            rows.append(row("Question", question["wording"], question["item"], change))
    return rows


def _comparison_tables(workbook: Workbook, comparison: Comparison) -> None:
    wave = comparison["previous"]["wave"]
    _add_table(
        workbook,
        f"Change since wave {wave}",
        [
            Column("Part", "part"),
            Column("Question", "question"),
            Column("Item", "item"),
            Column("Indicator or answer", "label"),
            Column(f"Wave {wave} share", "previous_share", share=True),
            Column("This wave's share", "current_share", share=True),
            Column("Change (percentage points)", "change"),
            Column("95% interval of the change, low (points)", "change_low"),
            Column("95% interval of the change, high (points)", "change_high"),
            Column("Significant (Holm, 5%)", "significant"),
        ],
        _change_rows(comparison),
    )
    if not comparison["not_compared"]:
        return
    _add_table(
        workbook,
        "Not compared",
        [Column("Indicator or question", "label"), Column("Why not", "reason")],
        comparison["not_compared"],
    )


def _final_parts(report: Report) -> tuple[Weighting, WeightedResults] | None:
    """The final report's weighting and weighted results (None for the interim report)."""
    if report["kind"] != "final":
        return None
    weighting, weighted_results = report["weighting"], report["weighted_results"]
    # Both are None only when there is no survey, and then there are no tables to write.
    if weighting is None or weighted_results is None:
        return None
    return weighting, weighted_results


def render_xlsx(report: Report, path: Path) -> Path:
    """Write the report's tables to an .xlsx workbook at path."""
    workbook = Workbook()
    first_sheet = workbook.active
    assert first_sheet is not None, "a new workbook has one sheet"
    workbook.remove(first_sheet)
    item_columns = [Column("Item", "item"), Column("Value", "value")]
    _add_table(workbook, "Summary", item_columns, _summary_rows(report))
    if report.get("survey") is not None:
        _add_table(
            workbook,
            "Fieldwork by day",
            [Column("Date submitted", "date", date=True), Column("Responses", "count")],
            report["fieldwork"]["by_day"],
        )
        _add_table(
            workbook,
            "Channels",
            [
                Column("Channel", "name"),
                Column("Partner", "partner"),
                Column("Responses", "count"),
                Column(f"Last {report['channels']['recent_days']} days", "last_7_days"),
                Column("Status", "status"),
            ],
            _channel_rows(report["channels"]),
        )
        _add_table(
            workbook,
            "Languages",
            [
                Column("Language", "name"),
                Column("Language code", "language"),
                Column("Responses", "count"),
            ],
            report["languages"]["rows"],
        )
        dimension_labels = {}
        for dimension in report["representativeness"]["dimensions"]:
            dimension_labels[dimension["dimension"]] = dimension["label"]
            _dimension_table(workbook, dimension)
        flagged = report["representativeness"]["flagged_groups"]
        _add_table(
            workbook,
            "Groups to reach",
            [
                *GROUP_COLUMNS,
                Column("Channel", "channel"),
                Column("Channel respondents who answered", "channel_n"),
                Column("Of them in this group", "group_count"),
                Column("Share in this group", "group_share", share=True),
            ],
            _reach_rows(flagged, lambda group: group["channel_reach"], _channel_columns),
        )
        _add_table(
            workbook,
            "Groups to reach by language",
            [
                *GROUP_COLUMNS,
                Column("Language", "language"),
                Column("Language code", "code"),
                Column("Respondents in it who answered", "language_n"),
                Column("Of them in this group", "group_count"),
                Column("Share in this group", "group_share", share=True),
            ],
            _reach_rows(flagged, lambda group: group["language_reach"], _language_columns),
        )
        final_parts = _final_parts(report)
        final = final_parts is not None
        indicators: Sequence[IndicatorResult | WeightedIndicatorResult]
        indicators = report["early_results"]["indicators"]
        if final_parts is not None:
            weighting, weighted_results = final_parts
            _weighting_tables(workbook, weighting)
            indicators = weighted_results["indicators"]
            comparison = report.get("comparison") if report["kind"] == "final" else None
            if comparison:
                _comparison_tables(workbook, comparison)
        columns = INDICATOR_COLUMNS + (WEIGHTED_COLUMNS if final else [])
        _add_table(workbook, "Indicators", columns, indicators)
        breakdown_columns = [
            Column("Indicator", "indicator"),
            Column("Dimension", "dimension"),
            Column("Group", "label"),
            Column("Base n", "n"),
            Column("Unweighted share", "share", share=True),
            *(WEIGHTED_COLUMNS[:3] if final else INDICATOR_COLUMNS[6:]),
            Column("Compared with the rest", "compared"),
        ]
        headline = [row for row in indicators if row["kind"] == "headline"]
        _add_table(
            workbook, "Breakdowns", breakdown_columns, _breakdown_rows(headline, dimension_labels)
        )
        weighted_questions = bool(report["questions"]) and report["questions"][0]["weighted"]
        _add_table(
            workbook,
            "Questions",
            [
                Column("Question", "question"),
                Column("Item", "item"),
                Column("Answered", "answered"),
                Column("Answer", "label"),
                Column("Chose it", "numerator"),
                Column("Share", "share", share=True),
                Column("95% interval, low", "interval_low", share=True),
                Column("95% interval, high", "interval_high", share=True),
                *(WEIGHTED_COLUMNS[:3] if weighted_questions else []),
            ],
            _question_rows(report["questions"]),
        )
    workbook.save(path)
    return path
