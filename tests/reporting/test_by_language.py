"""Reports and exports read responses by the language they were given in, as they read channels.

Every figure below is worked out by hand in the test from the responses it makes.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from flask import Flask
from openpyxl import load_workbook

from reporting import queries
from reporting.exports import export_responses
from reporting.final import build_final_report
from reporting.interim import build_interim_report, build_representativeness
from reporting.languages import language_name
from reporting.reach import reach
from reporting.render import render_html, render_xlsx
from survey_app.extensions import db

from .demo_data import add_response, seed_demo
from .report_pages import parsed_report


def add_responses(count: int, language: str, **dimensions: str | None) -> None:
    for _ in range(count):
        add_response(language=language, **dimensions)


def table_rows(soup: BeautifulSoup, caption: str) -> list[list[str]]:
    """The body rows of the table with this caption, each as its cells' visible text."""
    found = soup.find("caption", string=caption)
    assert isinstance(found, Tag), f"no table captioned {caption!r}"
    table = found.find_parent("table")
    assert isinstance(table, Tag)
    return [
        [" ".join(cell.get_text(" ").split()) for cell in row.find_all(["th", "td"])]
        for row in table.select("tbody tr")
    ]


def visible(page: str) -> str:
    return " ".join(BeautifulSoup(page, "html.parser").get_text(" ").split())


def wilson_low(successes: int, n: int, z: float = 1.959963984540054) -> float:
    p = successes / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n)


def test_languages_are_named_in_english() -> None:
    assert [language_name(code) for code in ("en", "pl", "ro", "ur")] == [
        "English",
        "Polish",
        "Romanian",
        "Urdu",
    ]
    assert language_name("not-a-language") == "not-a-language"


def test_counts_by_language_count_only_submitted_responses_not_excluded(app: Flask) -> None:
    with app.app_context():
        add_responses(5, "en", age_band="16-24")
        add_responses(2, "en", age_band="65-74")
        add_responses(3, "pl", age_band="16-24")
        add_responses(1, "ur")
        add_response(language="pl", status="in_progress", age_band="16-24")
        add_response(language="ur", excluded=True, age_band="16-24")
        survey = queries.find_survey(db.engine)
        assert survey is not None

        assert queries.language_counts(db.engine, survey["id"]) == {"en": 7, "pl": 3, "ur": 1}
        routes = queries.dimension_counts_by_channel_and_language(db.engine, survey["id"])
        assert routes.by_language["age_band"] == {
            "en": {"16-24": 5, "65-74": 2},
            "pl": {"16-24": 3},
            "ur": {None: 1},
        }
        # The same pass still gives the channels' counts: every response here has none.
        assert routes.by_channel["age_band"] == {None: {"16-24": 8, "65-74": 2, None: 1}}


def test_report_has_a_responses_by_language_table_in_english_names(app: Flask) -> None:
    with app.app_context():
        add_responses(40, "en")
        add_responses(25, "pl")
        add_responses(12, "ur")

        report = build_interim_report(db.engine)
        page = render_html(report)

    assert report["languages"] == {
        "rows": [
            {"language": "en", "name": "English", "count": 40},
            {"language": "pl", "name": "Polish", "count": 25},
            {"language": "ur", "name": "Urdu", "count": 12},
        ],
        "only_english": False,
    }
    soup = parsed_report(page)
    assert table_rows(soup, "Submitted responses by language") == [
        ["English", "40"],
        ["Polish", "25"],
        ["Urdu", "12"],
    ]
    # Beside the channels table, in the section on how residents came to the survey.
    heading = soup.find(id="languages")
    assert isinstance(heading, Tag)
    section = heading.find_previous("h2")
    assert section is not None and section.get_text() == "How residents heard about the survey"


def test_a_language_with_few_responses_is_withheld_and_the_total_does_not_give_it_away(
    app: Flask,
) -> None:
    with app.app_context():
        add_responses(40, "en")
        add_responses(20, "pl")
        add_responses(3, "ro")

        report = build_interim_report(db.engine)
        page = render_html(report)

    # 63 responses are published; English's 40 beside them leaves 23 for Polish and Romanian
    # together, which cannot be split, so Polish is withheld along with Romanian's 3.
    assert report["fieldwork"]["submitted"] == 63
    rows = {row["name"]: row["count"] for row in report["languages"]["rows"]}
    assert rows == {"English": 40, "Polish": "withheld", "Romanian": "fewer than 10"}
    published = [count for count in rows.values() if isinstance(count, int)]
    assert 63 - sum(published) == 23
    soup = parsed_report(page)
    # Withheld rows come after the published ones, in name order, so their place says nothing.
    assert table_rows(soup, "Submitted responses by language") == [
        ["English", "40"],
        ["Polish", "withheld"],
        ["Romanian", "fewer than 10"],
    ]


def test_a_report_with_only_english_responses_says_so_in_one_line(app: Flask) -> None:
    with app.app_context():
        add_responses(100, "en", age_band="65-74")
        add_responses(2, "en", age_band="16-24")

        interim = build_interim_report(db.engine)
        page = render_html(interim)

    assert interim["languages"]["only_english"] is True
    text = visible(page)
    assert "All responses so far were given in English." in text
    soup = parsed_report(page)
    assert soup.find("caption", string="Submitted responses by language") is None
    assert interim["representativeness"]["flagged_groups"], "16-24s are missing"
    assert not soup.find("caption", string=re.compile("^Languages reaching"))


def test_the_final_report_says_all_responses_were_in_english_without_so_far(app: Flask) -> None:
    with app.app_context():
        add_responses(20, "en")

        text = visible(render_html(build_final_report(db.engine)))

    assert "All responses were given in English." in text
    assert "so far were given" not in text


def _young_residents_mostly_through_polish() -> None:
    """655 responses: 16-24s are 40 of them (6.1%, against 12.3% in the census): 15 of 600
    in English, 20 of 40 in Polish, 5 of 15 in Urdu."""
    add_responses(15, "en", age_band="16-24")
    add_responses(585, "en", age_band="65-74")
    add_responses(20, "pl", age_band="16-24")
    add_responses(20, "pl", age_band="25-34")
    add_responses(5, "ur", age_band="16-24")
    add_responses(10, "ur", age_band="35-44")


def test_flagged_groups_show_which_languages_reach_them(app: Flask) -> None:
    with app.app_context():
        _young_residents_mostly_through_polish()

        report = build_interim_report(db.engine)
        page = render_html(report)
        survey = queries.find_survey(db.engine)
        assert survey is not None
        alone = build_representativeness(db.engine, survey["id"])

    young = next(
        group
        for group in report["representativeness"]["flagged_groups"]
        if (group["dimension"], group["category"]) == ("age_band", "16-24")
    )
    assert young["flag"] == "under_represented" and young["n"] == 40
    # Polish: 20 of 40 (50%). Urdu's 5 is under 10; with the group's 40 published, Urdu's count
    # would be 40 - 20 - English's 15, so English's count is withheld too (the smaller of the
    # other two). The bases (600, 40 and 15) are all 10 or more.
    assert young["language_reach"] == [
        {
            "language": "pl",
            "name": "Polish",
            "n": 40,
            "group_count": 20,
            "group_share": 0.5,
            "group_share_low": pytest.approx(wilson_low(20, 40)),
        },
        {
            "language": "en",
            "name": "English",
            "n": 600,
            "group_count": "withheld",
            "group_share": None,
            "group_share_low": None,
        },
        {
            "language": "ur",
            "name": "Urdu",
            "n": 15,
            "group_count": "fewer than 10",
            "group_share": None,
            "group_share_low": None,
        },
    ]
    assert abs(young["language_reach"][0]["group_share_low"] - 0.352) < 0.001  # type: ignore[operator]
    # The dashboard's and the partners' view of the section is the report's own.
    assert alone == report["representativeness"]

    soup = parsed_report(page)
    assert table_rows(soup, "Languages reaching Aged 16 to 24, best first") == [
        ["Polish", "40", "20", "50.0%"],
        ["English", "600", "withheld", "withheld"],
        ["Urdu", "15", "fewer than 10", "withheld"],
    ]
    # Under the group's own heading, after the channels that reach it.
    caption = soup.find("caption", string="Languages reaching Aged 16 to 24, best first")
    assert isinstance(caption, Tag)
    assert caption.find_previous("h3").get_text() == "Age: 16 to 24"  # type: ignore[union-attr]
    channels = caption.find_previous("caption")
    assert channels is not None and channels.get_text() == (
        "Channels reaching Aged 16 to 24, best first"
    )


def test_a_group_no_language_can_be_shown_to_reach_gets_a_line_not_a_table(app: Flask) -> None:
    with app.app_context():
        add_responses(300, "en", age_band="65-74")
        add_responses(12, "en", age_band="16-24")
        add_responses(15, "pl", age_band="65-74")
        add_responses(2, "pl", age_band="16-24")

        report = build_interim_report(db.engine)
        page = render_html(report)

    young = next(
        group
        for group in report["representativeness"]["flagged_groups"]
        if (group["dimension"], group["category"]) == ("age_band", "16-24")
    )
    # 14 of 329 are 16-24s. Polish's 2 is under 10, and English's 12 is the group's 14 less
    # it, so both are withheld: there is nothing to compare.
    assert young["n"] == 14
    assert [(row["name"], row["group_count"]) for row in young["language_reach"]] == [
        ("English", "withheld"),
        ("Polish", "fewer than 10"),
    ]
    soup = parsed_report(page)
    assert soup.find("caption", string="Languages reaching Aged 16 to 24, best first") is None
    assert (
        "Too few of this group's responses were given in languages other than English to "
        "compare languages yet." in visible(page)
    )


def test_workbook_counts_by_language_as_it_does_by_channel(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        _young_residents_mostly_through_polish()
        report = build_interim_report(db.engine)

    workbook = load_workbook(render_xlsx(report, tmp_path / "interim.xlsx"))

    languages = [list(row) for row in workbook["Languages"].iter_rows(values_only=True)]
    assert languages == [
        ["Language", "Language code", "Responses"],
        ["English", "en", 600],
        ["Polish", "pl", 40],
        ["Urdu", "ur", 15],
    ]
    sheet = workbook["Groups to reach by language"]
    header = [cell.value for cell in sheet[1]]
    young = [
        dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[header.index("Group")] == "Aged 16 to 24"
    ]
    assert [
        (row["Language"], row["Respondents in it who answered"], row["Of them in this group"])
        for row in young
    ] == [("Polish", 40, 20), ("English", 600, "withheld"), ("Urdu", 15, "fewer than 10")]
    assert [row["Share in this group"] for row in young] == [0.5, "withheld", "withheld"]


def test_reach_works_for_any_key_and_withholds_like_the_channel_tables() -> None:
    counts = {
        "a": {"yes": 30, "no": 20},  # 60%
        "b": {"yes": 12, "no": 88, "prefer_not_to_say": 7},  # 12%; not stated left out
        "c": {"yes": 4, "no": 40},  # fewer than 10
        "d": {None: 5},  # nobody answered: no row
    }

    rows = reach(counts, "yes", {"a": "Alpha", "b": "Beta", "c": "Gamma", "d": "Delta"})

    # c's 4 hides itself; with the group's total published, the smallest other count (b's 12)
    # is withheld too. Bases 50, 100 and 44 are all published.
    assert [(key, figures["n"], figures["group_count"]) for key, figures in rows] == [
        ("a", 50, 30),
        ("b", 100, "withheld"),
        ("c", 44, "fewer than 10"),
    ]
    assert rows[0][1]["group_share"] == 30 / 50


def test_response_export_has_each_responses_language_beside_its_channel(
    app: Flask, tmp_path: Path
) -> None:
    with app.app_context():
        add_response(language="en", channel_slug="age-uk")
        add_response(language="pl", channel_slug="mk-college")
        add_response(language="ur")
        add_response(language="ro", status="in_progress")

        csv_export = export_responses(db.engine, tmp_path / "responses.csv", fmt="csv")
        xlsx_export = export_responses(db.engine, tmp_path / "responses.xlsx", fmt="xlsx")

    with csv_export.path.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    header = lines[0]
    assert header[header.index("channel") : header.index("channel") + 3] == [
        "channel",
        "partner",
        "language",
    ]
    column = header.index("language")
    assert [line[column] for line in lines[1:]] == ["en", "pl", "ur"]
    assert [line[header.index("channel")] for line in lines[1:]] == ["age-uk", "mk-college", ""]
    assert csv_export.dictionary_path is not None
    with csv_export.dictionary_path.open(newline="", encoding="utf-8") as handle:
        entries = {row["variable"]: row["label"] for row in csv.DictReader(handle) if row["label"]}
    assert entries["language"].startswith("Language the resident answered in")

    sheet = load_workbook(xlsx_export.path, read_only=True)["Responses"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    column = rows[0].index("language")
    assert rows[0][column - 2 : column + 1] == ["channel", "partner", "language"]
    assert [row[column] for row in rows[1:]] == ["en", "pl", "ur"]


def test_demo_data_answers_in_a_few_languages_besides_english(app: Flask) -> None:
    with app.app_context():
        seed_demo(3000)
        survey = queries.find_survey(db.engine)
        assert survey is not None
        counts = queries.language_counts(db.engine, survey["id"])

    total = sum(counts.values())
    shares = {code: count / total for code, count in counts.items()}
    assert set(shares) == {"en", "pl", "ro", "ur"}
    # About 3%, 2% and 1%: within four standard errors at 3,000 responses.
    for code, expected in {"pl": 0.03, "ro": 0.02, "ur": 0.01}.items():
        assert abs(shares[code] - expected) < 4 * math.sqrt(expected * (1 - expected) / total)
