"""Headline indicators weighted to the census, overall and by group, with honest intervals.

The database works out each submitted response's 0/1 outcome for every indicator's numerator
and denominator (the same SQL conditions as the unweighted figures in reporting.indicators,
each answer read once per response), and the rows are streamed, a partition at a time, into
numpy arrays put in id order. Weights are
summed there: a weighted sum needs each respondent's weight, which lives outside the database,
so this is the one place where reports read one row per response. Nothing else is read: no
free text and no ORM objects, so 100,000 responses cost a few megabytes.

Intervals use the Kish effective sample size of the people in each base (not the whole sample's),
because a base such as "victims who answered" can be weighted much more unevenly than the rest.
Group-versus-rest differences use the pooled two-proportion test on weighted shares and
effective sizes, the usual design-effect adjustment of the unweighted test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import case, literal, select
from sqlalchemy.engine import Engine

from reporting.indicators import IndicatorDefinition
from reporting.queries import flag_rows, responses
from reporting.stats import (
    proportion_interval_weighted,
    two_proportion_difference_significant,
    wilson_interval,
)

FloatArray = npt.NDArray[np.float64]
PARTITION_SIZE = 20_000
# Outcomes packed per integer: 30 bits keep every packed value within a 32-bit integer.
FLAG_BITS = 30


@dataclass(frozen=True)
class IndicatorFlags:
    """Per respondent (in id order): numerator and denominator outcomes, and group codes."""

    response_ids: npt.NDArray[np.int64]
    numerators: npt.NDArray[np.bool_]  # respondents x indicators
    denominators: npt.NDArray[np.bool_]
    group_codes: dict[str, npt.NDArray[np.intp]]  # -1 where not in any reported category
    group_categories: dict[str, list[str]]


def stream_indicator_flags(
    engine: Engine,
    survey_id: int,
    definitions: Sequence[IndicatorDefinition],
    groups: Mapping[str, Sequence[str]],
) -> IndicatorFlags:
    """Stream id, 0/1 flags and group columns of every submitted response, in id order.

    groups: dimension -> the categories to report; any other value (not stated, outside the
    population) is coded -1 and counts only towards "the rest".
    """
    dimensions = list(groups)
    conditions = []
    for definition in definitions:
        conditions.append(definition.numerator)
        conditions.append(definition.denominator)
    flag_count = len(conditions)
    # Each answer is read once per response (flag_rows). The database turns each group into
    # its category's code and packs the 0/1 outcomes into integers of FLAG_BITS bits, so a row
    # is a few small integers and a partition becomes a numpy array in one step. The rows come
    # in whatever order the database finds cheapest and are put in id order below.
    outcomes = flag_rows(
        engine, survey_id, [responses.c.id, *(responses.c[d] for d in dimensions)], conditions
    ).subquery("outcomes")
    codes = [
        case(
            *((outcomes.c[d] == category, code) for code, category in enumerate(groups[d])),
            else_=-1,
        )
        if groups[d]
        else literal(-1)
        for d in dimensions
    ]
    packed = [
        sum(
            (outcomes.c[f"c{index}"] * (1 << (index - start)) for index in range(start, stop)),
            literal(0),
        )
        for start in range(0, flag_count, FLAG_BITS)
        for stop in (min(start + FLAG_BITS, flag_count),)
    ]
    query = select(outcomes.c.id, *codes, *packed)
    id_parts: list[npt.NDArray[np.int64]] = []
    code_parts: list[npt.NDArray[np.int64]] = []
    packed_parts: list[npt.NDArray[np.int64]] = []
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=PARTITION_SIZE).execute(query)
        for partition in result.partitions():
            rows = np.array([tuple(row) for row in partition], dtype=np.int64)
            rows = rows.reshape(len(partition), 1 + len(dimensions) + len(packed))
            id_parts.append(rows[:, 0])
            code_parts.append(rows[:, 1 : 1 + len(dimensions)])
            packed_parts.append(rows[:, 1 + len(dimensions) :])
    ids = np.concatenate(id_parts) if id_parts else np.zeros(0, np.int64)
    all_codes = (
        np.concatenate(code_parts) if code_parts else np.zeros((0, len(dimensions)), np.int64)
    )
    all_packed = (
        np.concatenate(packed_parts) if packed_parts else np.zeros((0, len(packed)), np.int64)
    )
    if ids.size > 1 and np.any(ids[1:] < ids[:-1]):
        order = np.argsort(ids, kind="stable")
        ids, all_codes, all_packed = ids[order], all_codes[order], all_packed[order]
    flags = np.zeros((ids.size, flag_count), dtype=bool)
    for index in range(flag_count):
        word, bit = divmod(index, FLAG_BITS)
        flags[:, index] = (all_packed[:, word] >> bit) & 1 == 1
    return IndicatorFlags(
        response_ids=ids,
        numerators=flags[:, 0::2],
        denominators=flags[:, 1::2],
        group_codes={
            d: all_codes[:, position].astype(np.intp) for position, d in enumerate(dimensions)
        },
        group_categories={d: list(categories) for d, categories in groups.items()},
    )


def align_weights(
    flags: IndicatorFlags, weight_ids: Sequence[int], weights: FloatArray | None
) -> FloatArray:
    """Each streamed respondent's weight; 1 for all when there are no weights.

    A response submitted between the weighting query and this one has no weight; it gets 0,
    so it counts in neither the weighted nor (being outside the raked sample) the design.
    """
    if weights is None:
        return np.ones(flags.response_ids.size)
    known = np.asarray(weight_ids, dtype=np.int64)
    if known.size == flags.response_ids.size and np.array_equal(known, flags.response_ids):
        return np.asarray(weights, dtype=float)
    positions = np.searchsorted(known, flags.response_ids)
    positions = np.clip(positions, 0, max(known.size - 1, 0))
    found = known.size > 0 and known[positions] == flags.response_ids
    return np.where(found, np.asarray(weights, dtype=float)[positions], 0.0)


def _effective_n(weight_sum: float, weight_square_sum: float) -> float:
    return weight_sum**2 / weight_square_sum if weight_square_sum > 0 else 0.0


def weighted_proportion(
    numerator: int, n: int, weighted_numerator: float, weight_sum: float, weight_squares: float
) -> dict[str, Any]:
    """Unweighted share and Wilson interval, weighted share and interval on the effective n."""
    low, high = wilson_interval(numerator, n)
    effective_n = _effective_n(weight_sum, weight_squares)
    weighted_share = min(1.0, weighted_numerator / weight_sum) if weight_sum > 0 else None
    weighted_low = weighted_high = None
    if weighted_share is not None:
        weighted_low, weighted_high = proportion_interval_weighted(weighted_share, effective_n)
    return {
        "n": n,
        "numerator": numerator,
        "share": numerator / n if n else None,
        "interval_low": low if n else None,
        "interval_high": high if n else None,
        "weighted_share": weighted_share,
        "weighted_interval_low": weighted_low,
        "weighted_interval_high": weighted_high,
        "effective_n": effective_n if n else None,
    }


def _group_sums(codes: npt.NDArray[np.intp], values: FloatArray, category_count: int) -> FloatArray:
    in_group = codes >= 0
    return np.bincount(codes[in_group], weights=values[in_group], minlength=category_count)


def weighted_indicators(
    flags: IndicatorFlags, weights: FloatArray, definitions: Sequence[IndicatorDefinition]
) -> list[dict[str, Any]]:
    """Every indicator overall and by each group, unweighted and weighted (not yet published).

    Each breakdown row compares the group with everyone else in the indicator's base,
    including those who did not state the group, as the unweighted breakdowns do.
    """
    results = []
    squares = weights**2
    for index, definition in enumerate(definitions):
        in_base = flags.denominators[:, index]
        in_numerator = flags.numerators[:, index] & in_base
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
        breakdowns = {}
        for dimension, codes in flags.group_codes.items():
            categories = flags.group_categories[dimension]
            size = len(categories)
            sums = {
                "n": _group_sums(codes, in_base.astype(float), size),
                "numerator": _group_sums(codes, in_numerator.astype(float), size),
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
    overall: Mapping[str, Any],
    base_weights: FloatArray,
    numerator_weights: FloatArray,
    base_squares: FloatArray,
) -> list[dict[str, Any]]:
    total_weight = float(base_weights.sum())
    total_numerator_weight = float(numerator_weights.sum())
    total_squares = float(base_squares.sum())
    rows = []
    for position, category in enumerate(categories):
        n = int(round(sums["n"][position]))
        if n == 0:
            continue
        group = weighted_proportion(
            int(round(sums["numerator"][position])),
            n,
            float(sums["weighted_numerator"][position]),
            float(sums["weight_sum"][position]),
            float(sums["weight_squares"][position]),
        )
        rest_weight = total_weight - float(sums["weight_sum"][position])
        rest_share = None
        if rest_weight > 0 and overall["n"] - n > 0:
            rest_share = (total_numerator_weight - sums["weighted_numerator"][position]) / (
                rest_weight
            )
            rest_share = float(min(1.0, max(0.0, rest_share)))
        rest_effective_n = _effective_n(
            rest_weight, total_squares - float(sums["weight_squares"][position])
        )
        significant, direction = False, None
        if group["weighted_share"] is not None and rest_share is not None:
            group_effective_n = group["effective_n"]
            significant = two_proportion_difference_significant(
                group["weighted_share"] * group_effective_n,
                group_effective_n,
                rest_share * rest_effective_n,
                rest_effective_n,
            )
            if significant:
                direction = "higher" if group["weighted_share"] > rest_share else "lower"
        rows.append(
            {
                "category": category,
                **group,
                "differs_from_rest": significant,
                "direction": direction,
            }
        )
    return rows
