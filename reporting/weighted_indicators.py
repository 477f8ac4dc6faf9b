"""Headline indicators weighted to the census, overall and by group, with honest intervals.

The database works out each submitted response's 0/1 outcome for every indicator's numerator
and denominator (the same SQL conditions as the unweighted figures in reporting.indicators,
each answer read once per response), with the response's group and weighting categories as
small integer codes, and the rows are streamed, a partition at a time, into numpy arrays.
Weights are summed there: a respondent's weight comes from their weighting cell (see
reporting.survey_weights), and a weighted sum over a group needs both. Nothing else is read:
no free text and no ORM objects, so a million responses cost tens of megabytes.

Intervals use the Kish effective sample size of the people in each base (not the whole sample's),
because a base such as "victims who answered" can be weighted much more unevenly than the rest.
Group-versus-rest differences use the pooled two-proportion test on weighted shares and
effective sizes, the usual design-effect adjustment of the unweighted test, Holm-adjusted
within each indicator by dimension as the unweighted breakdowns are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import case, literal, or_, select
from sqlalchemy.engine import Engine

from reporting.indicators import (
    IndicatorDefinition,
    differences_from_rest,
    proportion_summary,
)
from reporting.model import ComputedWeightedIndicator, WeightedGroupProportion, WeightedProportion
from reporting.queries import flag_rows, responses
from reporting.representativeness import NOT_STATED_CATEGORIES
from reporting.stats import proportion_interval_weighted, two_proportion_z_test_p_value

FloatArray = npt.NDArray[np.float64]
PARTITION_SIZE = 20_000
# Outcomes packed per integer: 30 bits keep every packed value within a 32-bit integer.
FLAG_BITS = 30
NOT_STATED_LABELS = sorted(label for label in NOT_STATED_CATEGORIES if label is not None)


@dataclass(frozen=True)
class IndicatorFlags:
    """Per respondent: numerator and denominator outcomes, group and weighting codes.

    Kept compact (a million respondents take about 25 MB): outcomes stay packed, FLAG_BITS to
    a 32-bit word, and are unpacked one indicator at a time; codes are 16-bit integers.
    """

    packed: npt.NDArray[np.int32]  # respondents x words; outcome i is bit i % FLAG_BITS
    group_codes: dict[str, npt.NDArray[np.int16]]  # -1 where not in any reported category
    group_categories: dict[str, list[str]]
    # respondents x weighting dimensions: -1 not stated, -2 a category not in the list
    weighting_codes: npt.NDArray[np.int16]
    weighting_categories: dict[str, list[str]]

    def _outcome(self, index: int) -> npt.NDArray[np.bool_]:
        word, bit = divmod(index, FLAG_BITS)
        return ((self.packed[:, word] >> bit) & 1).astype(bool)

    def numerator(self, indicator: int) -> npt.NDArray[np.bool_]:
        return self._outcome(2 * indicator)

    def denominator(self, indicator: int) -> npt.NDArray[np.bool_]:
        return self._outcome(2 * indicator + 1)


def _category_code(column: Any, categories: Sequence[str], otherwise: int) -> Any:
    if not categories:
        return literal(otherwise)
    return case(
        *((column == category, code) for code, category in enumerate(categories)),
        else_=otherwise,
    )


def stream_indicator_flags(
    engine: Engine,
    survey_id: int,
    definitions: Sequence[IndicatorDefinition],
    groups: Mapping[str, Sequence[str]],
    weighting: Mapping[str, Sequence[str]] | None = None,
) -> IndicatorFlags:
    """Stream the 0/1 flags, group codes and weighting codes of every submitted response.

    groups: dimension -> the categories to report; any other value (not stated, outside the
    population) is coded -1 and counts only towards "the rest". weighting: dimension -> the
    categories the weights know; not stated (None, prefer not to say) is coded -1 and any
    other value -2.
    """
    weighting = dict(weighting or {})
    dimensions = list(groups)
    weighting_dimensions = list(weighting)
    conditions = []
    for definition in definitions:
        conditions.append(definition.numerator)
        conditions.append(definition.denominator)
    flag_count = len(conditions)
    # Each answer is read once per response (flag_rows). The database turns each group into
    # its category's code and packs the 0/1 outcomes into integers of FLAG_BITS bits, so a row
    # is a few small integers and a partition becomes a numpy array in one step.
    outcomes = flag_rows(
        engine,
        survey_id,
        [
            responses.c.id,
            *(responses.c[d] for d in dict.fromkeys(dimensions + weighting_dimensions)),
        ],
        conditions,
    ).subquery("outcomes")
    codes = [_category_code(outcomes.c[d], groups[d], -1) for d in dimensions]
    weighting_codes = [
        case(
            (or_(outcomes.c[d].is_(None), outcomes.c[d].in_(NOT_STATED_LABELS)), -1),
            else_=_category_code(outcomes.c[d], weighting[d], -2),
        )
        for d in weighting_dimensions
    ]
    packed = [
        sum(
            (outcomes.c[f"c{index}"] * (1 << (index - start)) for index in range(start, stop)),
            literal(0),
        )
        for start in range(0, flag_count, FLAG_BITS)
        for stop in (min(start + FLAG_BITS, flag_count),)
    ]
    query = select(*codes, *weighting_codes, *packed)
    group_end = len(codes)
    weighting_end = group_end + len(weighting_codes)
    # Each partition is split into compact arrays straight away, so the whole result is never
    # held as Python rows or as one wide array.
    group_parts: list[npt.NDArray[np.int16]] = []
    weighting_parts: list[npt.NDArray[np.int16]] = []
    packed_parts: list[npt.NDArray[np.int32]] = []
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=PARTITION_SIZE).execute(query)
        for partition in result.partitions():
            rows = np.array([tuple(row) for row in partition], dtype=np.int32)
            rows = rows.reshape(len(partition), weighting_end + len(packed))
            group_parts.append(rows[:, :group_end].astype(np.int16))
            weighting_parts.append(rows[:, group_end:weighting_end].astype(np.int16))
            packed_parts.append(rows[:, weighting_end:].copy())

    def joined(parts: list[Any], width: int, dtype: Any) -> Any:
        return np.concatenate(parts) if parts else np.zeros((0, width), dtype)

    group_array = joined(group_parts, group_end, np.int16)
    return IndicatorFlags(
        packed=joined(packed_parts, len(packed), np.int32),
        group_codes={d: group_array[:, position] for position, d in enumerate(dimensions)},
        group_categories={d: list(categories) for d, categories in groups.items()},
        weighting_codes=joined(weighting_parts, len(weighting_codes), np.int16),
        weighting_categories={d: list(categories) for d, categories in weighting.items()},
    )


def _effective_n(weight_sum: float, weight_square_sum: float) -> float:
    return weight_sum**2 / weight_square_sum if weight_square_sum > 0 else 0.0


def weighted_proportion(
    numerator: int, n: int, weighted_numerator: float, weight_sum: float, weight_squares: float
) -> WeightedProportion:
    """Unweighted share and Wilson interval, weighted share and interval on the effective n."""
    effective_n = _effective_n(weight_sum, weight_squares)
    weighted_share = min(1.0, weighted_numerator / weight_sum) if weight_sum > 0 else None
    weighted_low: float | None = None
    weighted_high: float | None = None
    if weighted_share is not None:
        weighted_low, weighted_high = proportion_interval_weighted(weighted_share, effective_n)
    return {
        **proportion_summary(numerator, n),
        "weighted_share": weighted_share,
        "weighted_interval_low": weighted_low,
        "weighted_interval_high": weighted_high,
        "effective_n": effective_n if n else None,
    }


def _group_sums(
    codes: npt.NDArray[np.int16], values: FloatArray, category_count: int
) -> FloatArray:
    in_group = codes >= 0
    sums = np.bincount(codes[in_group], weights=values[in_group], minlength=category_count)
    # With weights bincount returns floats; numpy's stubs give only its integer result.
    return cast(FloatArray, sums)


def weighted_indicators(
    flags: IndicatorFlags, weights: FloatArray, definitions: Sequence[IndicatorDefinition]
) -> list[ComputedWeightedIndicator]:
    """Every indicator overall and by each group, unweighted and weighted (not yet published).

    Each breakdown row compares the group with everyone else in the indicator's base,
    including those who did not state the group, as the unweighted breakdowns do.
    """
    results: list[ComputedWeightedIndicator] = []
    squares = weights**2
    for index, definition in enumerate(definitions):
        in_base = flags.denominator(index)
        in_numerator = flags.numerator(index) & in_base
        base_weights = np.where(in_base, weights, 0.0)
        numerator_weights = np.where(in_numerator, weights, 0.0)
        base_squares = np.where(in_base, squares, 0.0)
        overall = weighted_proportion(
            int(in_numerator.sum()),
            int(in_base.sum()),
            float(numerator_weights.sum()),
            float(base_weights.sum()),
            float(base_squares.sum()),
        )
        base_counts, numerator_counts = in_base.astype(float), in_numerator.astype(float)
        breakdowns = {}
        for dimension, codes in flags.group_codes.items():
            categories = flags.group_categories[dimension]
            size = len(categories)
            sums = {
                "n": _group_sums(codes, base_counts, size),
                "numerator": _group_sums(codes, numerator_counts, size),
                "weighted_numerator": _group_sums(codes, numerator_weights, size),
                "weight_sum": _group_sums(codes, base_weights, size),
                "weight_squares": _group_sums(codes, base_squares, size),
            }
            breakdowns[dimension] = _breakdown_rows(
                categories, sums, overall, base_weights, numerator_weights, base_squares
            )
        results.append(
            {
                "key": definition.key,
                "label": definition.label,
                "kind": definition.kind,
                "base": definition.base,
                **overall,
                "breakdowns": breakdowns,
            }
        )
    return results


def _breakdown_rows(
    categories: Sequence[str],
    sums: Mapping[str, FloatArray],
    overall: WeightedProportion,
    base_weights: FloatArray,
    numerator_weights: FloatArray,
    base_squares: FloatArray,
) -> list[WeightedGroupProportion]:
    total_weight = float(base_weights.sum())
    total_numerator_weight = float(numerator_weights.sum())
    total_squares = float(base_squares.sum())
    groups: list[tuple[str, WeightedProportion, float]] = []
    shares: list[tuple[float, float]] = []
    for position, category in enumerate(categories):
        n = int(round(sums["n"][position]))
        if n == 0:
            continue
        weight_sum = float(sums["weight_sum"][position])
        weight_squares = float(sums["weight_squares"][position])
        group = weighted_proportion(
            int(round(sums["numerator"][position])),
            n,
            float(sums["weighted_numerator"][position]),
            weight_sum,
            weight_squares,
        )
        rest_weight = total_weight - weight_sum
        rest_share = None
        if rest_weight > 0 and overall["n"] - n > 0:
            rest_share = (total_numerator_weight - sums["weighted_numerator"][position]) / (
                rest_weight
            )
            rest_share = float(min(1.0, max(0.0, rest_share)))
        rest_effective_n = _effective_n(rest_weight, total_squares - weight_squares)
        p_value = 1.0
        if group["weighted_share"] is not None and rest_share is not None:
            # The group's effective n, as in `group` (where it is None only for n == 0).
            group_effective_n = _effective_n(weight_sum, weight_squares)
            p_value = two_proportion_z_test_p_value(
                group["weighted_share"] * group_effective_n,
                group_effective_n,
                rest_share * rest_effective_n,
                rest_effective_n,
            )
        groups.append((category, group, p_value))
        shares.append((group["weighted_share"] or 0.0, rest_share or 0.0))
    marks = differences_from_rest([p_value for *_, p_value in groups], shares)
    return [
        {
            "category": category,
            **group,
            "p_value": p_value,
            "differs_from_rest": differs,
            "direction": direction,
        }
        for (category, group, p_value), (differs, direction) in zip(groups, marks, strict=True)
    ]
