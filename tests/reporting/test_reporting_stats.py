import math

import pytest
from scipy.stats import binomtest, chi2_contingency

from reporting.stats import (
    holm_adjust,
    proportion_interval_weighted,
    proportion_score_test_p_value,
    two_proportion_difference_significant,
    two_proportion_z_test_p_value,
    wilson_interval,
)

WILSON_CASES = [(0, 1), (0, 20), (1, 20), (7, 20), (20, 20), (3, 400), (150, 400), (999, 1000)]


@pytest.mark.parametrize(("successes", "n"), WILSON_CASES)
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_wilson_interval_matches_scipy_wilson_without_continuity_correction(
    successes, n, confidence
):
    expected = binomtest(successes, n).proportion_ci(confidence_level=confidence, method="wilson")

    low, high = wilson_interval(successes, n, confidence)

    assert low == pytest.approx(expected.low, abs=1e-12)
    assert high == pytest.approx(expected.high, abs=1e-12)


def test_wilson_interval_with_no_observations_is_the_whole_unit_interval():
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_wilson_interval_refuses_more_successes_than_trials():
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(5, 4)


def test_weighted_interval_on_a_whole_effective_n_equals_the_plain_wilson_interval():
    assert proportion_interval_weighted(0.3, 100) == pytest.approx(wilson_interval(30, 100))


def test_weighted_interval_uses_a_fractional_effective_n_in_the_wilson_formula():
    estimate, effective_n, z = 0.42, 123.4, 1.959963984540054
    centre = (estimate + z * z / (2 * effective_n)) / (1 + z * z / effective_n)
    half_width = (z / (1 + z * z / effective_n)) * math.sqrt(
        estimate * (1 - estimate) / effective_n + z * z / (4 * effective_n**2)
    )

    low, high = proportion_interval_weighted(estimate, effective_n)

    assert low == pytest.approx(centre - half_width, abs=1e-12)
    assert high == pytest.approx(centre + half_width, abs=1e-12)


def test_weighted_interval_with_no_effective_sample_is_the_whole_unit_interval():
    assert proportion_interval_weighted(0.5, 0) == (0.0, 1.0)


def test_holm_adjustment_matches_a_hand_computed_example_in_the_original_order():
    # Sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> 0.06
    # (the running maximum keeps the adjusted values in order).
    adjusted = holm_adjust([0.01, 0.04, 0.03, 0.005])

    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_adjusted_p_values_never_exceed_one():
    assert holm_adjust([0.5, 0.6]) == [1.0, 1.0]


def test_holm_adjustment_of_nothing_is_nothing():
    assert holm_adjust([]) == []


def test_holm_adjustment_refuses_values_that_are_not_p_values():
    with pytest.raises(ValueError, match="p-values"):
        holm_adjust([0.2, 1.5])


def test_score_test_p_value_matches_a_hand_computed_z():
    # 6 of 100 against 0.1: z = (0.06 - 0.1) / sqrt(0.1 * 0.9 / 100) = -4/3.
    assert proportion_score_test_p_value(6, 100, 0.1) == pytest.approx(0.182422, abs=1e-6)
    assert proportion_score_test_p_value(6, 100, 0.1, "less") == pytest.approx(0.0912112, abs=1e-6)
    assert proportion_score_test_p_value(6, 100, 0.1, "greater") == pytest.approx(
        1 - 0.0912112, abs=1e-6
    )


@pytest.mark.parametrize(("successes", "n"), [(0, 400), (28, 200), (6, 100), (20, 100)])
@pytest.mark.parametrize("null_proportion", [0.05, 0.1, 0.2, 0.5])
def test_score_test_rejects_exactly_when_the_share_is_outside_the_wilson_interval(
    successes, n, null_proportion
):
    low, high = wilson_interval(successes, n, 0.95)
    outside = null_proportion < low or null_proportion > high

    rejected = proportion_score_test_p_value(successes, n, null_proportion) < 0.05

    assert rejected == outside


def test_two_proportion_z_test_agrees_with_the_uncorrected_chi_square_on_the_2x2_table():
    table = [[45, 55], [20, 80]]
    expected = chi2_contingency(table, correction=False).pvalue

    assert two_proportion_z_test_p_value(45, 100, 20, 100) == pytest.approx(expected)


def test_two_proportion_difference_is_significant_only_with_enough_evidence():
    # 30% v 20% of 100 each: pooled z = 0.1 / sqrt(0.25 * 0.75 * 0.02) = 1.633, p = 0.10.
    assert two_proportion_z_test_p_value(30, 100, 20, 100) == pytest.approx(0.102470, abs=1e-6)
    assert not two_proportion_difference_significant(30, 100, 20, 100)
    assert two_proportion_difference_significant(45, 100, 20, 100)


def test_two_proportion_test_with_an_empty_side_finds_no_difference():
    assert two_proportion_z_test_p_value(0, 0, 20, 100) == 1.0
