import pytest
from scipy.stats import chisquare

from reporting.representativeness import (
    AS_EXPECTED,
    NOT_ENOUGH_RESPONSES,
    OVER_REPRESENTED,
    POSSIBLY_UNDER_REPRESENTED,
    UNDER_REPRESENTED,
    assess_dimension,
    chi_square_goodness_of_fit,
    count_target_progress,
    responses_needed,
)
from reporting.stats import wilson_interval

# Census 2021, Milton Keynes residents aged 16+ (shared/data/mk_census2021_16plus.csv).
MK_ETHNIC_GROUP = {
    "asian": 26061,
    "black": 19522,
    "mixed": 6062,
    "white": 168894,
    "other": 4294,
}


def test_group_with_no_respondents_where_twenty_were_expected_is_under_represented():
    # 5% of 400 answering = 20 expected; z = -0.05 / sqrt(0.05 * 0.95 / 400) = -4.59.
    result = assess_dimension("group", {"a": 0, "b": 400}, {"a": 50, "b": 950})

    missing = result.category("a")
    assert missing.expected_n == pytest.approx(20.0)
    assert missing.n == 0
    assert missing.representation_ratio == 0.0
    assert missing.wilson_high < missing.population_share
    assert missing.holm_adjusted_p_value == pytest.approx(8.9368e-6, rel=1e-3)
    assert missing.flag == UNDER_REPRESENTED


def test_large_group_slightly_above_its_share_is_as_expected_even_when_significant():
    # b is 100% against 95%: a real difference, but a ratio of 1.05 is not over-representation.
    result = assess_dimension("group", {"a": 0, "b": 400}, {"a": 50, "b": 950})

    assert result.category("b").holm_adjusted_p_value < 0.05
    assert result.category("b").flag == AS_EXPECTED


def test_shortfall_without_conclusive_evidence_is_possibly_under_represented():
    # 6 of 100 against 10%: ratio 0.6, z = -1.33, two-sided p = 0.18.
    result = assess_dimension("group", {"a": 6, "b": 94}, {"a": 100, "b": 900})

    shortfall = result.category("a")
    assert shortfall.representation_ratio == pytest.approx(0.6)
    assert shortfall.wilson_high > shortfall.population_share
    assert shortfall.flag == POSSIBLY_UNDER_REPRESENTED


def test_holm_adjustment_can_leave_a_nominally_significant_shortfall_only_possible():
    # 28 of 200 against 20%: the 95% interval (0.099, 0.195) lies below 0.2, p = 0.0339,
    # but three categories are tested so Holm makes it 3 x 0.0339 = 0.102.
    result = assess_dimension("group", {"a": 28, "b": 86, "c": 86}, {"a": 20, "b": 40, "c": 40})

    shortfall = result.category("a")
    assert shortfall.wilson_high == pytest.approx(0.194899, abs=1e-6)
    assert shortfall.p_value == pytest.approx(0.033895, abs=1e-6)
    assert shortfall.holm_adjusted_p_value == pytest.approx(0.101685, abs=1e-6)
    assert shortfall.flag == POSSIBLY_UNDER_REPRESENTED


def test_group_well_above_its_share_with_conclusive_evidence_is_over_represented():
    # 20 of 100 against 10%: ratio 2, z = 3.33, Holm-adjusted p = 2 x 0.00086.
    result = assess_dimension("group", {"a": 20, "b": 80}, {"a": 100, "b": 900})

    surplus = result.category("a")
    assert surplus.representation_ratio == pytest.approx(2.0)
    assert surplus.wilson_low > surplus.population_share
    assert surplus.flag == OVER_REPRESENTED
    assert result.category("b").flag == AS_EXPECTED


def test_group_at_its_population_share_is_as_expected():
    result = assess_dimension("group", {"a": 10, "b": 90}, {"a": 100, "b": 900})

    assert result.category("a").representation_ratio == pytest.approx(1.0)
    assert result.category("a").flag == AS_EXPECTED


def test_fewer_than_five_expected_is_not_enough_responses_even_with_nobody():
    # 4% of 100 = 4 expected: checked before any test, whatever the count.
    result = assess_dimension("group", {"a": 0, "b": 100}, {"a": 4, "b": 96})

    small = result.category("a")
    assert small.expected_n == pytest.approx(4.0)
    assert small.p_value is None
    assert small.flag == NOT_ENOUGH_RESPONSES


def test_shares_interval_and_expected_count_are_reported_per_category():
    result = assess_dimension("group", {"a": 28, "b": 86, "c": 86}, {"a": 20, "b": 40, "c": 40})

    row = result.category("a")
    assert row.n == 28
    assert row.sample_share == pytest.approx(0.14)
    assert row.population_share == pytest.approx(0.2)
    assert row.expected_n == pytest.approx(40.0)
    assert (row.wilson_low, row.wilson_high) == pytest.approx(wilson_interval(28, 200))
    assert row.responses_needed == 15
    assert row.to_dict()["flag"] == POSSIBLY_UNDER_REPRESENTED


def test_prefer_not_to_say_and_unanswered_are_left_out_of_the_shares():
    with_non_answers = assess_dimension(
        "group",
        {"a": 10, "b": 90, "prefer_not_to_say": 25, None: 5},
        {"a": 100, "b": 900},
    )
    without = assess_dimension("group", {"a": 10, "b": 90}, {"a": 100, "b": 900})

    assert with_non_answers.total_answered == 100
    assert with_non_answers.not_stated == 30
    assert with_non_answers.categories == without.categories


def test_population_category_with_no_respondent_row_counts_as_zero_respondents():
    result = assess_dimension("group", {"b": 400}, {"a": 50, "b": 950})

    assert result.category("a").n == 0
    assert result.category("a").flag == UNDER_REPRESENTED


def test_respondent_category_without_a_population_count_is_refused_by_name():
    with pytest.raises(ValueError, match=r"'ethnic_group'.*'white_british'"):
        assess_dimension("ethnic_group", {"white_british": 3}, MK_ETHNIC_GROUP)


def test_dimension_with_no_answers_has_no_shares_and_no_flags_beyond_not_enough():
    result = assess_dimension("group", {"prefer_not_to_say": 4}, {"a": 50, "b": 950})

    assert result.total_answered == 0
    assert all(row.sample_share is None for row in result.categories)
    assert {row.flag for row in result.categories} == {NOT_ENOUGH_RESPONSES}


@pytest.mark.parametrize(
    ("n_group", "n_total", "population_share", "needed"),
    [
        (10, 100, 0.2, 13),  # (20 - 10) / 0.8 = 12.5 -> 13: 23/113 >= 0.2 > 22/112
        (0, 400, 0.05, 22),  # 20 / 0.95 = 21.05 -> 22
        (30, 100, 0.2, 0),  # already above the share
        (10, 100, 0.1, 0),  # exactly at the share
        (0, 9, 0.1, 1),  # 1/10 reaches 0.1 although 0.9 / 0.9 rounds up in floating point
        (0, 0, 0.3, 0),  # no answers yet: there is no share, so no shortfall
    ],
)
def test_responses_needed_is_the_fewest_extra_group_responses_reaching_the_share(
    n_group, n_total, population_share, needed
):
    assert responses_needed(n_group, n_total, population_share) == needed


def test_responses_needed_refuses_a_share_of_one():
    with pytest.raises(ValueError, match="population_share"):
        responses_needed(3, 10, 1.0)


def test_chi_square_without_small_cells_matches_scipy():
    observed = {"a": 30, "b": 50, "c": 120}
    population = {"a": 200, "b": 300, "c": 500}

    result = chi_square_goodness_of_fit(observed, population)

    expected = chisquare([30, 50, 120], f_exp=[40, 60, 100])
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.p_value == pytest.approx(expected.pvalue)
    assert result.df == 2
    assert result.merged_categories == ()


def test_chi_square_pools_small_expected_cells_until_the_pool_reaches_five():
    # 200 answering: other expects 3.82 (< 5) and is pooled; the pool is still < 5, so the
    # smallest remaining category (mixed, 5.39) joins it.
    observed = {"asian": 30, "black": 10, "mixed": 2, "white": 156, "other": 2, None: 12}
    total = sum(MK_ETHNIC_GROUP.values())
    expected = {name: count / total * 200 for name, count in MK_ETHNIC_GROUP.items()}

    result = chi_square_goodness_of_fit(observed, MK_ETHNIC_GROUP, "ethnic_group")

    reference = chisquare(
        [30, 10, 156, 4],
        f_exp=[
            expected["asian"],
            expected["black"],
            expected["white"],
            expected["mixed"] + expected["other"],
        ],
    )
    assert set(result.merged_categories) == {"other", "mixed"}
    assert result.df == 3
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.p_value == pytest.approx(reference.pvalue)
    assert result.to_dict()["merged_categories"] == result.merged_categories


def test_chi_square_with_fewer_than_two_cells_left_is_not_tested():
    result = chi_square_goodness_of_fit({"a": 3, "b": 1}, {"a": 1, "b": 1})

    assert result.statistic is None
    assert result.p_value is None
    assert result.df == 0


def test_count_target_progress_for_a_group_without_a_census_benchmark():
    progress = count_target_progress(30, 50)

    assert progress.remaining == 20
    assert progress.proportion_of_target == pytest.approx(0.6)
    assert not progress.met
    assert count_target_progress(55, 50).to_dict() == {
        "n": 55,
        "target": 50,
        "remaining": 0,
        "proportion_of_target": 1.1,
        "met": True,
    }


def test_count_target_must_be_positive():
    with pytest.raises(ValueError, match="target"):
        count_target_progress(3, 0)
