"""A respondent's weight is their cell's, however the report or the export looks it up."""

import numpy as np
import pytest

from reporting.survey_weights import SurveyWeights
from reporting.weighting import rake

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
