"""Report files: the PDF, the Excel workbook and write_report, which writes every format."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.final import build_final_report
from reporting.generate import write_report
from reporting.interim import build_interim_report
from reporting.render import render_pdf, render_xlsx
from survey_app.extensions import db

from .demo_data import add_response, seed_demo

FIGURES_DAY = dt.date(2026, 11, 25)


def pdf_text(path: Path) -> str:
    # Whitespace normalised: table cells and long labels wrap across lines in the PDF.
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"\s+", " ", text)


def test_final_pdf_has_numbered_pages_contents_and_the_flagged_groups(
    app: Flask, tmp_path: Path
) -> None:
    with app.app_context():
        seed_demo(1500)
        report = build_final_report(db.engine)

        path = render_pdf(report, tmp_path / "final.pdf")

        pages = PdfReader(path).pages
        text = pdf_text(path)
        assert "Page 1 of " in pages[0].extract_text()
        assert f"Page {len(pages)} of {len(pages)}" in pages[-1].extract_text()
        assert "Summary" in pages[0].extract_text()
        assert any("Contents" in page.extract_text() for page in pages[:3])
        flagged = report["representativeness"]["flagged_groups"]
        assert flagged
        for group in flagged:
            assert group["name"] in text
            assert ": Aged " not in group["name"]
        assert "Methodology" in text and "Design effect" in text


def test_first_two_pages_of_the_interim_pdf_say_who_is_missing_and_how_to_reach_them(
    app: Flask, tmp_path: Path
) -> None:
    with app.app_context():
        seed_demo(1500)
        report = build_interim_report(db.engine)
        path = render_pdf(report, tmp_path / "interim.pdf")

    first_two = re.sub(
        r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(path).pages[:2])
    )
    missing = report["summary"]["missing_groups"]
    assert any(group["flag"] == "under_represented" for group in missing)
    for group in missing:
        assert group["group"] in first_two
        assert f"{group['responses_needed']:,}" in first_two
        for channel in group["best_channels"]:
            assert channel["channel"] in first_two
    assert "What to do next" in first_two


def test_workbook_has_a_sheet_per_table_and_writes_small_counts_as_text(
    app: Flask, tmp_path: Path
) -> None:
    with app.app_context():
        for _ in range(30):
            add_response(channel_slug="mk-council", age_band="45-54", sex="female")
        for _ in range(4):
            add_response(channel_slug="facebook", age_band="16-24", sex="male")
        report = build_final_report(db.engine)

        workbook = load_workbook(render_xlsx(report, tmp_path / "final.xlsx"))

        for sheet in (
            "Summary",
            "Fieldwork by day",
            "Channels",
            "Rep - Age",
            "Rep - Ethnic group",
            "Groups to reach",
            "Weighting",
            "Weighting margins",
            "Indicators",
            "Breakdowns",
        ):
            assert sheet in workbook.sheetnames
        age = {row[0]: row for row in workbook["Rep - Age"].iter_rows(values_only=True)}
        assert age["Aged 16 to 24"][1] == "fewer than 10"
        assert age["Aged 16 to 24"][2] == "withheld"
        channels = {row[0]: row for row in workbook["Channels"].iter_rows(values_only=True)}
        assert channels["Facebook and other online routes"][2] == "fewer than 10"
        header = workbook["Indicators"][1]
        assert all(cell.font.bold for cell in header)
        assert "Weighted share" in [cell.value for cell in header]
        assert workbook["Channels"].column_dimensions["A"].width > 10


def test_interim_workbook_has_no_weighting_sheets(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        seed_demo(200)

        workbook = load_workbook(render_xlsx(build_interim_report(db.engine), tmp_path / "i.xlsx"))

        assert "Weighting" not in workbook.sheetnames
        assert "Weighted share" not in [cell.value for cell in workbook["Indicators"][1]]


@pytest.mark.parametrize("kind", ["interim", "final"])
def test_write_report_writes_every_format_named_after_survey_kind_and_day(
    app: Flask, tmp_path: Path, kind: str
) -> None:
    with app.app_context():
        seed_demo(200)

        paths = write_report(db.engine, kind, tmp_path / "out", today=FIGURES_DAY)

        stem = f"safermk-perceptions-wave1-{kind}-2026-11-25"
        assert [path.name for path in paths] == [
            f"{stem}.{extension}" for extension in ("html", "pdf", "json", "xlsx")
        ]
        assert all(path.stat().st_size > 0 for path in paths)
        assert json.loads(paths[2].read_text(encoding="utf-8"))["kind"] == kind
        assert paths[1].read_bytes().startswith(b"%PDF")
        load_workbook(paths[3])


def test_write_report_writes_only_the_formats_asked_for(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        paths = write_report(db.engine, "final", tmp_path, formats=["json"], today=FIGURES_DAY)

        assert [path.suffix for path in paths] == [".json"]
        assert list(tmp_path.iterdir()) == paths


@pytest.mark.parametrize(
    ("kind", "formats", "message"),
    [
        ("annual", ("html",), "Unknown report kind 'annual': choose 'interim' or 'final'"),
        ("final", ("html", "docx"), "Unknown report format(s) 'docx': choose from html, pdf"),
        ("interim", (), "No report format given"),
    ],
)
def test_write_report_refuses_an_unknown_kind_or_format_clearly(
    tmp_path: Path, kind: str, formats: tuple[str, ...], message: str
) -> None:
    with pytest.raises(ValueError) as error:
        write_report(None, kind, tmp_path, formats=formats)  # type: ignore[arg-type]

    assert message in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_the_summary_leads_the_workbook_and_the_json(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        seed_demo(1000)
        paths = write_report(db.engine, "interim", tmp_path, ["json", "xlsx"])
    report = json.loads(next(p for p in paths if p.suffix == ".json").read_text())
    summary = report["summary"]
    assert summary["missing_groups"] and summary["next_steps"]
    workbook = load_workbook(next(p for p in paths if p.suffix == ".xlsx"))
    first = workbook.worksheets[0]
    assert first.title == "Summary"
    rows = {row[0]: row[1] for row in first.iter_rows(min_row=2, values_only=True)}
    for group in summary["missing_groups"]:
        assert f"Missing: {group['group']}" in rows
    assert rows["Next step"] == summary["next_steps"][-1]
    assert "Questions" in workbook.sheetnames
    by_day = workbook["Fieldwork by day"]
    assert isinstance(by_day["A2"].value, dt.datetime)
