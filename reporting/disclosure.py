"""Disclosure control for published tables: no count under 10 is ever shown.

Primary suppression: a count under 10 is published as "fewer than 10" and any share, ratio or
interval computed from it is withheld, because the share and the published denominator
would give the count back. Secondary suppression: where a table's total is published, one
suppressed cell could be recovered by subtraction, so the next smallest cell is withheld too.
Flags and population figures are not counts of respondents and stay visible.

A zero is published as 0 in a table of counts: it describes nobody, and hiding it would hide
the dormant channels and absent groups the report exists to show. In a proportion, though,
a zero numerator or a zero rest says "all" or "none" of a group, so there both parts must be
at least 10 before the share is shown.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar, cast, overload

from reporting.model import (
    PublishedCount,
    PublishedProportion,
    PublishedWeightedProportion,
    ShareFigures,
    WeightedShareFigures,
)

DISCLOSURE_THRESHOLD = 10
FEWER_THAN_THRESHOLD = f"fewer than {DISCLOSURE_THRESHOLD}"
WITHHELD = "withheld"

Key = TypeVar("Key", bound=Hashable)
Published = TypeVar("Published", bound=PublishedProportion)
# The figures computed from a proportion's numerator and base, withheld with them.
COMPUTED_FIGURES = frozenset(
    {
        "share",
        "interval_low",
        "interval_high",
        "weighted_share",
        "weighted_interval_low",
        "weighted_interval_high",
        "effective_n",
    }
)


def is_suppressed(count: int) -> bool:
    """Whether a count of respondents is too small to publish (zero describes nobody)."""
    return 0 < count < DISCLOSURE_THRESHOLD


def suppress(count: int) -> PublishedCount:
    """The count as it may be published: itself, or "fewer than 10"."""
    return FEWER_THAN_THRESHOLD if is_suppressed(count) else count


def publish_share(count: int, share: float | None) -> float | None:
    """A share computed from `count`, withheld (None) when the count itself is suppressed."""
    return None if is_suppressed(count) else share


def secondary_suppressions(counts: Mapping[Key, int]) -> set[Key]:
    """Cells of a table with a published total that must be withheld besides those under 10.

    With exactly one cell under the threshold its value is the total minus the others, so the
    smallest remaining non-zero cell is withheld as well (a withheld zero would add no doubt);
    two or more hidden cells only reveal their sum.
    """
    primary = {key for key, count in counts.items() if is_suppressed(count)}
    if len(primary) != 1:
        return set()
    others = [key for key, count in counts.items() if key not in primary and count > 0]
    if not others:
        return set()
    return {min(others, key=lambda key: counts[key])}


def publish_table(counts: Mapping[Key, int]) -> dict[Key, PublishedCount]:
    """Every cell of a table whose total is published, with primary and secondary suppression."""
    withheld = secondary_suppressions(counts)
    return {key: WITHHELD if key in withheld else suppress(count) for key, count in counts.items()}


def linked_suppressions(
    cells: Mapping[Key, int],
    hidden: set[Key],
    sums: Sequence[tuple[frozenset[Key], Key | None]],
) -> set[Key]:
    """Every cell to hide so that no published sum gives a hidden cell back by subtraction.

    `sums` lists which cells add up to what: (parts, total), where total is itself a cell (a
    category of a roll-up table, LGB+ beside its parts) or None for a figure that is always
    published (a table's total). While some sum is published and exactly one of its parts is
    hidden, the smallest other non-zero part is hidden too, or, if there is none, the sum
    itself (of equally small parts, the first by name). Hiding one cell can expose another
    sum, so this repeats until nothing changes; each round hides one more cell, so it ends.
    """
    hidden = set(hidden)
    changed = True
    while changed:
        changed = False
        for parts, total in sums:
            if total is not None and total in hidden:
                continue
            if sum(1 for part in parts if part in hidden and cells[part] != 0) != 1:
                continue
            others = [part for part in parts if part not in hidden and cells[part] > 0]
            if others:
                # Ties go to the first by name: the same figures must hide the same cells in
                # every run, or two reports of one survey could each give back what the other
                # hid (a set's order changes from one process to the next).
                hidden.add(min(others, key=lambda part: (cells[part], repr(part))))
            elif total is not None:
                hidden.add(total)
            else:
                continue
            changed = True
    return hidden


def round_up_to_threshold(value: int) -> int:
    """Round a figure derived from a small count up to a multiple of 10, so it hides the count.

    "Responses needed" solves for the group's count; published exactly it would give that
    count back when the count itself is suppressed.
    """
    return int(math.ceil(value / DISCLOSURE_THRESHOLD) * DISCLOSURE_THRESHOLD)


@overload
def publish_proportion(
    numerator: int, n: int, figures: WeightedShareFigures
) -> PublishedWeightedProportion: ...


@overload
def publish_proportion(numerator: int, n: int, figures: ShareFigures) -> PublishedProportion: ...


def publish_proportion(numerator: int, n: int, figures: ShareFigures) -> PublishedProportion:
    """n, numerator and the figures computed from them (share, interval), as publishable.

    The rest (n - numerator) is recoverable from the two published counts, so it is protected
    as well: when either part is under 10 the numerator is hidden and every figure withheld.
    """
    rest = n - numerator
    hidden = numerator < DISCLOSURE_THRESHOLD or rest < DISCLOSURE_THRESHOLD
    published_numerator: PublishedCount
    if numerator < DISCLOSURE_THRESHOLD:
        published_numerator = FEWER_THAN_THRESHOLD if n else 0
    else:
        published_numerator = WITHHELD if rest < DISCLOSURE_THRESHOLD else numerator
    published = {
        "n": suppress(n),
        "numerator": published_numerator,
        **{name: None if hidden else value for name, value in figures.items()},
    }
    # Each figure keeps its name, so this is `figures` with n and numerator: the overloads say
    # which of the two shapes that is.
    return cast(PublishedProportion, published)


def _withheld_count(count: PublishedCount) -> PublishedCount:
    """A count hidden to protect another cell: "withheld", or "fewer than 10" if it was."""
    return count if isinstance(count, str) else WITHHELD


def withhold_proportion(published: Published) -> Published:
    """A published proportion withheld to protect another cell: its base and numerator
    hidden and every figure computed from them withheld. Anything else it carries (an
    indicator's key, label and breakdowns) is kept."""
    withheld = {
        **published,
        **{name: None for name in published if name in COMPUTED_FIGURES},
        "n": _withheld_count(published["n"]),
        "numerator": _withheld_count(published["numerator"]),
    }
    # The same keys as `published`, so the same shape.
    return cast(Published, withheld)
