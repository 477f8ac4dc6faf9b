"""Exports for the analyst: one row per submitted response, coded, with a dictionary."""

from __future__ import annotations

import csv
from pathlib import Path

import pyreadstat
import pytest
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


# --- The data dictionary describes the export: every column once, in order, and nothing else ---

DictionaryRow = tuple[str, str, str, str]  # variable, label, code, code label ("" when blank)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _dictionary_row(line: list[str]) -> DictionaryRow:
    variable, label, code, code_label = line
    return variable, label, code, code_label


def _csv_export(out: Path) -> tuple[list[str], list[DictionaryRow]]:
    with out.open(newline="") as handle:
        header = next(csv.reader(handle))
    with out.with_name(f"{out.stem}_dictionary.csv").open(newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == ["variable", "label", "code", "code_label"]
    return header, [_dictionary_row(line) for line in lines[1:]]


def _xlsx_export(out: Path) -> tuple[list[str], list[DictionaryRow]]:
    workbook = load_workbook(out, read_only=True)
    header = [_text(v) for v in next(workbook["Responses"].iter_rows(values_only=True))]
    lines = [[_text(v) for v in row] for row in workbook["Dictionary"].iter_rows(values_only=True)]
    workbook.close()
    assert lines[0] == ["variable", "label", "code", "code_label"]
    return header, [_dictionary_row(line) for line in lines[1:]]


def _sav_export(out: Path) -> tuple[list[str], list[DictionaryRow]]:
    """The SAV's own description of its columns, as dictionary rows: variable labels, then
    value labels (codes written as the dictionary writes them: whole numbers)."""
    _, meta = pyreadstat.read_sav(str(out), metadataonly=True)
    rows: list[DictionaryRow] = []
    for name in meta.column_names:
        rows.append((name, _text(meta.column_names_to_labels.get(name)), "", ""))
        for code, label in meta.variable_value_labels.get(name, {}).items():
            rows.append((name, "", str(int(code)), label))
    return list(meta.column_names), rows


READERS = {"csv": _csv_export, "xlsx": _xlsx_export, "sav": _sav_export}


def _export(
    runner, tmp_path: Path, fmt: str, free_text: bool
) -> tuple[list[str], list[DictionaryRow]]:
    out = tmp_path / f"{fmt}_{'with' if free_text else 'without'}_text.{fmt}"
    args = ["export", "--format", fmt, "--out", str(out)]
    result = runner.invoke(args=args + (["--include-free-text"] if free_text else []))
    assert result.exit_code == 0, result.output
    return READERS[fmt](out)


def _entries(dictionary: list[DictionaryRow]) -> list[str]:
    return [variable for variable, _, code, _ in dictionary if code == ""]


def _assert_dictionary_describes(header: list[str], dictionary: list[DictionaryRow]) -> None:
    assert len(set(header)) == len(header), "a column name is used twice"
    assert _entries(dictionary) == header
    entry = None
    for variable, label, code, code_label in dictionary:
        if code == "":
            entry = variable
            assert label.strip() and label != variable, f"{variable} has no plain label"
        else:
            assert variable == entry, f"code {code} of {variable} is not under its entry"
            assert code_label.strip() and not label, f"{variable} code {code}"
    codes = [(variable, code) for variable, _, code, _ in dictionary if code != ""]
    assert len(set(codes)) == len(codes), "a code is described twice"


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav"])
def test_dictionary_has_one_entry_per_export_column_in_order(
    app, client, runner, tmp_path, fmt, closed
):
    _two_residents(app, client)
    if closed:
        assert runner.invoke(args=["survey", "close"]).exit_code == 0
    for free_text in (False, True):
        header, dictionary = _export(runner, tmp_path, fmt, free_text)

        assert ("weight" in header) is closed
        assert ("anything_else" in header) is free_text
        _assert_dictionary_describes(header, dictionary)


@pytest.mark.parametrize("free_text", [False, True], ids=["without_text", "with_text"])
def test_spss_labels_agree_with_the_dictionary(app, client, runner, tmp_path, free_text):
    _two_residents(app, client)
    assert runner.invoke(args=["survey", "close"]).exit_code == 0
    csv_header, csv_dictionary = _export(runner, tmp_path, "csv", free_text)
    sav_header, sav_dictionary = _export(runner, tmp_path, "sav", free_text)

    assert sav_header == csv_header
    # SPSS keeps the first 256 bytes of a variable label.
    cut = [
        (v, label.encode()[:256].decode("utf-8", "ignore"), c, t)
        for v, label, c, t in csv_dictionary
    ]
    assert sav_dictionary == cut
