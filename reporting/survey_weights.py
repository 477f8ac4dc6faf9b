"""Weights that make the sample match the census on age, sex, ethnic group, disability and tenure.

The final report and the exports use these. Sexual orientation is not a weighting dimension:
one adult in thirteen did not answer it in the census, and it is the survey's most sensitive
question, so its margin is reported but not forced. Respondents who preferred not to say on a
dimension are left out of that dimension's adjustment (see reporting.weighting).

A census category with no respondents at all cannot be weighted up from nothing; it is merged
with its neighbour in the benchmark's order (the next younger age band, for example), and the
report's methodology names every such merge.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Engine

from .queries import SUBMITTED, population_benchmarks_by_dimension, responses
from .weighting import RakeResult, rake

WEIGHTING_DIMENSIONS = ("age_band", "sex", "ethnic_group", "disability", "tenure")
NOT_STATED = (None, "prefer_not_to_say")
# Trimming at five times the mean stops a handful of respondents speaking for hundreds.
WEIGHT_CAP = 5.0


@dataclass(frozen=True)
class SurveyWeights:
    response_ids: Sequence[int]
    result: RakeResult | None
    dimensions: tuple[str, ...]
    sources: dict[str, str]
    merged: dict[str, dict[str, str]] = field(default_factory=dict)
    problem: str | None = None

    def weight_by_id(self) -> dict[int, float]:
        if self.result is None:
            return {}
        return dict(zip(self.response_ids, self.result.weights.tolist(), strict=True))


def _neighbour_merges(categories: Sequence[str], respondents: Mapping[str, int]) -> dict[str, str]:
    """Merge each category nobody answered into its nearest neighbour that somebody did."""
    merges: dict[str, str] = {}
    answered = [c for c in categories if respondents.get(c, 0) > 0]
    for position, category in enumerate(categories):
        if respondents.get(category, 0) > 0 or not answered:
            continue
        merges[category] = min(
            answered,
            key=lambda other: (abs(categories.index(other) - position), -respondents[other]),
        )
    return merges


def compute_survey_weights(engine: Engine, survey_id: int) -> SurveyWeights:
    benchmarks = population_benchmarks_by_dimension(engine)
    dimensions = tuple(d for d in WEIGHTING_DIMENSIONS if d in benchmarks)
    columns = [responses.c[d] for d in dimensions]
    query = (
        select(responses.c.id, *columns)
        .where(responses.c.survey_id == survey_id, responses.c.status == SUBMITTED)
        .order_by(responses.c.id)
    )
    # A million responses: ids go in a compact integer array, and each category label is one
    # shared string rather than a fresh copy per row.
    ids: array[int] = array("q")
    shared_labels: dict[str, str] = {}
    sample: dict[str, list[str | None]] = {d: [] for d in dimensions}
    with engine.connect() as connection:
        for row in connection.execution_options(yield_per=50_000).execute(query):
            ids.append(row[0])
            for dimension, value in zip(dimensions, row[1:], strict=True):
                label = None if value in NOT_STATED else shared_labels.setdefault(value, value)
                sample[dimension].append(label)
    sources = {d: f"{benchmarks[d].source} ({benchmarks[d].year})" for d in dimensions}
    if not ids:
        return SurveyWeights(ids, None, dimensions, sources, problem="No submitted responses yet")

    targets: dict[str, dict[str, float]] = {}
    collapse: dict[str, dict[str, str]] = {}
    usable: list[str] = []
    for dimension in dimensions:
        values = sample[dimension]
        respondents: dict[str, int] = {}
        for value in values:
            if value is not None:
                respondents[value] = respondents.get(value, 0) + 1
        if not respondents:
            continue  # nobody answered: nothing to weight on
        census = benchmarks[dimension].counts
        unknown = set(respondents) - set(census)
        if unknown:
            return SurveyWeights(
                ids,
                None,
                dimensions,
                sources,
                problem=(f"{dimension} has answers with no census category: {sorted(unknown)}"),
            )
        merges = _neighbour_merges(list(census), respondents)
        if merges:
            collapse[dimension] = merges
        targets[dimension] = {c: float(n) for c, n in census.items()}
        usable.append(dimension)
    if not usable:
        return SurveyWeights(
            ids, None, dimensions, sources, problem="Nobody answered any weighting question"
        )
    result = rake(
        {d: sample[d] for d in usable},
        {d: targets[d] for d in usable},
        cap=WEIGHT_CAP,
        max_iter=200,
        collapse=collapse or None,
    )
    problem = (
        None
        if result.converged
        else (
            f"Weighting did not converge in {result.iterations} passes (largest margin error "
            f"{result.max_margin_error:.2%}); weighted figures should be read with care"
        )
    )
    return SurveyWeights(ids, result, tuple(usable), sources, collapse, problem)


def weight_array(weights: SurveyWeights) -> np.ndarray:
    return np.ones(len(weights.response_ids)) if weights.result is None else weights.result.weights
