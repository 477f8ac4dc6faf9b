"""The interim and final reports as JSON, one self-contained HTML page, PDF and XLSX.

Rendering is the last step and reads only the published report dict from reporting.interim or
reporting.final, so it can show nothing that disclosure control has not passed. The PDF is
the same HTML laid out for print by WeasyPrint (the page rules live in the template's
stylesheet), so the two can never disagree.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypedDict

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from reporting import charts
from reporting.final import FLAG_RULE, INTERVALS
from reporting.interim import DIMENSION_LABELS
from reporting.model import Report
from reporting.reach import humanise
from reporting.representativeness import FLAG_LABELS
from reporting.workbook import render_xlsx

__all__ = ["render_html", "render_json", "render_pdf", "render_xlsx"]

TEMPLATES = Path(__file__).with_name("templates")


def render_json(report: Report) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


def _count(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _percent(value: float | None, digits: int = 1) -> str:
    return "withheld" if value is None else f"{value * 100:.{digits}f}%"


def _number(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def _date(value: str | dt.date | None) -> str:
    """An ISO date as people write it: "20 October 2026"."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


def _points(value: float | None) -> str:
    """A change in a share, in percentage points, signed: "+4.8", "−0.9", "0.0"."""
    if value is None:
        return "withheld"
    points = round(value * 100, 1)
    if points == 0:
        return "0.0"
    return f"{'+' if points > 0 else '−'}{abs(points):.1f}"


def _p_value(value: float | None) -> str:
    if value is None:
        return "not tested"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        count=_count,
        percent=_percent,
        points=_points,
        number=_number,
        p_value=_p_value,
        date=_date,
        # "Disability (Equality Act)" inside a sentence: "disability (Equality Act)".
        lower_first=lambda text: text[:1].lower() + text[1:],
        flag=lambda flag: FLAG_LABELS.get(flag, humanise(flag)),
        humanise=humanise,
    )
    return environment


class ChartMarkup(TypedDict):
    svg: Markup
    alt: str


class ReportCharts(TypedDict):
    weighted_indicators: ChartMarkup | None
    over_time: ChartMarkup | None
    channels: ChartMarkup | None
    dimensions: dict[str, ChartMarkup | None]
    indicators: ChartMarkup | None


def _charts(report: Report) -> ReportCharts:
    """Inline SVG for each chart; the SVG comes from matplotlib, which escapes its text."""

    def markup(chart: charts.Chart | None) -> ChartMarkup | None:
        return None if chart is None else {"svg": Markup(chart.svg), "alt": chart.alt}

    if report.get("survey") is None:
        return {
            "over_time": None,
            "channels": None,
            "dimensions": {},
            "indicators": None,
            "weighted_indicators": None,
        }
    headline = [row for row in report["early_results"]["indicators"] if row["kind"] == "headline"]
    weighted = None
    # A final report with a survey always has its weighted results.
    if report["kind"] == "final" and report["weighted_results"] is not None:
        weighted_headline = [
            row for row in report["weighted_results"]["indicators"] if row["kind"] == "headline"
        ]
        weighted = markup(charts.weighted_indicators_with_intervals(weighted_headline))
    return {
        "weighted_indicators": weighted,
        "over_time": markup(charts.responses_over_time(report["fieldwork"]["by_day"])),
        "channels": markup(charts.responses_by_channel(report["channels"]["rows"])),
        "dimensions": {
            dimension["dimension"]: markup(charts.sample_against_population(dimension))
            for dimension in report["representativeness"]["dimensions"]
        },
        # The final report shows indicators only in its weighted chart.
        "indicators": None
        if weighted is not None
        else markup(charts.indicators_with_intervals(headline)),
    }


SECTIONS = {
    "interim": [
        ("summary", "Summary"),
        ("representativeness", "Who took part"),
        ("groups-to-reach", "Groups to reach"),
        ("early-results", "Early results"),
        ("breakdowns", "Early results by group"),
        ("questions", "What residents said, question by question"),
        ("channels", "How residents heard about the survey"),
        ("fieldwork", "Fieldwork"),
        ("appendix", "Appendix: how the figures were made"),
    ],
    "final": [
        ("summary", "Summary"),
        ("representativeness", "Who took part"),
        ("groups-to-reach", "Groups the survey missed"),
        ("weighted-results", "Results"),
        ("breakdowns", "Results by group"),
        ("questions", "What residents said, question by question"),
        ("channels", "How residents heard about the survey"),
        ("fieldwork", "Fieldwork"),
        ("appendix", "Appendix: weighting and methodology"),
    ],
}


def _sections(report: Report) -> list[tuple[str, str]]:
    sections = list(SECTIONS[report["kind"]])
    comparison = report.get("comparison") if report["kind"] == "final" else None
    if comparison:
        after = sections.index(("weighted-results", "Results")) + 1
        sections.insert(after, ("change", f"Change since wave {comparison['previous']['wave']}"))
    return sections


def render_html(report: Report) -> str:
    """The report as one self-contained page (both kinds); the same page prints as the PDF."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        charts=_charts(report),
        dimension_labels=DIMENSION_LABELS,
        sections=_sections(report),
        method_texts={"flag_rule": FLAG_RULE, "intervals": INTERVALS},
    )


def render_pdf(report: Report, path: Path, *, html: str | None = None) -> Path:
    """The HTML report laid out on A4 pages, with numbered pages and a contents list.

    html: the page render_html already made for this report, to save drawing the charts twice.
    """
    with _quiet_weasyprint():
        # Imported here: WeasyPrint loads Pango, fonts and its own stylesheets, which the JSON
        # and HTML paths never need.
        from weasyprint import HTML

        HTML(string=html if html is not None else render_html(report)).write_pdf(path)
    return path


@contextmanager
def _quiet_weasyprint() -> Iterator[None]:
    """WeasyPrint logs each step it takes, and a warning for every SVG style property of
    matplotlib's it reads another way (hundreds per report, none of them a fault in the
    PDF): only its errors are worth the reader's attention."""
    names = ("weasyprint", "weasyprint.progress", "fontTools")
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
