"""Which channels (or languages) reach a group: the group's share of each one's responses, best
first."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

from reporting.disclosure import (
    WITHHELD,
    is_suppressed,
    linked_suppressions,
    publish_proportion,
    withhold_proportion,
)
from reporting.model import ChannelReach, PublishedProportion, ReachFigures, ShareFigures
from reporting.representativeness import NOT_STATED_CATEGORIES
from reporting.stats import wilson_interval

Key = TypeVar("Key", bound=Hashable)

NO_RECORDED_CHANNEL = "No recorded channel"
KNOWN_LABELS = {
    "under_40": "Under 40",
    "40_and_over": "40 and over",
    "yes": "Yes",
    "no": "No",
    "outside_mk": "Outside Milton Keynes",
}


def humanise(category: str | None) -> str:
    """A readable label for a category code that has no benchmark label."""
    if category is None:
        return "Not stated"
    if category in KNOWN_LABELS:
        return KNOWN_LABELS[category]
    words = category.replace("_", " ").split()
    return " ".join(w if w == "and" else w[:1].upper() + w[1:] for w in words)


def reach(
    counts_by_key: Mapping[Key, Mapping[str | None, int]],
    category: str,
    names: Mapping[Key, str],
) -> list[tuple[Key, ReachFigures]]:
    """For every key (a channel, a language) with answers on the dimension: its n, the group's
    count and share, published, as (key, figures).

    Rows whose share can be published come first, highest share first; rows withheld by
    disclosure control follow in name order, so their position reveals nothing. `names` names
    every key, for that order.
    """
    raw: dict[Key, tuple[int, int]] = {}
    for key, counts in counts_by_key.items():
        answered = sum(n for c, n in counts.items() if c not in NOT_STATED_CATEGORIES)
        if answered == 0:
            continue
        raw[key] = (counts.get(category, 0), answered)
    published: dict[Key, PublishedProportion] = {}
    for key, (in_group, answered) in raw.items():
        low, high = wilson_interval(in_group, answered)
        figures: ShareFigures = {
            "share": in_group / answered,
            "interval_low": low,
            "interval_high": high,
        }
        published[key] = publish_proportion(in_group, answered, figures)
    # The keys' group counts add up to the group's count, and their bases to everyone who
    # answered, both published with the group: one hidden cell would be given back.
    every = [(frozenset(raw), None)]
    numerators = {key: in_group for key, (in_group, _) in raw.items()}
    bases = {key: answered for key, (_, answered) in raw.items()}
    hidden = {key for key, row in published.items() if row["share"] is None}
    for key in linked_suppressions(numerators, hidden, every) - hidden:
        published[key] = {
            **published[key],
            "numerator": WITHHELD,
            "share": None,
            "interval_low": None,
            "interval_high": None,
        }
    small_bases = {key for key, n in bases.items() if is_suppressed(n)}
    for key in linked_suppressions(bases, small_bases, every) - small_bases:
        published[key] = {**withhold_proportion(published[key]), "n": WITHHELD}
    rows: list[tuple[Key, ReachFigures]] = [
        (
            key,
            {
                "n": row["n"],
                "group_count": row["numerator"],
                "group_share": row["share"],
                "group_share_low": row["interval_low"],
            },
        )
        for key, row in published.items()
    ]
    shown = sorted(
        (row for row in rows if row[1]["group_share"] is not None),
        # Every share here is published; "or" only tells the checker so.
        key=lambda row: (-(row[1]["group_share"] or 0.0), names[row[0]]),
    )
    withheld = sorted(
        (row for row in rows if row[1]["group_share"] is None), key=lambda row: names[row[0]]
    )
    return shown + withheld


def channel_reach(
    counts_by_channel: Mapping[int | None, Mapping[str | None, int]],
    category: str,
    channel_names: Mapping[int, tuple[str, str]],
) -> list[ChannelReach]:
    """`reach` by channel: every channel with answers on the dimension (None: no recorded
    channel), named with its partner."""
    named: dict[int | None, tuple[str, str | None]] = {
        channel_id: (None if channel_id is None else channel_names.get(channel_id))
        or (NO_RECORDED_CHANNEL, None)
        for channel_id in counts_by_channel
    }
    names = {channel_id: name for channel_id, (name, _) in named.items()}
    return [
        {"channel": named[channel_id][0], "partner": named[channel_id][1], **figures}
        for channel_id, figures in reach(counts_by_channel, category, names)
    ]
