"""Exports for the analyst: one row per submitted response, coded, with a dictionary."""

from __future__ import annotations

import csv

import pyreadstat
from openpyxl import load_workbook

from ..helpers import FULL_ANSWERS, complete_survey


def read_csv(path):
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _two_residents(app, client):
    client.get("/s/age-uk")
    complete_survey(client)
    other = app.test_client()
    other.get("/s/mk-college")
    complete_survey(other, {**FULL_ANSWERS, "victim": {"victim": "no"}})
    unfinished = app.test_client()
    complete_survey(unfinished, submit=False)


def test_csv_export_has_one_row_per_submitted_response_with_codes(app, client, runner, tmp_path):
    _two_residents(app, client)
    out = tmp_path / "responses.csv"
    result = runner.invoke(args=["export", "--format", "csv", "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert "Wrote 2 responses" in result.output
    rows = read_csv(out)
    assert [r["channel"] for r in rows] == ["age-uk", "mk-college"]
    assert rows[0]["safe_after_dark"] == "2"  # Fairly safe is the second option
    assert rows[0]["priorities__road_safety"] == "1"
    assert rows[0]["priorities__gangs_and_organised_crime"] == "0"
    assert rows[1]["reported"] == ""  # not asked: not a victim
    assert rows[0]["age"] == "34" and rows[0]["ethnic_group"] == "4"
    assert rows[0]["census_age_band"] == "25-34"
    assert rows[0]["census_ethnic_group"] == "black"
    assert "weight" not in rows[0]  # the survey is still open


def test_export_leaves_out_free_text_and_identifiers_unless_asked(app, client, runner, tmp_path):
    _two_residents(app, client)
    out = tmp_path / "responses.csv"
    runner.invoke(args=["export", "--format", "csv", "--out", str(out)])
    text = out.read_text()

    assert "redways" not in text
    header = set(read_csv(out)[0])
    assert not {"token_hash", "reference", "id"} & header

    with_text = tmp_path / "with_text.csv"
    runner.invoke(
        args=["export", "--format", "csv", "--out", str(with_text), "--include-free-text"]
    )
    assert "More lighting on the redways, please." in with_text.read_text()


def test_csv_dictionary_labels_every_code(app, client, runner, tmp_path):
    _two_residents(app, client)
    out = tmp_path / "responses.csv"
    runner.invoke(args=["export", "--format", "csv", "--out", str(out)])
    dictionary = read_csv(tmp_path / "responses_dictionary.csv")

    codes = {(r["variable"], r["code"]): r["code_label"] for r in dictionary if r["code"]}
    assert codes[("safe_after_dark", "2")] == "Fairly safe"
    assert codes[("age", "-1")] == "Prefer not to say"


def test_xlsx_export_has_responses_and_dictionary_sheets(app, client, runner, tmp_path):
    _two_residents(app, client)
    out = tmp_path / "responses.xlsx"
    assert runner.invoke(args=["export", "--format", "xlsx", "--out", str(out)]).exit_code == 0

    workbook = load_workbook(out, read_only=True)
    assert workbook.sheetnames == ["Responses", "Dictionary"]
    rows = list(workbook["Responses"].iter_rows(values_only=True))
    workbook.close()
    assert len(rows) == 3 and rows[0][0] == "respondent"


def test_spss_export_carries_value_labels_and_weights_once_closed(app, client, runner, tmp_path):
    _two_residents(app, client)
    runner.invoke(args=["survey", "close"])
    out = tmp_path / "responses.sav"
    result = runner.invoke(args=["export", "--format", "sav", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "with weights" in result.output

    frame, meta = pyreadstat.read_sav(str(out))
    assert len(frame) == 2
    assert meta.variable_value_labels["safe_after_dark"][2.0] == "Fairly safe"
    assert meta.column_names_to_labels["victim"].startswith("In the last 12 months")
    assert abs(frame["weight"].mean() - 1) < 1e-9
