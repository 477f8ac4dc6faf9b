"""Headline indicators computed in SQL, checked against hand-made responses."""

from __future__ import annotations

from flask import Flask

from reporting.indicators import (
    compute_indicators,
    headline_indicator_definitions,
    priority_options,
)
from reporting.queries import find_survey
from survey_app.extensions import db

from .demo_data import add_response

ALL_FAIRLY_BIG = {
    strand: "fairly_big_problem"
    for strand in (
        "asb_noisy_neighbours",
        "asb_teenagers",
        "asb_litter",
        "asb_vandalism",
        "asb_drugs",
        "asb_drunk",
        "asb_abandoned_cars",
    )
}


def indicators_by_key(dimensions: tuple[str, ...] = ("sex",)) -> dict[str, dict]:
    survey = find_survey(db.engine)
    assert survey is not None
    definitions = headline_indicator_definitions(priority_options(survey["definition"]))
    results = compute_indicators(db.engine, survey["id"], definitions, dimensions)
    return {result["key"]: result for result in results}


def test_never_walking_alone_after_dark_stays_in_the_safety_denominator(app: Flask) -> None:
    with app.app_context():
        for answer in ("very_safe", "fairly_safe", "very_unsafe", "never_walk_alone"):
            add_response(answers={"safe_after_dark": answer})
        add_response(answers={})

        safe = indicators_by_key()["very_or_fairly_safe_after_dark"]

    assert (safe["numerator"], safe["n"]) == (2, 4)


def test_asb_score_counts_only_full_answers_without_dont_know(app: Flask) -> None:
    with app.app_context():
        # 7 x 2 = 14: high. 6 x 2 + 0 = 12: high. 7 x 1 = 7: not high.
        add_response(answers=ALL_FAIRLY_BIG)
        add_response(answers={**ALL_FAIRLY_BIG, "asb_drunk": "not_a_problem_at_all"})
        add_response(answers=dict.fromkeys(ALL_FAIRLY_BIG, "not_a_very_big_problem"))
        add_response(answers={**ALL_FAIRLY_BIG, "asb_litter": "dont_know"})
        add_response(answers={**ALL_FAIRLY_BIG, "asb_litter": None})

        asb = indicators_by_key()["high_perceived_asb"]

    assert (asb["numerator"], asb["n"]) == (2, 3)


def test_dont_know_counts_in_the_confidence_denominator(app: Flask) -> None:
    with app.app_context():
        for answer in ("strongly_agree", "tend_to_agree", "tend_to_disagree", "dont_know"):
            add_response(answers={"police_council_dealing": answer})

        dealing = indicators_by_key()["police_council_dealing"]

    assert (dealing["numerator"], dealing["n"]) == (2, 4)


def test_victims_and_reporting_leave_out_prefer_not_to_say(app: Flask) -> None:
    with app.app_context():
        add_response(answers={"victim": "yes", "reported": "some"})
        add_response(answers={"victim": "yes", "reported": "no"})
        add_response(answers={"victim": "no"})
        add_response(answers={"victim": "prefer_not_to_say"})

        results = indicators_by_key()

    victim, reported = results["victim_last_12_months"], results["reported_to_police"]
    assert (victim["numerator"], victim["n"]) == (2, 3)
    assert (reported["numerator"], reported["n"]) == (1, 2)


def test_priorities_are_shares_of_those_who_chose_any(app: Flask) -> None:
    with app.app_context():
        add_response(answers={"priorities": ["road_safety", "reducing_violence"]})
        add_response(answers={"priorities": ["road_safety"]})
        add_response(answers={"priorities": []})
        add_response(answers={})

        results = indicators_by_key()

    road_safety = results["priority_road_safety"]
    assert (road_safety["numerator"], road_safety["n"]) == (2, 2)
    assert results["priority_reducing_violence"]["numerator"] == 1


def test_breakdowns_mark_a_group_that_differs_from_the_rest(app: Flask) -> None:
    with app.app_context():
        for _ in range(60):
            add_response(answers={"safe_after_dark": "very_safe"}, sex="male")
        for _ in range(60):
            add_response(answers={"safe_after_dark": "very_unsafe"}, sex="female")

        breakdown = indicators_by_key()["very_or_fairly_safe_after_dark"]["breakdowns"]["sex"]

    by_sex = {row["category"]: row for row in breakdown}
    assert by_sex["male"]["differs_from_rest"] and by_sex["male"]["direction"] == "higher"
    assert by_sex["female"]["direction"] == "lower"
