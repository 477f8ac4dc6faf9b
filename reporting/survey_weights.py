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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from .queries import SUBMITTED, population_benchmarks_by_dimension, responses
from .representativeness import NOT_STATED_CATEGORIES
from .weighting import RakeResult, rake

WEIGHTING_DIMENSIONS = ("age_band", "sex", "ethnic_group", "disability", "tenure")
# Trimming at five times the mean stops a handful of respondents speaking for hundreds.
WEIGHT_CAP = 5.0

Cell = tuple[str | None, ...]


@dataclass(frozen=True)
class SurveyWeights:
    """The weights of the survey's respondents, one per cell.

    A respondent's weight depends only on their answers to the weighting questions (see
    reporting.weighting), so the respondents are read from the database as cells (each
    distinct combination of answers, None where not stated, with how many gave it) and raked
    as such: a million responses cost a few hundred cells.
    """

    cells: Sequence[Cell]  # one label or None per entry of `dimensions`
    counts: Sequence[int]  # respondents in each cell
    result: RakeResult | None  # result.weights: one weight per cell
    dimensions: tuple[str, ...]
    sources: dict[str, str]
    merged: dict[str, dict[str, str]] = field(default_factory=dict)
    problem: str | None = None

    @property
    def respondents(self) -> int:
        return int(sum(self.counts))

    def weight_of(self, cell: Cell) -> float | None:
        """The weight of each respondent in `cell`; None when no respondent was weighted there."""
        if self.result is None:
            return None
        return self._weight_by_cell.get(cell)

    def weight_for(self, values: Mapping[str, str | None]) -> float | None:
        """The weight of a respondent whose answers (dimension -> category) are `values`."""
        return self.weight_of(stated_cell(values, self.dimensions))

    @cached_property
    def _weight_by_cell(self) -> dict[Cell, float]:
        assert self.result is not None
        return dict(zip(self.cells, self.result.weights.tolist(), strict=True))

    def categories(self) -> dict[str, list[str]]:
        """Every category any respondent stated, per weighting dimension."""
        return {
            dimension: sorted({cell[position] for cell in self.cells if cell[position] is not None})
            for position, dimension in enumerate(self.dimensions)
        }

    def weights_for_codes(
        self, codes: npt.NDArray[np.integer], categories: Mapping[str, Sequence[str]]
    ) -> npt.NDArray[np.float64]:
        """Each respondent's weight from their category codes on `dimensions`.

        codes: respondents x dimensions (in the order of `dimensions`), each the category's
        position in `categories`, -1 for not stated, -2 for a category no weighted respondent
        gave. A respondent in a cell that was not weighted (submitted after the weights were
        made) gets 0; one submitted after them into a cell that was weighted gets that cell's
        weight. Once the survey has closed no submissions arrive between the two.
        """
        if self.result is None:
            return np.ones(codes.shape[0])
        sizes = [len(categories[d]) + 1 for d in self.dimensions]  # +1: not stated
        table = np.zeros(int(np.prod(sizes)) if sizes else 1)
        position_of = [
            {category: index + 1 for index, category in enumerate(categories[d])}
            for d in self.dimensions
        ]
        for cell, weight in zip(self.cells, self.result.weights.tolist(), strict=True):
            digits = [
                0 if label is None else lookup[label]
                for label, lookup in zip(cell, position_of, strict=True)
            ]
            table[int(np.ravel_multi_index(digits, sizes))] = weight
        if codes.shape[0] == 0:
            return np.zeros(0)
        known = np.all(codes >= -1, axis=1)
        index = np.ravel_multi_index((np.maximum(codes, -1) + 1).astype(np.intp).T, sizes)
        return np.where(known, table[index], 0.0)


def stated_cell(values: Mapping[str, str | None], dimensions: Sequence[str]) -> Cell:
    """A respondent's cell: their category on each dimension, None where not stated."""
    stated = (values.get(d) for d in dimensions)
    return tuple(None if value in NOT_STATED_CATEGORIES else value for value in stated)


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
    sources = {d: f"{benchmarks[d].source} ({benchmarks[d].year})" for d in dimensions}
    columns = [responses.c[d] for d in dimensions]
    query = (
        select(*columns, func.count())
        .where(responses.c.survey_id == survey_id, responses.c.status == SUBMITTED)
        .group_by(*columns)
    )
    cell_counts: dict[Cell, int] = {}
    with engine.connect() as connection:
        for *values, count in connection.execute(query):
            cell = stated_cell(dict(zip(dimensions, values, strict=True)), dimensions)
            cell_counts[cell] = cell_counts.get(cell, 0) + count
    cells = sorted(cell_counts, key=lambda cell: tuple((v is None, v or "") for v in cell))
    counts = [cell_counts[cell] for cell in cells]

    def refused(problem: str) -> SurveyWeights:
        return SurveyWeights(cells, counts, None, dimensions, sources, problem=problem)

    if not cells:
        return refused("No submitted responses yet")

    targets: dict[str, dict[str, float]] = {}
    collapse: dict[str, dict[str, str]] = {}
    usable: list[str] = []
    for position, dimension in enumerate(dimensions):
        respondents: dict[str, int] = {}
        for cell, count in zip(cells, counts, strict=True):
            if cell[position] is not None:
                respondents[cell[position]] = respondents.get(cell[position], 0) + count
        if not respondents:
            continue  # nobody answered: nothing to weight on
        census = benchmarks[dimension].counts
        unknown = set(respondents) - set(census)
        if unknown:
            return refused(f"{dimension} has answers with no census category: {sorted(unknown)}")
        merges = _neighbour_merges(list(census), respondents)
        if merges:
            collapse[dimension] = merges
        targets[dimension] = {c: float(n) for c, n in census.items()}
        usable.append(dimension)
    if not usable:
        return refused("Nobody answered any weighting question")
    # Dimensions nobody answered are None in every cell: dropping them merges nothing.
    keep = [dimensions.index(d) for d in usable]
    cells = [tuple(cell[i] for i in keep) for cell in cells]
    result = rake(
        {d: [cell[position] for cell in cells] for position, d in enumerate(usable)},
        {d: targets[d] for d in usable},
        cap=WEIGHT_CAP,
        max_iter=200,
        collapse=collapse or None,
        frequencies=counts,
    )
    problem = (
        None
        if result.converged
        else (
            f"Weighting did not converge in {result.iterations} passes (largest margin error "
            f"{result.max_margin_error:.2%}); weighted figures should be read with care"
        )
    )
    return SurveyWeights(cells, counts, result, tuple(usable), sources, collapse, problem)
