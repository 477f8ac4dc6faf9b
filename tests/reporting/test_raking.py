import math

import numpy as np
import pytest

from reporting.weighting import kish_design_effect, rake


def respondents_from_table(table, row_labels, column_labels):
    """One respondent per unit of each cell count, as raking sees a sample."""
    rows, columns = [], []
    for row_label, counts in zip(row_labels, table, strict=True):
        for column_label, count in zip(column_labels, counts, strict=True):
            rows += [row_label] * count
            columns += [column_label] * count
    return {"row": rows, "column": columns}


def fitted_cell_totals(result, sample, grand_total):
    """Weighted respondents per cell, scaled from mean weight 1 to the target grand total."""
    scale = grand_total / len(result.weights)
    totals = {}
    for weight, row, column in zip(result.weights, sample["row"], sample["column"], strict=True):
        totals[(row, column)] = totals.get((row, column), 0.0) + weight * scale
    return totals


def reference_ipf(table, row_targets, column_targets):
    """Textbook two-way IPF on a contingency table, written independently of rake()."""
    fitted = [[float(cell) for cell in row] for row in table]
    for _ in range(10_000):
        for i, row in enumerate(fitted):
            row_sum = sum(row)
            fitted[i] = [cell * row_targets[i] / row_sum for cell in row]
        for j in range(len(column_targets)):
            column_sum = sum(row[j] for row in fitted)
            for row in fitted:
                row[j] *= column_targets[j] / column_sum
        row_gap = max(
            abs(sum(row) - target) for row, target in zip(fitted, row_targets, strict=True)
        )
        if row_gap < 1e-12:
            return fitted
    raise AssertionError("reference IPF did not converge")


def test_raking_klemens_survey_table_matches_the_closed_form_solution():
    # Klemens, "Modeling with Data" (2008), raking example: survey cells 7 9 / 12 7 raked to
    # census margins rows 5, 15 and columns 10, 10. IPF keeps the cross-product ratio
    # (7 x 7) / (9 x 12), so with m11 = x the fitted table is x, 5 - x / 10 - x, 5 + x and
    # x (5 + x) / ((5 - x)(10 - x)) = 49 / 108, i.e. 59 x^2 + 1275 x - 2450 = 0.
    sample = respondents_from_table([[7, 9], [12, 7]], ["r1", "r2"], ["c1", "c2"])
    x = (-1275 + math.sqrt(1275**2 + 4 * 59 * 2450)) / (2 * 59)

    result = rake(sample, {"row": {"r1": 5, "r2": 15}, "column": {"c1": 10, "c2": 10}})

    fitted = fitted_cell_totals(result, sample, grand_total=20)
    assert result.converged
    assert x == pytest.approx(1.7757, abs=1e-4)
    assert fitted[("r1", "c1")] == pytest.approx(x, abs=1e-4)
    assert fitted[("r1", "c2")] == pytest.approx(5 - x, abs=1e-4)
    assert fitted[("r2", "c1")] == pytest.approx(10 - x, abs=1e-4)
    assert fitted[("r2", "c2")] == pytest.approx(5 + x, abs=1e-4)


def test_raking_four_by_four_table_matches_an_independent_contingency_table_ipf():
    # The classic 4 x 4 seed with unequal margins used to illustrate IPF (as in the
    # Wikipedia article), checked against the loop implementation above to 4 decimals.
    # Cells are counts out of 1000, so 4 decimals need shares to well below the default tol.
    table = [[40, 30, 20, 10], [35, 50, 100, 75], [30, 80, 70, 120], [20, 30, 40, 50]]
    row_targets = [150, 300, 400, 150]
    column_targets = [200, 300, 400, 100]
    labels = ["1", "2", "3", "4"]
    sample = respondents_from_table(table, labels, labels)

    result = rake(
        sample,
        {
            "row": dict(zip(labels, row_targets, strict=True)),
            "column": dict(zip(labels, column_targets, strict=True)),
        },
        tol=1e-10,
    )

    fitted = fitted_cell_totals(result, sample, grand_total=1000)
    reference = reference_ipf(table, row_targets, column_targets)
    assert result.converged
    for i, row_label in enumerate(labels):
        for j, column_label in enumerate(labels):
            assert fitted[(row_label, column_label)] == pytest.approx(reference[i][j], abs=1e-4)


def test_raked_weighted_margins_equal_the_targets():
    table = [[40, 30, 20, 10], [35, 50, 100, 75], [30, 80, 70, 120], [20, 30, 40, 50]]
    labels = ["1", "2", "3", "4"]
    sample = respondents_from_table(table, labels, labels)
    targets = {
        "row": {"1": 150, "2": 300, "3": 400, "4": 150},
        "column": {"1": 200, "2": 300, "3": 400, "4": 100},
    }

    result = rake(sample, targets)

    weights = result.weights
    for dimension, target in targets.items():
        labels_array = np.array(sample[dimension])
        for category, count in target.items():
            share = weights[labels_array == category].sum() / weights.sum()
            assert share == pytest.approx(count / 1000, abs=1e-6)
    assert result.max_margin_error <= 1e-6


def test_raking_weights_have_mean_one():
    sample = respondents_from_table([[7, 9], [12, 7]], ["r1", "r2"], ["c1", "c2"])

    result = rake(sample, {"row": {"r1": 5, "r2": 15}, "column": {"c1": 10, "c2": 10}})

    assert result.weights.mean() == pytest.approx(1.0, abs=1e-12)
    assert len(result.weights) == 35


def test_targets_as_counts_or_as_shares_give_the_same_weights():
    sample = respondents_from_table([[7, 9], [12, 7]], ["r1", "r2"], ["c1", "c2"])

    from_counts = rake(sample, {"row": {"r1": 5, "r2": 15}, "column": {"c1": 10, "c2": 10}})
    from_shares = rake(sample, {"row": {"r1": 0.25, "r2": 0.75}, "column": {"c1": 0.5, "c2": 0.5}})

    np.testing.assert_allclose(from_counts.weights, from_shares.weights, atol=1e-12)


def test_running_out_of_iterations_is_reported_as_not_converged():
    sample = respondents_from_table([[7, 9], [12, 7]], ["r1", "r2"], ["c1", "c2"])

    result = rake(sample, {"row": {"r1": 5, "r2": 15}, "column": {"c1": 10, "c2": 10}}, max_iter=1)

    assert not result.converged
    assert result.iterations == 1
    assert result.max_margin_error > 1e-6
    assert result.to_dict()["converged"] is False


def test_sample_already_on_target_needs_no_iterations():
    result = rake({"sex": ["f", "m"]}, {"sex": {"f": 1, "m": 1}})

    assert result.converged
    assert result.iterations == 0
    np.testing.assert_array_equal(result.weights, [1.0, 1.0])


def capped_sample():
    # Cells f/young 40, f/old 40, m/young 2, m/old 18, raked to 50/50 on both. Uncapped, IPF
    # gives young men 6.25 each; margins can still be met with them at 4:
    # f/young 1.05, f/old 0.2, m/young 4, m/old 42/18.
    return {
        "sex": ["f"] * 80 + ["m"] * 20,
        "age": ["young"] * 40 + ["old"] * 40 + ["young"] * 2 + ["old"] * 18,
    }


CAPPED_TARGETS = {"sex": {"f": 50, "m": 50}, "age": {"young": 50, "old": 50}}


def test_uncapped_raking_of_the_capped_example_gives_young_men_the_largest_weight():
    result = rake(capped_sample(), CAPPED_TARGETS)

    assert result.weights.max() == pytest.approx(6.25, abs=1e-4)


def test_cap_keeps_every_weight_within_cap_times_mean_while_meeting_the_margins():
    result = rake(capped_sample(), CAPPED_TARGETS, cap=4.0)

    assert result.converged
    assert result.weights.max() <= 4.0 * result.weights.mean() * (1 + 1e-9)
    assert result.max_margin_error <= 1e-6
    assert result.weights[80] == pytest.approx(4.0, abs=1e-4)
    assert result.weights[0] == pytest.approx(1.05, abs=1e-4)
    assert result.weights[40] == pytest.approx(0.2, abs=1e-4)
    assert result.weights[99] == pytest.approx(42 / 18, abs=1e-4)


def test_cap_lowers_the_design_effect():
    uncapped = rake(capped_sample(), CAPPED_TARGETS)
    capped = rake(capped_sample(), CAPPED_TARGETS, cap=4.0)

    assert capped.design_effect < uncapped.design_effect


def test_cap_that_cannot_be_met_with_the_margins_is_reported_as_not_converged():
    # 10 men must carry half the weight of 100 respondents: 5 each, above a cap of 3.
    result = rake({"sex": ["f"] * 90 + ["m"] * 10}, {"sex": {"f": 50, "m": 50}}, cap=3.0)

    assert not result.converged
    assert result.iterations == 100
    assert result.weights.max() <= 3.0 * (1 + 1e-9)
    assert result.max_margin_error > 1e-6


def test_target_category_without_respondents_is_refused_naming_it():
    sample = {"ethnic_group": ["white", "asian", "white"]}
    targets = {"ethnic_group": {"white": 70, "asian": 20, "mixed": 10}}

    with pytest.raises(ValueError, match=r"'ethnic_group'.*'mixed'.*no respondents"):
        rake(sample, targets)


def test_respondent_category_without_a_target_is_refused_naming_it():
    sample = {"tenure": ["owned", "social_rented", "lives_on_boat"]}
    targets = {"tenure": {"owned": 60, "social_rented": 40}}

    with pytest.raises(ValueError, match=r"'tenure'.*'lives_on_boat'.*no target"):
        rake(sample, targets)


def test_collapse_merges_an_empty_category_into_its_neighbour():
    sample = {"ethnic_group": ["white"] * 6 + ["asian"] * 2 + ["other"] * 2}
    targets = {"ethnic_group": {"white": 70, "asian": 20, "mixed": 6, "other": 4}}

    result = rake(sample, targets, collapse={"ethnic_group": {"mixed": "other"}})

    assert result.converged
    assert result.weighted_shares["ethnic_group"]["other"] == pytest.approx(0.10, abs=1e-6)
    assert result.weighted_shares["ethnic_group"]["white"] == pytest.approx(0.70, abs=1e-6)
    assert "mixed" not in result.target_shares["ethnic_group"]


def test_collapse_naming_an_unknown_category_is_refused():
    with pytest.raises(ValueError, match="'mixd'"):
        rake({"sex": ["f", "m"]}, {"sex": {"f": 1, "m": 1}}, collapse={"sex": {"mixd": "f"}})


def test_unanswered_dimension_leaves_a_respondents_weight_alone_in_that_step():
    # Answerers: 3 women, 1 man, raked to 50/50 among the 4 answerers (total weight 4 kept):
    # women 2/3 each, the man 2. The respondent who left sex blank keeps weight 1.
    result = rake({"sex": ["f", "f", "f", "m", None]}, {"sex": {"f": 1, "m": 1}})

    np.testing.assert_allclose(result.weights, [2 / 3, 2 / 3, 2 / 3, 2.0, 1.0], atol=1e-9)
    assert result.weighted_shares["sex"] == pytest.approx({"f": 0.5, "m": 0.5}, abs=1e-9)


def test_margins_with_unanswered_dimensions_are_met_among_answerers_only():
    sample = {
        "sex": ["f", "f", "f", "m", None, "m", "f", None],
        "age": ["young", None, "old", "old", "young", "young", "old", "old"],
    }
    targets = {"sex": {"f": 40, "m": 60}, "age": {"young": 30, "old": 70}}

    result = rake(sample, targets)

    weights = result.weights
    for dimension, target in targets.items():
        labels = np.array(sample[dimension], dtype=object)
        answered_weight = weights[labels != None].sum()  # noqa: E711 (elementwise)
        for category, count in target.items():
            share = weights[labels == category].sum() / answered_weight
            assert share == pytest.approx(count / 100, abs=1e-6)
    assert result.converged


def test_kish_design_effect_matches_a_hand_computation():
    # n = 4, sum w^2 = 1 + 1 + 4 + 16 = 22, (sum w)^2 = 64: 4 x 22 / 64 = 1.375.
    assert kish_design_effect([1.0, 1.0, 2.0, 4.0]) == pytest.approx(1.375)


def test_rake_reports_kish_design_effect_and_effective_n():
    # Weights 2/3, 2/3, 2/3, 2, 1: sum 5, sum of squares 4/3 + 4 + 1 = 19/3.
    result = rake({"sex": ["f", "f", "f", "m", None]}, {"sex": {"f": 1, "m": 1}})

    assert result.design_effect == pytest.approx(5 * (19 / 3) / 25)
    assert result.effective_n == pytest.approx(5 / (5 * (19 / 3) / 25))


@pytest.mark.parametrize(
    ("sample", "targets", "message"),
    [
        ({}, {}, "no dimensions"),
        ({"sex": []}, {"sex": {"f": 1}}, "no respondents"),
        ({"sex": ["f", "m"], "age": ["old"]}, {"sex": {}, "age": {}}, "one label per respondent"),
        ({"sex": ["f", "m"]}, {"sex": {"f": -1, "m": 2}}, r"'sex'.*'f'.*non-negative"),
        ({"sex": ["f", "m"]}, {"age": {"old": 1}}, "no targets for dimension"),
        ({"sex": [None, None]}, {"sex": {"f": 1}}, "no respondent answered"),
    ],
)
def test_invalid_inputs_are_refused_with_a_clear_message(sample, targets, message):
    with pytest.raises(ValueError, match=message):
        rake(sample, targets)


def test_cap_must_exceed_the_mean_weight():
    with pytest.raises(ValueError, match="cap"):
        rake({"sex": ["f", "m"]}, {"sex": {"f": 1, "m": 1}}, cap=1.0)


def test_cells_with_frequencies_match_the_closed_form_solution():
    # The Klemens table again, given as its four cells with their counts instead of 35 rows.
    x = (-1275 + math.sqrt(1275**2 + 4 * 59 * 2450)) / (2 * 59)
    cells = {"row": ["r1", "r1", "r2", "r2"], "column": ["c1", "c2", "c1", "c2"]}

    result = rake(
        cells,
        {"row": {"r1": 5, "r2": 15}, "column": {"c1": 10, "c2": 10}},
        frequencies=[7, 9, 12, 7],
    )

    # Each cell's respondents together carry count x weight; scaled from 35 to 20 people.
    fitted = [w * n * 20 / 35 for w, n in zip(result.weights, [7, 9, 12, 7], strict=True)]
    assert result.converged
    assert fitted == pytest.approx([x, 5 - x, 10 - x, 5 + x], abs=1e-4)


def test_capped_cells_give_each_respondent_the_worked_example_weights():
    # capped_sample() as cells: f/young 40, f/old 40, m/young 2, m/old 18.
    cells = {"sex": ["f", "f", "m", "m"], "age": ["young", "old", "young", "old"]}

    result = rake(cells, CAPPED_TARGETS, cap=4.0, frequencies=[40, 40, 2, 18])

    assert result.converged
    assert result.weights == pytest.approx([1.05, 0.2, 4.0, 42 / 18], abs=1e-4)
    # Kish over the 100 respondents: 100 x sum(n w^2) / (sum n w)^2.
    squares = 40 * 1.05**2 + 40 * 0.2**2 + 2 * 4.0**2 + 18 * (42 / 18) ** 2
    assert result.design_effect == pytest.approx(100 * squares / 100**2, rel=1e-4)
    assert result.effective_n == pytest.approx(100 / result.design_effect)


def test_cells_with_unanswered_dimensions_rake_as_their_respondents_would():
    # Three women, a man and a respondent who left sex blank, as cells.
    result = rake({"sex": ["f", "m", None]}, {"sex": {"f": 1, "m": 1}}, frequencies=[3, 1, 1])

    assert result.weights == pytest.approx([2 / 3, 2.0, 1.0], abs=1e-9)
    assert result.weighted_shares["sex"] == pytest.approx({"f": 0.5, "m": 0.5}, abs=1e-9)


def test_kish_design_effect_counts_each_weight_as_often_as_its_frequency():
    assert kish_design_effect([1.0, 3.0], frequencies=[3, 1]) == pytest.approx(
        kish_design_effect([1.0, 1.0, 1.0, 3.0])
    )
    assert kish_design_effect([1.0, 3.0], frequencies=[3, 1]) == pytest.approx(4 * 12 / 36)


@pytest.mark.parametrize("frequencies", [[1, 2], [1, 0, 2], [1, -1, 2], [1, float("nan"), 2]])
def test_frequencies_that_are_not_one_positive_count_per_row_are_refused(frequencies):
    with pytest.raises(ValueError, match="frequenc"):
        rake({"sex": ["f", "m", "f"]}, {"sex": {"f": 1, "m": 1}}, frequencies=frequencies)
