"""`flask survey import-wave`: an earlier wave, run on another tool, brought in from its export
with a mapping file, checked row by row, and kept apart from the service's own responses."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Response, Survey
from survey_app.quality import answer_pattern
from survey_app.questionnaire import Questionnaire
from survey_app.questionnaire.definition import DEFAULT_DEFINITION

from ..helpers import complete_survey

HEADINGS = [
    "Response ID",
    "Submitted",
    "Name",
    "Email",
    "Age",
    "Q1",
    "Q2",
    "Worry burglary",
    "P violence",
    "P drugs",
    "P roads",
    "Victim",
    "Reported",
    "Why not",
    "Sex",
    "Ethnicity",
    "Housing",
    "Condition",
    "Limits",
]
JANE = [
    "RESP-0001",
    "03/05/2023 10:15",
    "Jane Doe",
    "jane@example.org",
    "34",
    "1",
    "Fairly safe",
    "1",
    "1",
    "0",
    "1",
    "Yes",
    "Some of it",
    "too_trivial; Fear of reprisal",
    "F",
    "White",
    "owns outright",
    "Yes",
    "Yes, a lot",
]
JOHN = [
    "RESP-0002",
    "20/06/2023 18:40",
    "John Smith",
    "john@example.org",
    "Prefer not to say",
    "99",
    "very_unsafe",
    "2",
    "0",
    "0",
    "0",
    "No",
    "",
    "",
    "M",
    "Asian or Asian British",
    "Rents privately or lives rent free",
    "No",
    "",
]
MAPPING = [
    ["column", "question", "code", "value"],
    ["Submitted", "@submitted_on", "", ""],
    ["Age", "age", "", ""],
    ["Q1", "safe_after_dark", "1", "very_safe"],
    ["Q1", "", "2", "fairly_safe"],
    ["Q1", "", "99", ""],
    ["Q2", "safe_during_day", "", ""],
    ["Worry burglary", "worry_burglary", "1", "very_worried"],
    ["Worry burglary", "", "2", "not_at_all_worried"],
    ["P violence", "priorities", "1", "reducing_violence"],
    ["P violence", "", "0", ""],
    ["P drugs", "priorities", "1", "tackling_drugs_and_substance_misuse"],
    ["P drugs", "", "0", ""],
    ["P roads", "priorities", "1", "road_safety"],
    ["P roads", "", "0", ""],
    ["Victim", "victim", "", ""],
    ["Reported", "reported", "", ""],
    ["Why not", "why_not_reported", "", ""],
    ["Sex", "sex", "F", "female"],
    ["Sex", "", "M", "male"],
    ["Ethnicity", "ethnic_group", "", ""],
    ["Housing", "housing", "", ""],
    ["Condition", "long_term_condition", "", ""],
    ["Limits", "condition_reduces_ability", "", ""],
]


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as file:
        csv.writer(file).writerows(rows)
    return path


def run_import(runner, data: Path, mapping: Path, *options: str):  # type: ignore[no-untyped-def]
    return runner.invoke(
        args=["survey", "import-wave", str(data), "--mapping", str(mapping), *options]
    )


def imported_wave(app: Flask, wave: int = 0) -> tuple[Survey, list[Response]]:
    with app.app_context():
        survey = db.session.scalars(select(Survey).where(Survey.wave == wave)).one()
        responses = list(
            db.session.scalars(
                select(Response).where(Response.survey_id == survey.id).order_by(Response.id)
            )
        )
        db.session.expunge_all()
    return survey, responses


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Survey)) or 0,
            db.session.scalar(select(func.count()).select_from(Response)) or 0,
        )


def test_a_csv_export_becomes_a_closed_imported_wave_with_every_answer_mapped(
    app: Flask, runner, tmp_path: Path
) -> None:
    data = write_csv(tmp_path / "old.csv", [HEADINGS, JANE, JOHN])
    mapping = write_csv(tmp_path / "mapping.csv", MAPPING)

    result = run_import(runner, data, mapping, "--wave", "0")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "Imported 2 responses into safermk-perceptions wave 0, questionnaire v1 (from old.csv). "
        "Ignored 3 columns not in the mapping."
    )
    survey, (jane, john) = imported_wave(app)
    assert (survey.status, survey.imported_from) == ("closed", "old.csv")
    assert (survey.opened_on, survey.closed_on) == (dt.date(2023, 5, 3), dt.date(2023, 6, 20))
    assert jane.answers == {
        "age": 34,
        "safe_after_dark": "very_safe",
        "safe_during_day": "fairly_safe",
        "worry_burglary": "very_worried",
        "victim": "yes",
        "reported": "some",
        "why_not_reported": ["too_trivial", "fear_of_reprisal"],
        "priorities": ["reducing_violence", "road_safety"],
        "sex": "female",
        "ethnic_group": "white",
        "long_term_condition": "yes",
        "condition_reduces_ability": "a_lot",
        "housing": "owns_outright",
    }
    # 99 is coded as not answered; blank cells and 0 in every priority column are not answered.
    assert john.answers == {
        "age": "prefer_not_to_say",
        "safe_during_day": "very_unsafe",
        "worry_burglary": "not_at_all_worried",
        "victim": "no",
        "sex": "male",
        "ethnic_group": "asian",
        "long_term_condition": "no",
        "housing": "private_rented",
    }
    assert (jane.submitted_on, john.submitted_on) == (dt.date(2023, 5, 3), dt.date(2023, 6, 20))
    for response in (jane, john):
        assert (response.source, response.status, response.language) == (
            "imported",
            "submitted",
            "en",
        )
        assert response.channel_id is None and response.reference is None
        # The fingerprint response quality compares, as for a response made online.
        assert response.answer_pattern == answer_pattern(
            Questionnaire(survey.definition), response.answers
        )


def test_the_census_groups_are_derived_from_the_imported_answers(
    app: Flask, runner, tmp_path: Path
) -> None:
    data = write_csv(tmp_path / "old.csv", [HEADINGS, JANE, JOHN])
    mapping = write_csv(tmp_path / "mapping.csv", MAPPING)

    assert run_import(runner, data, mapping, "--wave", "0").exit_code == 0

    _, (jane, john) = imported_wave(app)
    assert (jane.age_band, jane.age_group, jane.sex, jane.ethnic_group) == (
        "25-34",
        "under_40",
        "female",
        "white",
    )
    assert (jane.tenure, jane.disability) == ("owns_outright", "disabled")
    assert (john.age_band, john.ethnic_group, john.tenure, john.disability) == (
        "prefer_not_to_say",
        "asian",
        "private_rented",
        "not_disabled",
    )


def test_columns_not_in_the_mapping_are_neither_stored_nor_shown(
    app: Flask, runner, tmp_path: Path
) -> None:
    data = write_csv(tmp_path / "old.csv", [HEADINGS, JANE, JOHN])
    mapping = write_csv(tmp_path / "mapping.csv", MAPPING)

    result = run_import(runner, data, mapping, "--wave", "0")

    assert result.exit_code == 0, result.output
    personal = ["Jane Doe", "jane@example.org", "John Smith", "john@example.org", "RESP-000"]
    with app.app_context():
        everything = " ".join(
            str(row)
            for table in db.metadata.sorted_tables
            for row in db.session.execute(table.select())
        )
    for text in personal:
        assert text not in everything
        assert text not in result.output
    # Their headings are named, so the analyst can see what was left behind.
    assert '"Response ID", "Name", "Email"' in result.output


def test_an_xlsx_export_and_mapping_are_read_with_their_numbers_and_dates(
    app: Flask, runner, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Submitted", "Age", "Q1", "Priorities", "Comments"])
    sheet.append([dt.datetime(2022, 11, 4, 9, 30), 71.0, 2, "Road safety;reducing_violence", "hi"])
    sheet.append([dt.date(2022, 11, 9), 19, 1, None, "private"])
    sheet.append([None, None, None, None, None])  # a row Excel keeps for its formatting
    book.save(tmp_path / "old.xlsx")
    mapping_book = Workbook()
    mapping_sheet = mapping_book.active
    assert mapping_sheet is not None
    for row in [
        ["Column", "Question", "Code", "Value"],
        ["Submitted", "@submitted_on", None, None],
        ["Age", "age", None, None],
        ["Q1", "safe_after_dark", 1, "very_safe"],
        ["Q1", None, 2, "Fairly safe"],
        ["Priorities", "priorities", None, None],
    ]:
        mapping_sheet.append(row)
    mapping_book.save(tmp_path / "mapping.xlsx")

    result = run_import(runner, tmp_path / "old.xlsx", tmp_path / "mapping.xlsx", "--wave", "0")

    assert result.exit_code == 0, result.output
    assert "Imported 2 responses" in result.output and "Ignored 1 column " in result.output
    survey, (first, second) = imported_wave(app)
    assert survey.imported_from == "old.xlsx"
    assert first.answers == {
        "age": 71,
        "safe_after_dark": "fairly_safe",
        "priorities": ["reducing_violence", "road_safety"],
    }
    assert second.answers == {"age": 19, "safe_after_dark": "very_safe"}
    assert (first.submitted_on, second.submitted_on) == (dt.date(2022, 11, 4), dt.date(2022, 11, 9))
    assert (first.age_band, second.age_band) == ("65-74", "16-24")


def test_without_dates_responses_take_the_closing_date_given(
    app: Flask, runner, tmp_path: Path
) -> None:
    data = write_csv(tmp_path / "old.csv", [["Q1"], ["1"], ["2"]])
    mapping = write_csv(
        tmp_path / "mapping.csv",
        [["column", "question", "code", "value"], ["Q1", "safe_after_dark", "1", "very_safe"]]
        + [["Q1", "", "2", "fairly_safe"]],
    )

    result = run_import(
        runner, data, mapping, "--wave", "0", "--opened", "2021-09-01", "--closed", "2021-10-31"
    )

    assert result.exit_code == 0, result.output
    survey, responses = imported_wave(app)
    assert (survey.opened_on, survey.closed_on) == (dt.date(2021, 9, 1), dt.date(2021, 10, 31))
    assert {r.submitted_on for r in responses} == {dt.date(2021, 10, 31)}
    assert "2 responses with no date are dated 2021-10-31, the day the wave closed." in (
        result.output
    )


def test_every_bad_row_is_reported_with_what_is_allowed_and_nothing_is_written(
    app: Flask, runner, tmp_path: Path
) -> None:
    data = write_csv(
        tmp_path / "old.csv",
        [
            ["Submitted", "Age", "Q1", "Q2", "Priorities", "Comments"],
            ["2023-05-03", "34", "1", "Very safe", "road_safety", "fine"],
            ["2023-05-03", "34", "7", "Very safe", "", "secret words"],
            ["2023-05-04", "130", "1", "Very safe", "", ""],
            ["2023-05-04", "40", "2", "Quite safe", "", ""],
            [
                "2023-05-05",
                "52",
                "1",
                "",
                "reducing_violence; road_safety; anti_social_behaviour; online_crime_and_scams",
                "",
            ],
            ["31/02/2023", "60", "1", "", "", ""],
            ["2023-05-06", "61", "7", "", "", ""],
        ],
    )
    mapping = write_csv(
        tmp_path / "mapping.csv",
        [
            ["column", "question", "code", "value"],
            ["Submitted", "@submitted_on", "", ""],
            ["Age", "age", "", ""],
            ["Q1", "safe_after_dark", "1", "very_safe"],
            ["Q1", "", "2", "fairly_safe"],
            ["Q1", "", "99", ""],
            ["Q2", "safe_during_day", "", ""],
            ["Priorities", "priorities", "", ""],
        ],
    )

    result = run_import(runner, data, mapping, "--wave", "0")

    assert result.exit_code != 0
    lines = result.output.splitlines()
    assert "Nothing was imported: old.csv has 6 problems in 6 rows" in result.output
    assert (
        '  Rows 3 and 8, column "Q1" (safe_after_dark): "7" is not one of the codes the mapping '
        "gives for this column: 1 (very_safe), 2 (fairly_safe), 99 (not answered)"
    ) in lines
    assert (
        '  Row 4, column "Age" (age): "130": Enter an age of 120 or less (allowed: a whole '
        "number from 0 to 120, or Prefer not to say)"
    ) in lines
    assert any(
        line.startswith(
            '  Row 5, column "Q2" (safe_during_day): "Quite safe" is not an option of '
            "safe_during_day; allowed: very_safe (Very safe), fairly_safe (Fairly safe)"
        )
        for line in lines
    )
    assert (
        '  Row 6, column "Priorities" (priorities): 4 chosen (reducing_violence, road_safety, '
        "anti_social_behaviour, online_crime_and_scams): Select up to 3 priorities"
    ) in lines
    assert (
        '  Row 7, column "Submitted" (@submitted_on): "31/02/2023" is not a date; write dates '
        "like 2023-05-31 or 31/05/2023"
    ) in lines
    assert "secret words" not in result.output
    assert counts(app) == (1, 0)


def test_a_long_list_of_problems_is_cut_short(app: Flask, runner, tmp_path: Path) -> None:
    rows = [["Age"]] + [[f"about {n}"] for n in range(60)]
    data = write_csv(tmp_path / "old.csv", rows)
    mapping = write_csv(tmp_path / "mapping.csv", [["column", "question"], ["Age", "age"]])

    result = run_import(runner, data, mapping, "--wave", "0")

    assert result.exit_code != 0
    assert 'Row 61, column "Age" (age): "about 59"' not in result.output
    assert 'Row 51, column "Age" (age): "about 49"' in result.output
    assert "...and 10 more" in result.output
    assert counts(app) == (1, 0)


def test_mistakes_in_the_mapping_are_all_reported_before_any_row_is_read(
    app: Flask, runner, tmp_path: Path
) -> None:
    data = write_csv(tmp_path / "old.csv", [["Age", "Q1", "Q2"], ["34", "1", "x"]])
    mapping = write_csv(
        tmp_path / "my-mapping.csv",
        [
            ["column", "question", "code", "value"],
            ["Age", "agee", "", ""],
            ["Q1", "safe_after_dark", "1", "very_safe"],
            ["Q1", "", "2", "fairly_unsafe"],
            ["Q1", "", "1", "fairly_safe"],
            ["Q2", "safe_after_dark", "", ""],
            ["Q3", "crime_trend", "", ""],
        ],
    )

    result = run_import(runner, data, mapping, "--wave", "0")

    assert result.exit_code != 0
    assert "Nothing was imported: the mapping my-mapping.csv has 5 problems:" in result.output
    assert '  Row 2: "agee" is not a question of safermk-perceptions v1 (did you mean age?)' in (
        result.output
    )
    assert (
        '  Row 4: code "2" of column "Q1": "fairly_unsafe" is not an option of safe_after_dark; '
        "allowed: very_safe (Very safe), fairly_safe (Fairly safe)"
    ) in result.output
    assert '  Row 5: code "1" of column "Q1" is already mapped on row 3' in result.output
    assert (
        '  Row 6: safe_after_dark is already mapped from column "Q1" on row 3; only a '
        "multiple-choice question can take several columns"
    ) in result.output
    assert '  Row 7: old.csv has no column headed "Q3"' in result.output
    assert "Row 2, column" not in result.output  # the data is not checked with a broken mapping
    assert counts(app) == (1, 0)


def test_a_wave_number_in_use_is_refused_with_free_ones_suggested(
    app: Flask, runner, tmp_path: Path
) -> None:
    data = write_csv(tmp_path / "old.csv", [HEADINGS, JANE])
    mapping = write_csv(tmp_path / "mapping.csv", MAPPING)

    result = run_import(runner, data, mapping, "--wave", "1")

    assert result.exit_code != 0
    assert (
        "safermk-perceptions already has a wave 1 (waves loaded: 1); give --wave a free "
        "number, such as 0 for a year before wave 1 or 2 for a year after wave 1"
    ) in result.output
    assert counts(app) == (1, 0)


def test_imported_responses_stay_in_their_own_wave_apart_from_the_live_survey(
    app: Flask, client, runner, tmp_path: Path
) -> None:
    complete_survey(client)
    data = write_csv(tmp_path / "old.csv", [HEADINGS, JANE, JOHN])
    mapping = write_csv(tmp_path / "mapping.csv", MAPPING)

    assert run_import(runner, data, mapping, "--wave", "0").exit_code == 0

    with app.app_context():
        by_wave = dict(
            db.session.execute(
                select(Survey.wave, func.count(Response.id))
                .join(Response, Response.survey_id == Survey.id)
                .group_by(Survey.wave)
            ).all()
        )
        sources = dict(
            db.session.execute(
                select(Survey.wave, func.min(Response.source))
                .join(Response, Response.survey_id == Survey.id)
                .group_by(Survey.wave)
            ).all()
        )
    assert by_wave == {1: 1, 0: 2} and sources == {1: "online", 0: "imported"}
    listed = json.loads(runner.invoke(args=["survey", "list", "--json"]).output)
    assert [(s["wave"], s["status"], s["submitted"], s["imported_from"]) for s in listed] == [
        (1, "open", 1, None),
        (0, "closed", 2, "old.csv"),
    ]
    refused = runner.invoke(args=["survey", "open", "safermk-perceptions:0"])
    assert refused.exit_code != 0 and "cannot be opened to residents" in refused.output


def test_answers_routing_skips_and_respondents_under_16_are_left_out(
    app: Flask, runner, tmp_path: Path
) -> None:
    data = write_csv(
        tmp_path / "old.csv",
        [["Age", "Victim", "Reported"], ["44", "No", "Some of it"], ["15", "Yes", "No"]],
    )
    mapping = write_csv(
        tmp_path / "mapping.csv",
        [["column", "question"], ["Age", "age"], ["Victim", "victim"], ["Reported", "reported"]],
    )

    result = run_import(runner, data, mapping, "--wave", "0")

    assert result.exit_code == 0, result.output
    _, responses = imported_wave(app)
    assert [r.answers for r in responses] == [{"age": 44, "victim": "no"}]
    assert "Left out 1 respondent under 16 (row 3)" in result.output
    assert "Left out 1 answer to questions the respondent's other answers skip" in result.output


def test_an_excel_csv_in_windows_1252_is_read_and_said_so(
    app: Flask, runner, tmp_path: Path
) -> None:
    data = write_csv(tmp_path / "old.csv", [["Trend", "Café"], ["Don\u2019t know", "x"]], "cp1252")
    mapping = write_csv(
        tmp_path / "mapping.csv", [["column", "question"], ["Trend", "crime_trend"]]
    )

    result = run_import(runner, data, mapping, "--wave", "0")

    assert result.exit_code == 0, result.output
    assert "read it as Windows-1252" in result.output
    _, (response,) = imported_wave(app)
    assert response.answers == {"crime_trend": "dont_know"}


def test_a_file_that_is_not_text_is_refused_in_words(app: Flask, runner, tmp_path: Path) -> None:
    data = tmp_path / "old.csv"
    data.write_bytes(b"Age\n\x81\x8d\n")
    mapping = write_csv(tmp_path / "mapping.csv", [["column", "question"], ["Age", "age"]])

    result = run_import(runner, data, mapping, "--wave", "0")

    assert result.exit_code != 0
    assert "old.csv is neither UTF-8 nor Windows-1252 text" in result.output
    assert "CSV UTF-8" in result.output
    assert counts(app) == (1, 0)


def test_an_earlier_questionnaire_can_be_given_for_the_wave(
    app: Flask, runner, tmp_path: Path
) -> None:
    definition = json.loads(DEFAULT_DEFINITION.read_text(encoding="utf-8"))
    definition["version"] = 7
    safe = definition["pages"][1]["questions"][0]
    safe["options"] = [o for o in safe["options"] if o["value"] != "never_walk_alone"]
    (tmp_path / "v7.json").write_text(json.dumps(definition), encoding="utf-8")
    data = write_csv(
        tmp_path / "old.csv", [["Q1"], ["Very safe"], ["I never walk alone after dark"]]
    )
    mapping = write_csv(
        tmp_path / "mapping.csv", [["column", "question"], ["Q1", "safe_after_dark"]]
    )

    refused = run_import(
        runner, data, mapping, "--wave", "0", "--definition", str(tmp_path / "v7.json")
    )
    assert refused.exit_code != 0
    assert '"I never walk alone after dark" is not an option of safe_after_dark' in refused.output

    write_csv(data, [["Q1"], ["Very safe"]])
    result = run_import(
        runner, data, mapping, "--wave", "0", "--definition", str(tmp_path / "v7.json")
    )

    assert result.exit_code == 0, result.output
    assert "into safermk-perceptions wave 0, questionnaire v7" in result.output
    survey, _ = imported_wave(app)
    assert survey.version == 7 and survey.definition == definition


def test_a_changed_questionnaire_under_a_loaded_version_number_is_refused(
    app: Flask, runner, tmp_path: Path
) -> None:
    definition = json.loads(DEFAULT_DEFINITION.read_text(encoding="utf-8"))
    definition["pages"][1]["questions"][0]["options"].pop()
    (tmp_path / "changed.json").write_text(json.dumps(definition), encoding="utf-8")
    data = write_csv(tmp_path / "old.csv", [["Q1"], ["Very safe"]])
    mapping = write_csv(
        tmp_path / "mapping.csv", [["column", "question"], ["Q1", "safe_after_dark"]]
    )

    result = run_import(
        runner, data, mapping, "--wave", "0", "--definition", str(tmp_path / "changed.json")
    )

    assert result.exit_code != 0
    assert "Version 1 of safermk-perceptions is already loaded (wave 1)" in result.output
    assert counts(app) == (1, 0)


def test_free_text_comes_only_from_columns_mapped_to_it_and_is_never_shown(
    app: Flask, runner, tmp_path: Path
) -> None:
    data = write_csv(
        tmp_path / "old.csv",
        [
            ["Orientation", "Other", "Comment", "Private note"],
            ["Other sexual orientation", "Pansexual", "Lights out on the redway", "call me"],
            ["Straight or Heterosexual", "", "", ""],
        ],
    )
    mapping = write_csv(
        tmp_path / "mapping.csv",
        [
            ["column", "question"],
            ["Orientation", "sexual_orientation"],
            ["Other", "sexual_orientation_other"],
            ["Comment", "anything_else"],
        ],
    )

    result = run_import(runner, data, mapping, "--wave", "0", "--closed", "2020-03-31")

    assert result.exit_code == 0, result.output
    _, (first, second) = imported_wave(app)
    assert first.answers == {
        "anything_else": "Lights out on the redway",
        "sexual_orientation": "other",
        "sexual_orientation_other": "Pansexual",
    }
    assert (first.lgb_plus, second.lgb_plus) == ("yes", "no")
    assert "1 response holds free text (anything_else, sexual_orientation_other)" in result.output
    assert "so at its next run" in result.output
    assert "call me" not in result.output and "Pansexual" not in result.output


def test_free_text_too_long_is_reported_by_its_length_not_its_words(
    app: Flask, runner, tmp_path: Path
) -> None:
    data = write_csv(tmp_path / "old.csv", [["Comment"], ["my neighbour " * 200]])
    mapping = write_csv(
        tmp_path / "mapping.csv", [["column", "question"], ["Comment", "anything_else"]]
    )

    result = run_import(runner, data, mapping, "--wave", "0")

    assert result.exit_code != 0
    assert (
        'Row 2, column "Comment" (anything_else): a text of 2,599 characters: Your answer must be '
        "2,000 characters or fewer"
    ) in result.output
    assert "neighbour" not in result.output
    assert counts(app) == (1, 0)


def test_dates_written_month_first_are_read_so_when_the_mapping_says(
    app: Flask, runner, tmp_path: Path
) -> None:
    data = write_csv(
        tmp_path / "old.csv", [["Date", "Q1"], ["05/31/2023 10:32:11 AM", "1"], ["6/2/23", "1"]]
    )
    mapping = write_csv(
        tmp_path / "mapping.csv",
        [
            ["column", "question", "code", "value"],
            ["Date", "@submitted_on", "", "MM/DD/YYYY"],
            ["Q1", "safe_after_dark", "1", "very_safe"],
        ],
    )

    result = run_import(runner, data, mapping, "--wave", "0")

    assert result.exit_code == 0, result.output
    _, responses = imported_wave(app)
    assert [r.submitted_on for r in responses] == [dt.date(2023, 5, 31), dt.date(2023, 6, 2)]
