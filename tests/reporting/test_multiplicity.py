"""Many groups compared at once: marks and flags hold their error rate, and the range a flag is
judged on always agrees with the flag."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency

from reporting.final import build_final_report
from reporting.indicators import IndicatorDefinition, _breakdown
from reporting.representativeness import (
    OVER_REPRESENTED,
    POSSIBLY_UNDER_REPRESENTED,
    UNDER_REPRESENTED,
    assess_dimension,
)
from reporting.stats import holm_levels
from survey_app.extensions import db

from .demo_data import seed_demo


def _holm_by_definition(p_values: list[float], alpha: float = 0.05) -> list[bool]:
    """Holm (1979) step-down, written out from the paper: reject in order of p while
    p_(i) <= alpha / (k - i + 1); stop at the first that is not."""
    order = sorted(range(len(p_values)), key=lambda index: p_values[index])
    rejected = [False] * len(p_values)
    for rank, index in enumerate(order):
        if p_values[index] < alpha / (len(p_values) - rank):
            rejected[index] = True
        else:
            break
    return rejected


@given(st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=12))
def test_a_test_passes_its_holm_level_exactly_when_holm_rejects_it(p_values):
    levels = holm_levels(p_values)
    assert [p < level for p, level in zip(p_values, levels, strict=True)] == _holm_by_definition(
        p_values
    )


POPULATION = {"a": 40_000.0, "b": 30_000.0, "c": 15_000.0, "d": 9_000.0, "e": 6_000.0}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=400), min_size=5, max_size=5))
def test_the_range_shown_beside_a_flag_never_contradicts_it(counts):
    assessment = assess_dimension(
        "ethnic_group", dict(zip(POPULATION, counts, strict=True)), POPULATION
    )
    for category in assessment.categories:
        share = category.population_share
        low, high = category.flag_interval_low, category.flag_interval_high
        if category.flag == UNDER_REPRESENTED:
            assert high < share
        elif category.flag == OVER_REPRESENTED:
            assert low > share
        elif category.flag == POSSIBLY_UNDER_REPRESENTED:
            assert low <= share <= high


def test_the_reported_case_black_16_of_297_is_flagged_as_its_range_says():
    # 16 of 297 with a population share of 8.7%: the 95% interval (3.3% to 8.6%) excludes the
    # population share, but with five groups compared the flag is judged on a wider range.
    population = {"white": 0.7, "black": 0.087, "asian": 0.13, "mixed": 0.04, "other": 0.043}
    counts = {"white": 220, "black": 16, "asian": 40, "mixed": 11, "other": 10}
    black = assess_dimension("ethnic_group", counts, population).category("black")
    assert black.wilson_high < 0.087
    if black.flag == UNDER_REPRESENTED:
        assert black.flag_interval_high < 0.087
    else:
        assert black.flag == POSSIBLY_UNDER_REPRESENTED
        assert black.flag_interval_high >= 0.087
    assert black.flag_interval_confidence > 0.95


def _by_category(numerators: list[int], bases: list[int]) -> dict:
    return {
        f"group_{index}": {"x:numerator": numerator, "x:denominator": base}
        for index, (numerator, base) in enumerate(zip(numerators, bases, strict=True))
    }


def test_breakdown_marks_are_holm_adjusted_within_the_indicator_and_dimension():
    # Ten groups of 100; group 0 is a little low (p about 0.01 against the rest on its own),
    # group 9 far lower. Only group 9 survives the correction for ten comparisons.
    numerators = [34, 50, 51, 49, 52, 50, 48, 51, 50, 20]
    bases = [100] * 10
    definition = IndicatorDefinition("x", "X", "all", None, None)  # type: ignore[arg-type]
    rows = _breakdown(_by_category(numerators, bases), definition, sum(numerators), sum(bases))
    # Independent reference: each group against the rest as a 2x2 chi-square (which equals
    # the pooled z-test), then Holm by definition.
    p_values = []
    for numerator, base in zip(numerators, bases, strict=True):
        rest_numerator, rest_base = sum(numerators) - numerator, sum(bases) - base
        table = [[numerator, base - numerator], [rest_numerator, rest_base - rest_numerator]]
        p_values.append(chi2_contingency(table, correction=False)[1])
    assert p_values[0] < 0.05  # marked before the correction
    expected = _holm_by_definition(p_values)
    assert [row["differs_from_rest"] for row in rows] == expected
    assert expected[0] is False and expected[9] is True
    assert rows[9]["direction"] == "lower" and rows[0]["direction"] is None


def test_null_comparisons_of_the_demo_are_marked_no_more_often_than_the_stated_rate(app):
    # The demo generator draws priorities, reporting to the police and ward independently of
    # every census group, so any mark on those comparisons is a false one.
    with app.app_context():
        seed_demo(2500, seed=7)
        report = build_final_report(db.engine)
    indicators = report["weighted_results"]["indicators"]
    null_rows = [
        row
        for indicator in indicators
        if indicator["kind"] == "priority" or indicator["key"] == "reported_to_police"
        for rows in indicator["breakdowns"].values()
        for row in rows
    ] + [
        row
        for indicator in indicators
        for dimension, rows in indicator["breakdowns"].items()
        if dimension == "ward"
        for row in rows
    ]
    compared = [row for row in null_rows if row["differs_from_rest"] is not None]
    marked = [row for row in compared if row["differs_from_rest"]]
    assert len(compared) > 100
    assert len(marked) <= 0.05 * len(compared)


def test_no_mark_beside_a_withheld_share(app):
    with app.app_context():
        seed_demo(600, seed=3)
        report = build_final_report(db.engine)
    rows = itertools.chain.from_iterable(
        rows
        for section in (report["early_results"], report["weighted_results"])
        for indicator in section["indicators"]
        for rows in indicator["breakdowns"].values()
    )
    withheld = [row for row in rows if row["share"] is None]
    assert withheld
    assert all(row["differs_from_rest"] is None and row["direction"] is None for row in withheld)


@pytest.mark.parametrize("family_size", [1, 2, 5])
def test_a_single_group_is_judged_on_the_plain_95_percent_interval(family_size):
    levels = holm_levels([0.5] * family_size)
    assert levels == [0.05 / family_size] * family_size
