"""Weights that make the sample match the census on age, sex, ethnic group, disability and tenure.

The final report and the exports use these. Sexual orientation is not a weighting dimension:
one adult in thirteen did not answer it in the census, and it is the survey's most sensitive
question, so its margin is reported but not forced. Respondents who preferred not to say on a
dimension are left out of that dimension's adjustment (see reporting.weighting).

A census category with no respondents at all cannot be weighted up from nothing, so its census
count is merged into a category that has respondents, who are then weighted to stand for both.
Where it goes depends on the kind of dimension:

* ordered (age bands, ORDERED_DIMENSIONS): into the nearest band with respondents in the
  benchmark's order (the next band up from an empty 16-24, for example), the busier one on a tie;
* nominal (every other dimension): into the dimension's stated residual category
  (RESIDUAL_CATEGORIES; for ethnic group, 'Other ethnic group'). A nominal category has no
  neighbour: merging Other into White because the file lists them side by side would make
  White respondents speak for a group they are not. When the dimension has no residual
  category, or nobody is in the residual either, the dimension is not weighted at all; the
  other dimensions still are, and `problem` says which dimension was left out and which
  category had nobody in it.

A census category with a count of zero and no respondents needs no merge on a nominal
dimension: it has no population share to carry. Every merge is described in words in
`SurveyWeights.merge_notes`, and every dimension left out in `SurveyWeights.not_weighted`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt
from sqlalchemy import Select, func, select
from sqlalchemy.engine import Engine

from .interim import DIMENSION_LABELS
from .queries import Benchmark, counted, population_benchmarks_by_dimension, responses
from .representativeness import NOT_STATED_CATEGORIES
from .weighting import RakeResult, rake

WEIGHTING_DIMENSIONS = ("age_band", "sex", "ethnic_group", "disability", "tenure")
# Dimensions whose census categories are ordered bands, listed in order in the benchmark: an
# empty band is merged into its nearest non-empty neighbour.
ORDERED_DIMENSIONS = frozenset({"age_band"})
# Each nominal weighting dimension's residual category in the census benchmark
# (reporting/data/mk_census2021_16plus.csv), the one an empty category is merged into; None
# where the census has no residual, so an empty category stops that dimension being weighted.
RESIDUAL_CATEGORIES: Mapping[str, str | None] = {
    # Female and Male: neither stands for "anyone else".
    "sex": None,
    # "Other ethnic group" (Census 2021 high-level group: Arab or any other ethnic group) is the
    # census's own catch-all. The file lists it after White, an order that means nothing here.
    "ethnic_group": "other",
    # Disabled and not disabled under the Equality Act: a yes/no question.
    "disability": None,
    # Four named tenures, none a residual: "Private rented or lives rent free" is a named
    # group of renters, not "any other tenure".
    "tenure": None,
}
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
    # dimension -> {empty census category: the category it was merged into}
    merged: dict[str, dict[str, str]] = field(default_factory=dict)
    problem: str | None = None
    # dimension -> {empty census category: the merge in words, for the methodology}
    merge_notes: dict[str, dict[str, str]] = field(default_factory=dict)
    # dimension -> why it was left out of the weighting although respondents answered it
    not_weighted: dict[str, str] = field(default_factory=dict)

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
            dimension: sorted(
                {category for cell in self.cells if (category := cell[position]) is not None}
            )
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


@dataclass(frozen=True)
class EmptyCategoryPlan:
    """What to do with one dimension's census categories that nobody answered.

    Either `merges` (empty category -> category it joins) with `notes` (each merge in words),
    or `refusal`: why the dimension cannot be weighted, naming the empty categories.
    """

    merges: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    refusal: str | None = None


def _quoted(labels: Sequence[str]) -> str:
    quoted = [f"'{label}'" for label in labels]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def plan_empty_categories(
    benchmark: Benchmark, respondents: Mapping[str, int]
) -> EmptyCategoryPlan:
    """Merge or refuse, by the rule for `benchmark.dimension` (see the module docstring).

    respondents: how many answered each category (categories nobody answered may be absent).
    """
    dimension, census = benchmark.dimension, benchmark.counts
    dimension_label = DIMENSION_LABELS.get(dimension, dimension.replace("_", " ").capitalize())

    def label(category: str) -> str:
        return benchmark.labels.get(category, category)

    def note(category: str, into: str) -> str:
        return (
            f"{dimension_label}: nobody was in the census category '{label(category)}', so for "
            f"weighting its census count was merged into {into}, whose respondents also "
            "represent it."
        )

    if dimension in ORDERED_DIMENSIONS:
        merges = _neighbour_merges(list(census), respondents)
        notes = {
            category: note(category, f"the nearest band with respondents, '{label(destination)}'")
            for category, destination in merges.items()
        }
        return EmptyCategoryPlan(merges, notes)

    empty = [c for c, count in census.items() if count > 0 and respondents.get(c, 0) == 0]
    if not empty:
        return EmptyCategoryPlan()
    residual = RESIDUAL_CATEGORIES.get(dimension)
    names = _quoted([label(c) for c in empty])
    lead = (
        f"{dimension_label} was left out of the weighting because nobody is in its census "
        f"{'category' if len(empty) == 1 else 'categories'} {names}"
    )
    if residual is None or residual not in census:
        return EmptyCategoryPlan(
            refusal=(
                f"{lead}, and the dimension has no residual category to merge "
                f"{'it' if len(empty) == 1 else 'them'} into"
            )
        )
    if residual in empty:
        if len(empty) == 1:
            why = (
                "which is its residual category: merging it into a named category would make "
                "that category's respondents stand for people outside it"
            )
        else:
            why = (
                f"and '{label(residual)}' is its residual category, so there is no category "
                "with respondents to merge them into"
            )
        return EmptyCategoryPlan(refusal=f"{lead}, {why}")
    return EmptyCategoryPlan(
        {category: residual for category in empty},
        {
            category: note(category, f"the residual category '{label(residual)}'")
            for category in empty
        },
    )


def _neighbour_merges(categories: Sequence[str], respondents: Mapping[str, int]) -> dict[str, str]:
    """Merge each category nobody answered into its nearest neighbour that somebody did.

    For ordered categories only (age bands): on a tie, into the neighbour more answered.
    """
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
    # Rows (a category on each dimension, count).
    query: Select[*tuple[str | None, ...], int] = (
        select(*columns, func.count()).where(counted(survey_id)).group_by(*columns)
    )
    cell_counts: dict[Cell, int] = {}
    with engine.connect() as connection:
        for *values, count in connection.execute(query):
            cell = stated_cell(dict(zip(dimensions, values, strict=True)), dimensions)
            cell_counts[cell] = cell_counts.get(cell, 0) + count
    cells = sorted(cell_counts, key=lambda cell: tuple((v is None, v or "") for v in cell))
    counts = [cell_counts[cell] for cell in cells]

    not_weighted: dict[str, str] = {}

    def refused(problem: str) -> SurveyWeights:
        return SurveyWeights(
            cells, counts, None, dimensions, sources, problem=problem, not_weighted=not_weighted
        )

    if not cells:
        return refused("No submitted responses yet")

    targets: dict[str, dict[str, float]] = {}
    collapse: dict[str, dict[str, str]] = {}
    merge_notes: dict[str, dict[str, str]] = {}
    usable: list[str] = []
    for position, dimension in enumerate(dimensions):
        respondents: dict[str, int] = {}
        for cell, count in zip(cells, counts, strict=True):
            category = cell[position]
            if category is not None:
                respondents[category] = respondents.get(category, 0) + count
        if not respondents:
            continue  # nobody answered: nothing to weight on
        census = benchmarks[dimension].counts
        unknown = set(respondents) - set(census)
        if unknown:
            return refused(f"{dimension} has answers with no census category: {sorted(unknown)}")
        plan = plan_empty_categories(benchmarks[dimension], respondents)
        if plan.refusal is not None:
            not_weighted[dimension] = plan.refusal
            continue
        if plan.merges:
            collapse[dimension] = plan.merges
            merge_notes[dimension] = plan.notes
        targets[dimension] = {c: float(n) for c, n in census.items()}
        usable.append(dimension)
    problems = list(not_weighted.values())
    if not usable:
        return refused(". ".join(problems) or "Nobody answered any weighting question")
    # Dimensions left out are dropped from every cell. Where nobody answered one it is None in
    # every cell, so this merges nothing; where one was refused, cells that differ only on it
    # become one (a respondent's weight depends only on the dimensions weighted).
    keep = [dimensions.index(d) for d in usable]
    projected: dict[Cell, int] = {}
    for cell, count in zip(cells, counts, strict=True):
        kept = tuple(cell[i] for i in keep)
        projected[kept] = projected.get(kept, 0) + count
    cells = sorted(projected, key=lambda cell: tuple((v is None, v or "") for v in cell))
    counts = [projected[cell] for cell in cells]
    result = rake(
        {d: [cell[position] for cell in cells] for position, d in enumerate(usable)},
        {d: targets[d] for d in usable},
        cap=WEIGHT_CAP,
        max_iter=200,
        collapse=collapse or None,
        frequencies=counts,
    )
    if not result.converged:
        problems.append(
            f"Weighting did not converge in {result.iterations} passes (largest margin error "
            f"{result.max_margin_error:.2%}); weighted figures should be read with care"
        )
    return SurveyWeights(
        cells,
        counts,
        result,
        tuple(usable),
        sources,
        collapse,
        ". ".join(problems) or None,
        merge_notes,
        not_weighted,
    )
