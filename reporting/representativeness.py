"""Who is missing from the sample: each census dimension compared with its population shares.

The flag rule is the one in DESIGN.md ("Representativeness"), made precise here:

* not_enough_responses: the category's expected count (population share x respondents who
  answered the dimension) is below 5. Checked first: no test can tell yet.
* Every other category is tested with the two-sided score test of "sample share equals
  population share". That test is the dual of the Wilson interval: its p-value is below 0.05
  exactly when the population share lies outside the 95% Wilson interval. The p-values of the
  tested categories in one dimension are Holm-adjusted together; a category is "significant"
  when its adjusted p-value is below 0.05. Equivalently, the population share lies outside
  the category's Wilson interval at the stricter level Holm assigns it, which is what
  "the interval's upper bound is below the population share (Holm-adjusted across the
  dimension's categories)" means. Two-sided p-values are used, rather than one-sided, so that
  with a single category (no adjustment) the flag agrees exactly with the 95% interval shown.
* under_represented: representation ratio < 0.8 and significant (the sample share is then
  necessarily below the population share).
* possibly_under_represented: ratio < 0.8 but not significant.
* over_represented: ratio > 1.25 and significant.
* as_expected: anything else (including a significant but small difference, ratio 0.8-1.25).

So a group with no respondents where 20 were expected is tested like any other and comes out
under_represented; a low count never hides a flag.

Answers that say nothing about the category ("prefer_not_to_say", or None for a question left
blank) are removed by these functions themselves, so callers may pass raw counts; they are
reported as `not_stated` and left out of every share, as the census leaves out its own
non-answers. Any other respondent category missing from the population counts is a mapping
bug and raises ValueError rather than being silently dropped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from reporting.model import GoodnessOfFitResult
from reporting.stats import (
    holm_adjust,
    holm_levels,
    proportion_score_test_p_value,
    wilson_interval,
)

NOT_STATED_CATEGORIES: frozenset[str | None] = frozenset({None, "prefer_not_to_say"})

UNDER_REPRESENTED = "under_represented"
POSSIBLY_UNDER_REPRESENTED = "possibly_under_represented"
OVER_REPRESENTED = "over_represented"
AS_EXPECTED = "as_expected"
NOT_ENOUGH_RESPONSES = "not_enough_responses"
# How reports name each flag.
FLAG_LABELS = {
    UNDER_REPRESENTED: "Under-represented",
    POSSIBLY_UNDER_REPRESENTED: "Possibly under-represented",
    OVER_REPRESENTED: "Over-represented",
    AS_EXPECTED: "As expected",
    NOT_ENOUGH_RESPONSES: "Not enough responses to tell",
}

UNDER_REPRESENTATION_RATIO = 0.8
OVER_REPRESENTATION_RATIO = 1.25
MINIMUM_EXPECTED_COUNT = 5.0
FAMILY_ALPHA = 0.05
INTERVAL_CONFIDENCE = 0.95


@dataclass(frozen=True)
class CategoryRepresentation:
    category: str
    n: int
    sample_share: float | None
    population_share: float
    representation_ratio: float | None
    wilson_low: float
    wilson_high: float
    # The interval the flag is decided on: Wilson's at the level Holm holds this category to
    # (95% when it is the only one tested). It excludes the population share exactly when the
    # difference counts as significant, so a flag and this interval never disagree.
    flag_interval_low: float
    flag_interval_high: float
    flag_interval_confidence: float
    expected_n: float
    p_value: float | None
    holm_adjusted_p_value: float | None
    responses_needed: int | None
    flag: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DimensionRepresentation:
    dimension: str
    total_answered: int
    not_stated: int
    categories: tuple[CategoryRepresentation, ...]

    def category(self, name: str) -> CategoryRepresentation:
        for category in self.categories:
            if category.category == name:
                return category
        raise KeyError(f"dimension {self.dimension!r} has no category {name!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class GoodnessOfFit:
    """Pearson chi-square goodness of fit of the sample to the population shares.

    statistic and p_value are None when fewer than two cells remain after merging.
    """

    statistic: float | None
    df: int
    p_value: float | None
    merged_categories: tuple[str, ...]

    def to_dict(self) -> GoodnessOfFitResult:
        return {
            "statistic": self.statistic,
            "df": self.df,
            "p_value": self.p_value,
            "merged_categories": self.merged_categories,
        }


@dataclass(frozen=True)
class CountTargetProgress:
    """Progress towards a count target, for groups with no census benchmark."""

    n: int
    target: int
    remaining: int
    proportion_of_target: float
    met: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _answered_counts(
    dimension: str,
    respondent_counts: Mapping[str | None, int],
    population_counts: Mapping[str, float],
) -> tuple[dict[str, int], int]:
    """Respondent counts over the population's categories, and the count that did not say."""
    if not population_counts:
        raise ValueError(f"dimension {dimension!r} has no population categories")
    for name, population in population_counts.items():
        if population < 0 or math.isnan(population):
            raise ValueError(
                f"dimension {dimension!r}: population count for {name!r} must not be "
                f"negative, got {population!r}"
            )
    if sum(population_counts.values()) <= 0:
        raise ValueError(f"dimension {dimension!r}: population counts sum to zero")
    answered = dict.fromkeys(population_counts, 0)
    not_stated = 0
    for category, count in respondent_counts.items():
        if count < 0 or int(count) != count:
            raise ValueError(
                f"dimension {dimension!r}: respondent count for {category!r} must be a "
                f"non-negative whole number, got {count!r}"
            )
        if category in NOT_STATED_CATEGORIES:
            not_stated += int(count)
        elif category in answered:
            answered[category] += int(count)
        else:
            raise ValueError(
                f"dimension {dimension!r}: respondents in category {category!r}, which has "
                "no population count; map it onto a census category first"
            )
    return answered, not_stated


def responses_needed(n_group: int, n_total: int, population_share: float) -> int:
    """Fewest extra responses, all from the group, that lift its share to the population share.

    Solves (n_group + k) / (n_total + k) >= population_share for the smallest whole k >= 0,
    that is k = ceil((population_share * n_total - n_group) / (1 - population_share)).
    With no answers at all there is no share yet, hence no shortfall, and the answer is 0.
    """
    if not 0 <= n_group <= n_total:
        raise ValueError(f"need 0 <= n_group <= n_total, got {n_group} and {n_total}")
    if not 0.0 <= population_share < 1.0:
        raise ValueError(
            f"population_share must be in [0, 1) for a finite answer, got {population_share!r}"
        )

    def reaches_share(extra: int) -> bool:
        total = n_total + extra
        return total > 0 and (n_group + extra) / total >= population_share

    if n_group == n_total or reaches_share(0):
        return 0
    extra = max(0, math.ceil((population_share * n_total - n_group) / (1.0 - population_share)))
    # The closed form is exact in real arithmetic; these nudges absorb floating-point error.
    while not reaches_share(extra):
        extra += 1
    while extra > 0 and reaches_share(extra - 1):
        extra -= 1
    return extra


def _flag(expected_n: float, representation_ratio: float | None, significant: bool) -> str:
    if expected_n < MINIMUM_EXPECTED_COUNT or representation_ratio is None:
        return NOT_ENOUGH_RESPONSES
    if representation_ratio < UNDER_REPRESENTATION_RATIO:
        return UNDER_REPRESENTED if significant else POSSIBLY_UNDER_REPRESENTED
    if representation_ratio > OVER_REPRESENTATION_RATIO and significant:
        return OVER_REPRESENTED
    return AS_EXPECTED


def assess_dimension(
    dimension: str,
    respondent_counts: Mapping[str | None, int],
    population_counts: Mapping[str, float],
) -> DimensionRepresentation:
    """Compare one dimension's respondents with its population, category by category.

    respondent_counts may include "prefer_not_to_say" and None; they are counted as
    not_stated and left out of the shares. Population categories with no respondents count
    as zero respondents. The Holm family is the categories actually tested (expected count
    of at least 5).
    """
    answered, not_stated = _answered_counts(dimension, respondent_counts, population_counts)
    total_answered = sum(answered.values())
    population_total = float(sum(population_counts.values()))

    population_shares = {
        category: population_counts[category] / population_total for category in answered
    }
    expected = {category: population_shares[category] * total_answered for category in answered}
    tested = [
        category
        for category in answered
        if expected[category] >= MINIMUM_EXPECTED_COUNT and population_shares[category] > 0
    ]
    raw_p_values = {
        category: proportion_score_test_p_value(
            answered[category], total_answered, population_shares[category]
        )
        for category in tested
    }
    adjusted_p_values = dict(
        zip(tested, holm_adjust([raw_p_values[category] for category in tested]), strict=True)
    )
    levels = dict(
        zip(
            tested,
            holm_levels([raw_p_values[category] for category in tested], FAMILY_ALPHA),
            strict=True,
        )
    )

    results = []
    for category, n in answered.items():
        population_share = population_shares[category]
        sample_share = n / total_answered if total_answered else None
        representation_ratio = (
            sample_share / population_share
            if sample_share is not None and population_share > 0
            else None
        )
        low, high = wilson_interval(n, total_answered, INTERVAL_CONFIDENCE)
        flag_confidence = 1.0 - levels.get(category, 1.0 - INTERVAL_CONFIDENCE)
        flag_low, flag_high = wilson_interval(n, total_answered, flag_confidence)
        adjusted_p_value = adjusted_p_values.get(category)
        significant = adjusted_p_value is not None and adjusted_p_value < FAMILY_ALPHA
        needed = (
            responses_needed(n, total_answered, population_share)
            if population_share < 1.0
            else None
        )
        results.append(
            CategoryRepresentation(
                category=category,
                n=n,
                sample_share=sample_share,
                population_share=population_share,
                representation_ratio=representation_ratio,
                wilson_low=low,
                wilson_high=high,
                flag_interval_low=flag_low,
                flag_interval_high=flag_high,
                flag_interval_confidence=flag_confidence,
                expected_n=expected[category],
                p_value=raw_p_values.get(category),
                holm_adjusted_p_value=adjusted_p_value,
                responses_needed=needed,
                flag=_flag(expected[category], representation_ratio, significant),
            )
        )
    return DimensionRepresentation(
        dimension=dimension,
        total_answered=total_answered,
        not_stated=not_stated,
        categories=tuple(results),
    )


def chi_square_goodness_of_fit(
    observed: Mapping[str | None, int],
    population_counts: Mapping[str, float],
    dimension: str = "dimension",
) -> GoodnessOfFit:
    """Pearson chi-square test of the answered respondents against the population shares.

    The chi-square approximation is poor when expected counts are small, so every category
    with an expected count below 5 is pooled into one cell. If that pooled cell is itself
    still below 5, the remaining category with the smallest expected count joins it, until
    the pool reaches 5 or nothing is left to merge. degrees of freedom = cells - 1.
    Not-stated answers are left out exactly as in assess_dimension.
    """
    answered, _ = _answered_counts(dimension, observed, population_counts)
    total_answered = sum(answered.values())
    population_total = float(sum(population_counts.values()))
    expected = {
        category: population_counts[category] / population_total * total_answered
        for category in answered
    }

    kept = [category for category in answered if expected[category] >= MINIMUM_EXPECTED_COUNT]
    merged = [category for category in answered if expected[category] < MINIMUM_EXPECTED_COUNT]
    while merged and kept and sum(expected[c] for c in merged) < MINIMUM_EXPECTED_COUNT:
        smallest = min(kept, key=lambda category: expected[category])
        kept.remove(smallest)
        merged.append(smallest)

    cells = [(answered[category], expected[category]) for category in kept]
    if merged:
        cells.append((sum(answered[c] for c in merged), sum(expected[c] for c in merged)))
    merged_categories = tuple(merged)
    if len(cells) < 2:
        return GoodnessOfFit(
            statistic=None, df=0, p_value=None, merged_categories=merged_categories
        )
    from scipy.stats import chi2  # scipy.stats takes a second to import: only when needed

    statistic = sum((count - expect) ** 2 / expect for count, expect in cells)
    df = len(cells) - 1
    return GoodnessOfFit(
        statistic=float(statistic),
        df=df,
        p_value=float(chi2.sf(statistic, df)),
        merged_categories=merged_categories,
    )


def count_target_progress(n: int, target: int) -> CountTargetProgress:
    """How far a group without a census benchmark is from the count the partnership set."""
    if n < 0:
        raise ValueError(f"n must not be negative, got {n!r}")
    if target <= 0:
        raise ValueError(f"target must be a positive count, got {target!r}")
    return CountTargetProgress(
        n=n,
        target=target,
        remaining=max(0, target - n),
        proportion_of_target=n / target,
        met=n >= target,
    )
