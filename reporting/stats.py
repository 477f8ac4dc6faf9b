"""Small statistical building blocks shared by the representativeness and weighting reports.

Everything here is a pure function of counts (or, for weighted data, of an estimate and an
effective sample size), so each can be checked by hand or against scipy in the tests.

The proportion test and the Wilson interval are deliberately the same statistic (the score
test): the population share lies outside the Wilson interval at level 1 - alpha exactly when
the two-sided score test rejects at alpha. That is what lets a report show a 95% interval and
a flag that never contradict each other.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

Alternative = Literal["two-sided", "less", "greater"]


@lru_cache(maxsize=64)
def _z_for_confidence(confidence: float) -> float:
    # Cached: reports ask for the same 95% quantile hundreds of times, and scipy's ppf is slow.
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence!r}")
    from scipy.stats import norm  # scipy.stats takes a second to import: only when needed

    return float(norm.ppf(1.0 - (1.0 - confidence) / 2.0))


def _wilson_bounds(proportion: float, n: float, z: float) -> tuple[float, float]:
    z_squared = z * z
    denominator = 1.0 + z_squared / n
    centre = (proportion + z_squared / (2.0 * n)) / denominator
    half_width = (z / denominator) * math.sqrt(
        proportion * (1.0 - proportion) / n + z_squared / (4.0 * n * n)
    )
    # At a proportion of 0 (or 1) the lower (upper) bound is exactly 0 (1); computed, rounding
    # leaves it a hair away, on either side.
    low = 0.0 if proportion == 0.0 else max(0.0, centre - half_width)
    high = 1.0 if proportion == 1.0 else min(1.0, centre + half_width)
    return low, high


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion, without continuity correction.

    With no observations nothing is known, so the interval is the whole of [0, 1].
    """
    z = _z_for_confidence(confidence)
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return 0.0, 1.0
    return _wilson_bounds(successes / n, float(n), z)


def proportion_interval_weighted(
    estimate: float, effective_n: float, confidence: float = 0.95
) -> tuple[float, float]:
    """Wilson interval for a weighted proportion, using the Kish effective sample size.

    Weighting widens uncertainty; treating the weighted estimate as if it came from a simple
    random sample of effective_n people is the usual, honest approximation.
    """
    z = _z_for_confidence(confidence)
    if not 0.0 <= estimate <= 1.0:
        raise ValueError(f"estimate must be a proportion in [0, 1], got {estimate!r}")
    if effective_n < 0:
        raise ValueError(f"effective_n must not be negative, got {effective_n!r}")
    if effective_n == 0:
        return 0.0, 1.0
    return _wilson_bounds(estimate, float(effective_n), z)


def holm_adjust(p_values: Sequence[float]) -> list[float]:
    """Holm step-down adjusted p-values, returned in the order given.

    Compare each adjusted value with the family-wise alpha: rejecting those below alpha
    controls the chance of any false flag within the family at alpha.
    """
    for p_value in p_values:
        if not 0.0 <= p_value <= 1.0:
            raise ValueError(f"p-values must be in [0, 1], got {p_value!r}")
    family_size = len(p_values)
    order = sorted(range(family_size), key=lambda index: p_values[index])
    adjusted = [0.0] * family_size
    running_max = 0.0
    for rank, index in enumerate(order):
        # The running maximum keeps adjusted values in the same order as the raw ones,
        # which the step-down procedure requires.
        running_max = max(running_max, min(1.0, (family_size - rank) * p_values[index]))
        adjusted[index] = running_max
    return adjusted


def holm_levels(p_values: Sequence[float], alpha: float = 0.05) -> list[float]:
    """The significance level Holm's procedure holds each test to, in the order given.

    The test at rank i (smallest p first) is rejected when it and every test before it meet
    their level alpha / (k - rank + 1). Once one fails, every later test is held to that same
    failing level, so it is not rejected either. A confidence interval at 1 - level is then
    the interval the decision was made on: it excludes the null value exactly when Holm
    rejects (for tests that are duals of intervals, such as the score test and Wilson's).
    """
    family_size = len(p_values)
    order = sorted(range(family_size), key=lambda index: p_values[index])
    levels = [alpha] * family_size
    stopped: float | None = None
    for rank, index in enumerate(order):
        level = alpha / (family_size - rank)
        if stopped is None and not p_values[index] < level:
            stopped = level
        levels[index] = level if stopped is None else stopped
    return levels


def holm_significant(p_values: Sequence[float], alpha: float = 0.05) -> list[bool]:
    """Which tests of one family Holm's procedure rejects at family-wise level alpha."""
    return [adjusted < alpha for adjusted in holm_adjust(p_values)]


def proportion_score_test_p_value(
    successes: float, n: float, null_proportion: float, alternative: Alternative = "two-sided"
) -> float:
    """P-value of the score (Wilson) test that a binomial proportion equals null_proportion.

    alternative "less" asks whether the true proportion is below null_proportion, "greater"
    above. Counts may be non-integer so that weighted counts on an effective n can be tested.
    """
    if n <= 0:
        raise ValueError(f"n must be positive, got {n!r}")
    if not 0.0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if not 0.0 <= null_proportion <= 1.0:
        raise ValueError(f"null_proportion must be in [0, 1], got {null_proportion!r}")
    observed = successes / n
    if null_proportion in (0.0, 1.0):
        # A share of exactly 0 or 1 has no sampling variance: any departure is conclusive.
        if observed == null_proportion:
            return 1.0
        departure_is_tested = alternative == "two-sided" or (
            (alternative == "less") == (observed < null_proportion)
        )
        return 0.0 if departure_is_tested else 1.0
    from scipy.stats import norm  # imported on first use, as in _z_for_confidence

    standard_error = math.sqrt(null_proportion * (1.0 - null_proportion) / n)
    z = (observed - null_proportion) / standard_error
    if alternative == "less":
        return float(norm.cdf(z))
    if alternative == "greater":
        return float(norm.sf(z))
    if alternative == "two-sided":
        return float(min(1.0, 2.0 * norm.sf(abs(z))))
    raise ValueError(f"alternative must be 'two-sided', 'less' or 'greater', got {alternative!r}")


def two_proportion_z_test_p_value(
    successes_group: float, n_group: float, successes_rest: float, n_rest: float
) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (group versus everyone else).

    Under the null hypothesis both proportions equal the pooled proportion, whose binomial
    variance gives the standard error of the difference. It is a large-sample test: with only
    a handful in either side the normal approximation is rough, which is one reason small
    groups are suppressed in published reports anyway. An empty side, or a pooled proportion
    of 0 or 1, carries no evidence of a difference, so the p-value is 1.
    """
    for label, successes, n in (
        ("group", successes_group, n_group),
        ("rest", successes_rest, n_rest),
    ):
        if n < 0 or not 0.0 <= successes <= n:
            raise ValueError(f"need 0 <= successes <= n for the {label}, got {successes}/{n}")
    if n_group == 0 or n_rest == 0:
        return 1.0
    pooled = (successes_group + successes_rest) / (n_group + n_rest)
    if pooled in (0.0, 1.0):
        return 1.0
    standard_error = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n_group + 1.0 / n_rest))
    z = (successes_group / n_group - successes_rest / n_rest) / standard_error
    # 2 * norm.sf(|z|) written with erfc, which is the same function without scipy's
    # per-call overhead (reports run this test hundreds of times).
    return float(min(1.0, math.erfc(abs(z) / math.sqrt(2.0))))


def two_proportion_difference_significant(
    successes_group: float,
    n_group: float,
    successes_rest: float,
    n_rest: float,
    alpha: float = 0.05,
) -> bool:
    """Whether a group's proportion differs from the rest's at level alpha (pooled z-test).

    For weighted breakdowns pass weighted proportions multiplied by effective sample sizes.
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1 (exclusive), got {alpha!r}")
    p_value = two_proportion_z_test_p_value(successes_group, n_group, successes_rest, n_rest)
    return p_value < alpha
