"""The final report's change since the previous wave.

The reference figures are worked out in the tests from each wave's own published report with
scipy's normal distribution and a step-down Holm written out here, not with the module's code.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from openpyxl import load_workbook
from scipy.stats import norm

from reporting.comparison import difference
from reporting.final import build_final_report
from reporting.indicators import ASB_STRANDS
from reporting.render import render_html, render_xlsx
from survey_app import setup_data
from survey_app.demo import seed_responses
from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.questionnaire import Questionnaire
from survey_app.responses import open_survey

from .test_by_language import table_rows, visible

Z = norm.ppf(0.975)


def reference_change(p1: float, n1: float, p2: float, n2: float) -> tuple[float, float, float]:
    """The change's 95% Agresti-Caffo interval and its z-test's p-value, by the published
    formula (Agresti and Caffo 2000): add one success and one failure to each sample."""
    a1, a2 = (p1 * n1 + 1) / (n1 + 2), (p2 * n2 + 1) / (n2 + 2)
    se = math.sqrt(a1 * (1 - a1) / (n1 + 2) + a2 * (1 - a2) / (n2 + 2))
    change = a2 - a1
    return change - Z * se, change + Z * se, 2 * norm.sf(abs(change) / se)


def holm(p_values: list[float], alpha: float = 0.05) -> list[bool]:
    """Holm's step-down procedure, written out: reject in order of p until one fails."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    rejected = [False] * len(p_values)
    for rank, index in enumerate(order):
        if p_values[index] >= alpha / (len(p_values) - rank):
            break
        rejected[index] = True
    return rejected


def test_a_change_and_its_interval_agree_with_the_published_formula() -> None:
    result = difference(0.40, 600, 0.45, 800)
    low, high, p_value = reference_change(0.40, 600, 0.45, 800)
    assert result.change == pytest.approx(0.05)
    assert (result.low, result.high) == pytest.approx((low, high))
    assert result.p_value == pytest.approx(p_value)
    # Worked by hand: 241/602 = 0.40033 and 361/802 = 0.45012; se = 0.026612; z = 1.871.
    assert result.p_value == pytest.approx(0.0613, abs=0.0005)
    assert result.low < 0 < result.high


def test_a_share_of_nought_in_a_small_wave_does_not_make_a_change_certain() -> None:
    # 0 of 59 before, 4.5% of 1,500 now: with the plain variance p(1 - p)/n the earlier share
    # would have no uncertainty at all and the rise would look certain (+3.4 to +5.6 points).
    result = difference(0.0, 59, 0.045, 1500)
    assert result.low < 0 < result.high
    assert result.p_value > 0.05
    assert difference(0.0, 50, 0.0, 80).low < 0 < difference(0.0, 50, 0.0, 80).high
    with pytest.raises(ValueError):
        difference(0.5, 0, 0.5, 10)


def close_and_start_next_wave(questionnaire: Questionnaire | None = None) -> Survey:
    survey = open_survey()
    assert survey is not None
    setup_data.set_survey_status(survey, "closed")
    db.session.commit()
    return setup_data.new_wave(survey.slug, questionnaire, open_it=True).survey


def by_key(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in rows}


@pytest.fixture
def two_waves(app: Flask) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Wave 1 and wave 2 of the demo (wave 2 a little safer after dark), final reports of each."""
    with app.app_context():
        seed_responses(count=3000)
        first = build_final_report(db.engine, open_survey().id)  # type: ignore[union-attr]
        second_wave = close_and_start_next_wave()
        seed_responses(count=3000, survey=second_wave)
        second = build_final_report(db.engine, second_wave.id)
        yield first, second


def test_the_second_wave_compares_each_headline_indicator_with_the_first(two_waves) -> None:
    first, second = two_waves
    assert first["comparison"] is None
    comparison = second["comparison"]
    assert comparison["previous"]["wave"] == 1 and comparison["weighted"]
    before = by_key(first["weighted_results"]["indicators"])
    after = by_key(second["weighted_results"]["indicators"])
    changes = comparison["indicators"]
    assert [row["key"] for row in changes] == [
        row["key"] for row in second["weighted_results"]["indicators"] if row["kind"] == "headline"
    ]
    p_values = []
    for row in changes:
        was, now = before[row["key"]], after[row["key"]]
        assert row["previous_share"] == was["weighted_share"]
        assert row["current_share"] == now["weighted_share"]
        low, high, p_value = reference_change(
            was["weighted_share"], was["effective_n"], now["weighted_share"], now["effective_n"]
        )
        # The reports publish effective sizes to one decimal place.
        assert row["change"] == pytest.approx(now["weighted_share"] - was["weighted_share"])
        assert row["change_low"] < row["change"] < row["change_high"]
        assert (row["change_low"], row["change_high"]) == pytest.approx((low, high), abs=2e-4)
        p_values.append(p_value)
    assert [row["significant"] for row in changes] == holm(p_values)
    # The demo's second wave is four points safer after dark, and the report finds it.
    safe = next(row for row in changes if row["key"] == "very_or_fairly_safe_after_dark")
    assert safe["significant"] and safe["direction"] == "up" and safe["change_low"] > 0


def test_each_question_is_one_family_of_answers(two_waves) -> None:
    first, second = two_waves
    comparison = second["comparison"]
    # The same questionnaire both times: only questions the demo never answers are left out.
    assert comparison["not_compared"]
    assert all(row["reason"].startswith("Nobody answered it") for row in comparison["not_compared"])

    def options(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {
            (table["answer_id"], option["value"]): option
            for question in report["questions"]
            for table in question["tables"]
            for option in table["options"]
        }

    before, after = options(first), options(second)
    for question in comparison["questions"]:
        p_values = []
        for row in question["changes"]:
            value = row["key"].rsplit(":", 1)[1]
            was, now = before[(question["answer_id"], value)], after[(question["answer_id"], value)]
            assert (row["previous_share"], row["current_share"]) == (
                was["weighted_share"],
                now["weighted_share"],
            )
            if row["change"] is None:
                assert was["weighted_share"] is None or now["weighted_share"] is None
                continue
            *_, p_value = reference_change(
                was["weighted_share"],
                was["effective_n"],
                now["weighted_share"],
                now["effective_n"],
            )
            p_values.append(p_value)
        tested = [row["significant"] for row in question["changes"] if row["change"] is not None]
        assert tested == holm(p_values), question["answer_id"]


def test_the_report_shows_the_change_in_its_summary_table_and_workbook(two_waves, tmp_path):
    _, second = two_waves
    page = BeautifulSoup(render_html(second), "html.parser")
    text = visible(str(page))
    safe = next(
        row
        for row in second["comparison"]["indicators"]
        if row["key"] == "very_or_fairly_safe_after_dark"
    )
    points = f"{safe['change'] * 100:.1f}"
    summary = visible(str(page.select_one("section.summary")))
    assert f"up {points} points since wave 1 ({safe['previous_share']:.1%})" in summary
    assert "a significant change" in summary
    assert "Change since wave 1" in [a.get_text() for a in page.select("nav.contents a")]
    rows = table_rows(page, "Headline indicators, wave 1 and this wave (weighted)")
    assert rows[0] == [
        "Feel very or fairly safe walking alone after dark",
        f"{safe['previous_share']:.1%}",
        f"{safe['current_share']:.1%}",
        f"+{points}",
        f"+{safe['change_low'] * 100:.1f} to +{safe['change_high'] * 100:.1f}",
        "Yes: up",
    ]
    assert "Holm" in text

    path = render_xlsx(second, tmp_path / "final.xlsx")
    sheet = load_workbook(path)["Change since wave 1"]
    header, first_row = [list(row) for row in sheet.iter_rows(max_row=2, values_only=True)]
    assert header[3:7] == [
        "Indicator or answer",
        "Wave 1 share",
        "This wave's share",
        "Change (percentage points)",
    ]
    assert first_row[3] == "Feel very or fairly safe walking alone after dark"
    assert first_row[6] == pytest.approx(safe["change"] * 100, abs=0.01)
    assert first_row[9] == "Yes: up"


def test_a_question_asked_differently_is_not_compared(app: Flask) -> None:
    with app.app_context():
        seed_responses(count=400)
        survey = open_survey()
        assert survey is not None
        definition = copy.deepcopy(survey.definition)
        definition["version"] = 2
        questions = {q["id"]: q for page in definition["pages"] for q in page["questions"]}
        questions["safe_after_dark"]["label"] = "How safe do you feel in your area after dark?"
        questions["victim"]["options"].insert(1, {"value": "not_sure", "label": "Not sure"})
        second_wave = close_and_start_next_wave(Questionnaire(definition))
        seed_responses(count=400, survey=second_wave)
        comparison = build_final_report(db.engine, second_wave.id)["comparison"]

    not_compared = {row["label"]: row["reason"] for row in comparison["not_compared"]}
    assert not_compared["Feel very or fairly safe walking alone after dark"] == (
        "The question's wording changed."
    )
    assert not_compared["How safe do you feel in your area after dark?"] == (
        "The question's wording changed."
    )
    assert "Its answer options changed." in {
        not_compared["Victim of a crime in Milton Keynes in the last 12 months"],
        not_compared["Reported all or some of it to the police"],
    }
    compared = {row["key"] for row in comparison["indicators"]}
    assert compared == {"high_perceived_asb", "police_council_dealing"}
    assert {q["answer_id"] for q in comparison["questions"]}.isdisjoint(
        {"safe_after_dark", "victim"}
    )


def test_small_waves_publish_no_count_under_ten_and_withhold_their_changes(app: Flask) -> None:
    with app.app_context():
        seed_responses(count=60)
        second_wave = close_and_start_next_wave()
        seed_responses(count=60, survey=second_wave)
        comparison = build_final_report(db.engine, second_wave.id)["comparison"]

    rows = comparison["indicators"] + [
        row for question in comparison["questions"] for row in question["changes"]
    ]
    counts = [row[name] for row in rows for name in ("previous_n", "current_n")]
    assert all(isinstance(c, str) or c == 0 or c >= 10 for c in counts)
    withheld = [
        row for row in rows if row["previous_share"] is None or row["current_share"] is None
    ]
    assert withheld, "60 responses leave some answer chosen by fewer than 10"
    assert all(
        row["change"] is None and row["change_low"] is None and row["significant"] is None
        for row in withheld
    )


def test_an_imported_wave_is_compared_only_on_what_its_export_asked(app: Flask) -> None:
    from pathlib import Path

    from survey_app.wave_import import import_wave

    examples = Path(__file__).resolve().parents[2] / "docs" / "examples"
    with app.app_context():
        import_wave(
            examples / "wave-2023-responses.csv",
            examples / "wave-2023-mapping.csv",
            wave=0,
            slug="safermk-perceptions",
        )
        seed_responses(count=600)
        comparison = build_final_report(db.engine, open_survey().id)["comparison"]  # type: ignore[union-attr]

    assert comparison["previous"]["wave"] == 0
    assert comparison["previous"]["imported_from"] == "wave-2023-responses.csv"
    not_compared = {row["label"]: row["reason"] for row in comparison["not_compared"]}
    # The example export has no anti-social behaviour grid: nobody answered it in wave 0.
    assert not_compared[
        "High level of perceived anti-social behaviour (score 11 or more of 21)"
    ] == ("Nobody answered it in wave 0: it was not asked, or not imported.")
    # It offered four of the nine priorities: the others are never shown as rising from 0%.
    priorities = not_compared["Which of these should SaferMK focus on in your area?"]
    assert priorities.startswith("Wave 0 was imported from wave-2023-responses.csv, and none")
    compared = {question["answer_id"] for question in comparison["questions"]}
    assert "priorities" not in compared and not compared & set(ASB_STRANDS)
    # What the export did ask, with every answer given by someone, is compared.
    assert {"safe_after_dark", "victim"} <= compared
    for row in comparison["indicators"] + [
        change for question in comparison["questions"] for change in question["changes"]
    ]:
        assert row["previous_share"] != 0 or row["change"] is None, row
