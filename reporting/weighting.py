"""Raking weights: iterative proportional fitting of respondents to census margins.

Each pass visits every dimension in turn and scales the weights of each category's
respondents so that the category's weighted share equals its target share. Passes repeat
until the largest gap between a weighted share and its target, over every dimension and
category, is at most `tol`. Convergence is judged by that gap and nothing else: an
iteration that barely moves the weights is not taken as success. When `max_iter` passes
are used up first, the result says so (converged=False) with the gap it reached; nothing
is silently accepted, and no warning is raised, so callers must look at `converged`.

Respondents who did not answer a dimension (None) are left out of that dimension's
adjustment: the step for that dimension neither raises nor lowers their weight, and the
dimension's margin is the weighted share among its answerers only. Each step preserves the
answerers' total weight, so the overall total, and hence the mean weight of 1, is kept.

With a `cap`, every pass ends by trimming weights above cap x mean weight and handing the
trimmed weight to the untrimmed respondents in proportion to their weights (so the mean
stays 1), and the next pass re-rakes. Trimming inside the loop, rather than once after full
convergence, is what lets both conditions hold together: the result is converged only when
every weight is within the cap and every margin within `tol` at the same time.

Every step treats respondents with the same answers alike, so a respondent's weight depends
only on their cell (their combination of categories). A large sample is therefore raked as its
distinct cells, each with its number of respondents (`frequencies`): the weights, shares and
design effect are exactly those of raking every respondent one by one, at the cost of a few
hundred cells instead of a million rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# Relative slack when checking the cap, so that float rounding is not taken for a breach.
_CAP_SLACK = 1e-9


@dataclass(frozen=True, eq=False)
class RakeResult:
    weights: FloatArray
    converged: bool
    iterations: int
    max_margin_error: float
    design_effect: float
    effective_n: float
    weighted_shares: dict[str, dict[str, float]] = field(default_factory=dict)
    target_shares: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "weights": self.weights.tolist(),
            "converged": self.converged,
            "iterations": self.iterations,
            "max_margin_error": self.max_margin_error,
            "design_effect": self.design_effect,
            "effective_n": self.effective_n,
            "weighted_shares": self.weighted_shares,
            "target_shares": self.target_shares,
        }


@dataclass(frozen=True)
class _Margin:
    """One dimension ready for fitting: respondents' category indices and target shares."""

    dimension: str
    categories: tuple[str, ...]
    category_index: npt.NDArray[np.intp]  # -1 where the respondent did not answer
    target_shares: FloatArray


def kish_design_effect(
    weights: Sequence[float] | FloatArray, frequencies: Sequence[float] | FloatArray | None = None
) -> float:
    """Kish's design effect from unequal weighting: n * sum(w^2) / (sum w)^2.

    frequencies: how many respondents carry each weight (one each when not given).
    """
    weight_array = np.asarray(weights, dtype=float)
    counts = np.ones_like(weight_array) if frequencies is None else np.asarray(frequencies, float)
    total = float(np.sum(counts * weight_array))
    if weight_array.size == 0 or total <= 0:
        raise ValueError("design effect needs at least one positive weight")
    return float(counts.sum() * np.sum(counts * weight_array**2) / total**2)


def _resolve_collapse(dimension: str, mapping: Mapping[str, str]) -> dict[str, str]:
    """Follow chains such as a -> b -> c, so every merged category names its final cell."""
    resolved = {}
    for category in mapping:
        seen = [category]
        destination = mapping[category]
        while destination in mapping:
            if destination in seen:
                raise ValueError(
                    f"dimension {dimension!r}: collapse mapping has a cycle through {destination!r}"
                )
            seen.append(destination)
            destination = mapping[destination]
        resolved[category] = destination
    return resolved


def _prepare_margin(
    dimension: str,
    labels: Sequence[str | None],
    target: Mapping[str, float],
    collapse: Mapping[str, str],
) -> _Margin:
    resolved = _resolve_collapse(dimension, collapse)
    for category, amount in target.items():
        if not np.isfinite(amount) or amount < 0:
            raise ValueError(
                f"dimension {dimension!r}: target for category {category!r} must be a "
                f"non-negative number, got {amount!r}"
            )
    answered_labels = {label for label in labels if label is not None}
    for category in resolved:
        if category not in target and category not in answered_labels:
            raise ValueError(
                f"dimension {dimension!r}: collapse names category {category!r}, which is "
                "neither a target nor a respondent's answer"
            )

    merged_target: dict[str, float] = {}
    for category, amount in target.items():
        destination = resolved.get(category, category)
        merged_target[destination] = merged_target.get(destination, 0.0) + float(amount)
    merged_labels = [None if label is None else resolved.get(label, label) for label in labels]

    target_total = sum(merged_target.values())
    if target_total <= 0:
        raise ValueError(f"dimension {dimension!r}: targets sum to zero")
    respondent_categories = {label for label in merged_labels if label is not None}
    if not respondent_categories:
        raise ValueError(f"dimension {dimension!r}: no respondent answered it")
    for category in sorted(respondent_categories):
        if category not in merged_target:
            raise ValueError(
                f"dimension {dimension!r}: category {category!r} has respondents but no "
                "target; add a target or collapse it into a neighbouring category"
            )
        if merged_target[category] == 0:
            raise ValueError(
                f"dimension {dimension!r}: category {category!r} has respondents but a zero "
                "target; collapse it into a neighbouring category"
            )
    for category in sorted(merged_target):
        if merged_target[category] > 0 and category not in respondent_categories:
            raise ValueError(
                f"dimension {dimension!r}: target category {category!r} has no respondents; "
                "collapse it into a neighbouring category"
            )

    categories = tuple(sorted(respondent_categories))
    position = {category: index for index, category in enumerate(categories)}
    category_index = np.array(
        [-1 if label is None else position[label] for label in merged_labels], dtype=np.intp
    )
    target_shares = np.array([merged_target[c] / target_total for c in categories])
    return _Margin(dimension, categories, category_index, target_shares)


def _weighted_shares(weights: FloatArray, margin: _Margin, counts: FloatArray) -> FloatArray:
    answered = margin.category_index >= 0
    totals = np.bincount(
        margin.category_index[answered],
        weights=(weights * counts)[answered],
        minlength=len(margin.categories),
    )
    return totals / totals.sum()


def _max_margin_error(weights: FloatArray, margins: Sequence[_Margin], counts: FloatArray) -> float:
    return max(
        float(np.max(np.abs(_weighted_shares(weights, margin, counts) - margin.target_shares)))
        for margin in margins
    )


def _rake_one_margin(weights: FloatArray, margin: _Margin, counts: FloatArray) -> FloatArray:
    # Every category has respondents with positive weight (checked when preparing), so
    # the current shares are all positive and the factors are finite.
    factors = margin.target_shares / _weighted_shares(weights, margin, counts)
    answered = margin.category_index >= 0
    adjusted = weights.copy()
    adjusted[answered] *= factors[margin.category_index[answered]]
    return adjusted


def _trim_to_cap(weights: FloatArray, cap: float, counts: FloatArray) -> FloatArray:
    """Weights with mean 1 and none above cap, changing only those that must change.

    Weights above the cap are set to it and the rest scaled up to keep the total; scaling may
    push more weights over, so those join the capped set until none is over. With cap > 1
    this always ends, since at most n - 1 weights can sit at the cap.
    """
    size = counts.sum()
    scaled = weights * (size / np.sum(weights * counts))
    capped = scaled > cap
    while True:
        uncapped_total = np.sum((scaled * counts)[~capped])
        scale = (size - cap * counts[capped].sum()) / uncapped_total
        newly_over = ~capped & (scaled * scale > cap)
        if not newly_over.any():
            return np.where(capped, cap, scaled * scale)
        capped |= newly_over


def _validate(
    sample: Mapping[str, Sequence[str | None]],
    targets: Mapping[str, Mapping[str, float]],
    cap: float | None,
    tol: float,
    max_iter: int,
    collapse: Mapping[str, Mapping[str, str]],
    frequencies: Sequence[float] | FloatArray | None,
) -> int:
    if not sample:
        raise ValueError("sample has no dimensions to rake on")
    lengths = {dimension: len(labels) for dimension, labels in sample.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"every dimension needs one label per respondent; lengths: {lengths}")
    respondent_count = next(iter(lengths.values()))
    if respondent_count == 0:
        raise ValueError("sample has no respondents")
    if frequencies is not None:
        counts = np.asarray(frequencies, dtype=float)
        if counts.shape != (respondent_count,):
            raise ValueError(
                f"frequencies needs one count per row of the sample ({respondent_count}), "
                f"got shape {counts.shape}"
            )
        if not np.all(np.isfinite(counts)) or not np.all(counts > 0):
            raise ValueError("every frequency must be a positive number")
    missing_targets = sorted(set(sample) - set(targets))
    if missing_targets:
        raise ValueError(f"no targets for dimension(s) {missing_targets}")
    missing_answers = sorted(set(targets) - set(sample))
    if missing_answers:
        raise ValueError(f"targets given for dimension(s) {missing_answers} not in the sample")
    unknown_collapse = sorted(set(collapse) - set(sample))
    if unknown_collapse:
        raise ValueError(f"collapse names dimension(s) {unknown_collapse} not in the sample")
    if cap is not None and not cap > 1.0:
        raise ValueError(f"cap must be greater than 1 (a multiple of the mean), got {cap!r}")
    if not tol > 0:
        raise ValueError(f"tol must be positive, got {tol!r}")
    if max_iter < 1:
        raise ValueError(f"max_iter must be at least 1, got {max_iter!r}")
    return respondent_count


def rake(
    sample: Mapping[str, Sequence[str | None]],
    targets: Mapping[str, Mapping[str, float]],
    *,
    cap: float | None = None,
    tol: float = 1e-6,
    max_iter: int = 100,
    collapse: Mapping[str, Mapping[str, str]] | None = None,
    frequencies: Sequence[float] | FloatArray | None = None,
) -> RakeResult:
    """Rake respondents to the target margins of every dimension.

    sample: dimension -> one category label per respondent (None where not answered), all
    the same length. targets: dimension -> {category: population count or share}; each
    dimension is normalised to shares. collapse: dimension -> {category: neighbour} merges
    a category into its neighbour in both sample and targets before fitting, for categories
    that would otherwise be refused (respondents without a target, or a target without
    respondents). cap: largest weight allowed, as a multiple of the mean weight.
    max_iter counts passes over all dimensions, trimming included. frequencies: when each row
    of the sample stands for several respondents with the same answers (a cell), how many; the
    weights returned are then per row (each of a cell's respondents carries it), and the mean
    weight, cap, shares and design effect count every respondent.
    """
    collapse = collapse or {}
    row_count = _validate(sample, targets, cap, tol, max_iter, collapse, frequencies)
    counts = np.ones(row_count) if frequencies is None else np.asarray(frequencies, dtype=float)
    respondent_count = float(counts.sum())
    margins = [
        _prepare_margin(
            dimension, sample[dimension], targets[dimension], collapse.get(dimension, {})
        )
        for dimension in sample
    ]

    weights = np.ones(row_count)
    iterations = 0
    error = _max_margin_error(weights, margins, counts)
    while error > tol and iterations < max_iter:
        for margin in margins:
            weights = _rake_one_margin(weights, margin, counts)
        if cap is not None:
            weights = _trim_to_cap(weights, cap, counts)
        iterations += 1
        error = _max_margin_error(weights, margins, counts)

    weights = weights * (respondent_count / np.sum(weights * counts))
    # The result is frozen; a read-only array stops a report quietly editing shared weights.
    weights.setflags(write=False)
    within_cap = cap is None or bool(np.all(weights <= cap * (1.0 + _CAP_SLACK)))
    design_effect = kish_design_effect(weights, counts)
    return RakeResult(
        weights=weights,
        converged=error <= tol and within_cap,
        iterations=iterations,
        max_margin_error=error,
        design_effect=design_effect,
        effective_n=respondent_count / design_effect,
        weighted_shares={
            margin.dimension: dict(
                zip(
                    margin.categories,
                    _weighted_shares(weights, margin, counts).tolist(),
                    strict=True,
                )
            )
            for margin in margins
        },
        target_shares={
            margin.dimension: dict(
                zip(margin.categories, margin.target_shares.tolist(), strict=True)
            )
            for margin in margins
        },
    )
