"""A respondent's weight is their cell's, however the report or the export looks it up."""

import csv
from pathlib import Path

import numpy as np
import pytest
from flask import Flask

from reporting.final import build_final_report
from reporting.queries import Benchmark
from reporting.survey_weights import (
    ORDERED_DIMENSIONS,
    RESIDUAL_CATEGORIES,
    WEIGHTING_DIMENSIONS,
    EmptyCategoryPlan,
    SurveyWeights,
    compute_survey_weights,
    plan_empty_categories,
)
from reporting.weighting import rake
from survey_app.extensions import db
from survey_app.responses import open_survey

from .demo_data import add_response

CELLS = [("f", "young"), ("f", "old"), ("m", "young"), ("m", "old"), (None, "old")]
COUNTS = [40, 40, 2, 18, 5]
TARGETS = {"sex": {"f": 50, "m": 50}, "age": {"young": 50, "old": 50}}


def cell_weights() -> SurveyWeights:
    result = rake(
        {"sex": [cell[0] for cell in CELLS], "age": [cell[1] for cell in CELLS]},
        TARGETS,
        cap=4.0,
        frequencies=COUNTS,
    )
    return SurveyWeights(CELLS, COUNTS, result, ("sex", "age"), {})


def test_codes_from_the_database_give_each_respondent_their_cells_weight() -> None:
    weights = cell_weights()
    of = dict(zip(CELLS, weights.result.weights.tolist(), strict=True))
    categories = {"sex": ["f", "m"], "age": ["old", "young"]}
    codes = np.array(
        [
            [0, 1],  # f, young
            [1, 0],  # m, old
            [-1, 0],  # sex not stated, old
            [1, -2],  # an age category nobody weighted had
            [-1, 1],  # sex not stated, young: a cell with no weighted respondent
        ],
        dtype=np.int16,
    )

    found = weights.weights_for_codes(codes, categories)

    assert found.tolist() == pytest.approx(
        [of[("f", "young")], of[("m", "old")], of[(None, "old")], 0.0, 0.0]
    )


def test_prefer_not_to_say_shares_the_weight_of_not_answering() -> None:
    weights = cell_weights()

    assert weights.weight_for({"sex": "prefer_not_to_say", "age": "old"}) == pytest.approx(
        weights.weight_for({"sex": None, "age": "old"})
    )
    assert weights.weight_for({"sex": "x", "age": "old"}) is None
    assert weights.respondents == 105
    assert weights.categories() == {"sex": ["f", "m"], "age": ["old", "young"]}


def test_without_weights_every_respondent_counts_once() -> None:
    unweighted = SurveyWeights([], [], None, (), {}, problem="No submitted responses yet")

    assert unweighted.weights_for_codes(np.zeros((3, 0), np.int16), {}).tolist() == [1, 1, 1]
    assert unweighted.weight_for({"sex": "f"}) is None


# An empty census category: how it is merged, or why its dimension is not weighted. These run
# on the real migrated database, with the census benchmark file loaded as in production.

CENSUS_FILE = (
    Path(__file__).resolve().parents[2] / "reporting" / "data" / "mk_census2021_16plus.csv"
)


def census_file() -> dict[str, dict[str, tuple[str, int]]]:
    """dimension -> category -> (label, count), straight from the benchmark file."""
    found: dict[str, dict[str, tuple[str, int]]] = {}
    with CENSUS_FILE.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found.setdefault(row["dimension"], {})[row["category"]] = (
                row["label"],
                int(row["count"]),
            )
    return found


def add_responses(rows: list[dict[str, str | None]], copies: int = 3) -> None:
    for row in rows:
        for _ in range(copies):
            add_response(**row)


def weights_of_open_survey() -> SurveyWeights:
    survey = open_survey()
    assert survey is not None
    return compute_survey_weights(db.engine, survey.id)


def test_every_nominal_weighting_dimension_states_its_residual_category_from_the_census() -> None:
    census = census_file()
    nominal = [d for d in WEIGHTING_DIMENSIONS if d not in ORDERED_DIMENSIONS]

    assert set(RESIDUAL_CATEGORIES) == set(nominal)
    assert sorted(ORDERED_DIMENSIONS) == ["age_band"]
    for dimension, residual in RESIDUAL_CATEGORIES.items():
        assert residual is None or residual in census[dimension], dimension
    assert census["ethnic_group"][RESIDUAL_CATEGORIES["ethnic_group"]][0] == "Other ethnic group"


def test_an_empty_nominal_category_is_merged_into_the_residual_not_its_neighbour(
    app: Flask,
) -> None:
    # Nobody is Mixed. In the file it sits between Black and White; the residual is Other.
    with app.app_context():
        add_responses(
            [
                {"ethnic_group": ethnic_group, "sex": sex}
                for ethnic_group in ("white", "white", "asian", "black", "other")
                for sex in ("female", "male")
            ]
        )

        weights = weights_of_open_survey()

    census = census_file()["ethnic_group"]
    assert weights.result is not None and weights.result.converged
    assert weights.problem is None
    assert weights.merged == {"ethnic_group": {"mixed": "other"}}
    assert weights.dimensions == ("sex", "ethnic_group")
    total = sum(count for _, count in census.values())
    assert weights.result.target_shares["ethnic_group"]["other"] == pytest.approx(
        (census["mixed"][1] + census["other"][1]) / total
    )
    assert weights.result.target_shares["ethnic_group"]["white"] == pytest.approx(
        census["white"][1] / total
    )
    note = weights.merge_notes["ethnic_group"]["mixed"]
    assert "'Mixed or Multiple ethnic groups'" in note
    assert "merged into the residual category 'Other ethnic group'" in note
    assert weights.not_weighted == {}


def test_an_empty_age_band_still_merges_into_its_nearest_neighbour(app: Flask) -> None:
    # Nobody aged 16-24 (an end band) or 55-64 (between 45-54 and 65-74, the busier one).
    with app.app_context():
        add_responses(
            [
                {"age_band": age_band, "sex": sex}
                for age_band in ("25-34", "35-44", "45-54", "65-74", "65-74", "75+")
                for sex in ("female", "male")
            ]
        )

        weights = weights_of_open_survey()

    assert weights.result is not None and weights.result.converged
    assert weights.problem is None
    assert weights.merged == {"age_band": {"16-24": "25-34", "55-64": "65-74"}}
    note = weights.merge_notes["age_band"]["16-24"]
    assert "'Aged 16 to 24'" in note
    assert "merged into the nearest band with respondents, 'Aged 25 to 34'," in note


@pytest.mark.parametrize(
    ("rows", "dimension", "named"),
    [
        # Tenure has no residual category: nobody owning outright cannot go anywhere.
        (
            [
                {"tenure": tenure, "sex": sex}
                for tenure in ("owns_mortgage", "social_rented", "private_rented")
                for sex in ("female", "male")
            ],
            "tenure",
            ["'Owns outright'", "Housing tenure", "no residual category"],
        ),
        # The case: nobody in Other ethnic group, which is itself the residual.
        (
            [
                {"ethnic_group": ethnic_group, "sex": sex}
                for ethnic_group in ("white", "asian", "black", "mixed")
                for sex in ("female", "male")
            ],
            "ethnic_group",
            ["'Other ethnic group'", "Ethnic group", "residual category"],
        ),
        # Nobody male: sex has two categories and neither is a residual.
        (
            [{"sex": "female", "age_band": age_band} for age_band in ("25-34", "45-54")],
            "sex",
            ["'Male'", "Sex", "no residual category"],
        ),
    ],
)
def test_a_nominal_dimension_without_a_usable_residual_is_refused_naming_the_category(
    app: Flask, rows: list[dict[str, str]], dimension: str, named: list[str]
) -> None:
    with app.app_context():
        add_responses(rows)

        weights = weights_of_open_survey()
        report = build_final_report(db.engine)

    assert weights.result is not None and weights.result.converged
    assert dimension not in weights.dimensions and len(weights.dimensions) == 1
    assert dimension not in weights.merged
    assert weights.problem is not None
    for words in named:
        assert words in weights.problem
        assert words in weights.not_weighted[dimension]
    # The final report is still made, weighted on the rest, and says what was left out.
    assert report["weighting"]["weighted"] is True
    assert any(weights.problem in message for message in report["messages"])


def test_refusing_the_only_answered_dimension_leaves_the_report_unweighted_and_says_why(
    app: Flask,
) -> None:
    with app.app_context():
        add_responses([{"sex": "female"}], copies=12)

        weights = weights_of_open_survey()
        report = build_final_report(db.engine)

    assert weights.result is None
    assert weights.problem is not None and "'Male'" in weights.problem
    assert report["weighting"]["weighted"] is False
    assert any(
        message.startswith("Weighting was not possible") and "'Male'" in message
        for message in report["messages"]
    )


def benchmark(dimension: str) -> Benchmark:
    rows = census_file()[dimension]
    return Benchmark(
        dimension,
        "Census 2021",
        2021,
        {category: count for category, (_, count) in rows.items()},
        {category: label for category, (label, _) in rows.items()},
    )


def test_every_empty_nominal_category_goes_to_the_residual_and_is_named_in_words() -> None:
    plan = plan_empty_categories(benchmark("ethnic_group"), {"white": 9, "asian": 2, "other": 1})

    assert plan.refusal is None
    assert plan.merges == {"black": "other", "mixed": "other"}
    assert set(plan.notes) == {"black", "mixed"}
    assert all("the residual category 'Other ethnic group'" in n for n in plan.notes.values())


def test_several_empty_categories_without_a_residual_are_all_named() -> None:
    plan = plan_empty_categories(benchmark("tenure"), {"owns_mortgage": 4, "social_rented": 2})

    assert plan.merges == {}
    assert plan.refusal is not None
    assert "'Owns outright' and 'Private rented or lives rent free'" in plan.refusal
    assert "no residual category to merge them into" in plan.refusal


def test_a_nominal_category_with_no_population_and_no_respondents_needs_no_merge() -> None:
    census = Benchmark("sex", "Census", 2021, {"female": 10, "male": 0}, {})

    assert plan_empty_categories(census, {"female": 3}) == EmptyCategoryPlan()
