"""Which channels reach a group: the group's share of each channel's responses, best first."""

from __future__ import annotations

from collections.abc import Mapping

from reporting.disclosure import (
    WITHHELD,
    is_suppressed,
    linked_suppressions,
    publish_proportion,
    withhold_proportion,
)
from reporting.model import ChannelReach, PublishedProportion, ShareFigures
from reporting.representativeness import NOT_STATED_CATEGORIES
from reporting.stats import wilson_interval

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


def channel_reach(
    counts_by_channel: Mapping[int | None, Mapping[str | None, int]],
    category: str,
    channel_names: Mapping[int, tuple[str, str]],
) -> list[ChannelReach]:
    """For every channel with answers on the dimension: its n, the group's count and share.

    Rows whose share can be published come first, highest share first; rows withheld by
    disclosure control follow in name order, so their position reveals nothing.
    """
    raw: dict[int | None, tuple[int, int]] = {}
    names: dict[int | None, tuple[str, str | None]] = {}
    for channel_id, counts in counts_by_channel.items():
        answered = sum(n for c, n in counts.items() if c not in NOT_STATED_CATEGORIES)
        if answered == 0:
            continue
        raw[channel_id] = (counts.get(category, 0), answered)
        named = None if channel_id is None else channel_names.get(channel_id)
        names[channel_id] = named or (NO_RECORDED_CHANNEL, None)
    published: dict[int | None, PublishedProportion] = {}
    for channel_id, (in_group, answered) in raw.items():
        low, high = wilson_interval(in_group, answered)
        figures: ShareFigures = {
            "share": in_group / answered,
            "interval_low": low,
            "interval_high": high,
        }
        published[channel_id] = publish_proportion(in_group, answered, figures)
    # The channels' group counts add up to the group's count, and their bases to everyone who
    # answered, both published with the group: one hidden cell would be given back.
    every = [(frozenset(raw), None)]
    numerators = {channel_id: in_group for channel_id, (in_group, _) in raw.items()}
    bases = {channel_id: answered for channel_id, (_, answered) in raw.items()}
    hidden = {channel_id for channel_id, row in published.items() if row["share"] is None}
    for channel_id in linked_suppressions(numerators, hidden, every) - hidden:
        published[channel_id] = {
            **published[channel_id],
            "numerator": WITHHELD,
            "share": None,
            "interval_low": None,
            "interval_high": None,
        }
    small_bases = {channel_id for channel_id, n in bases.items() if is_suppressed(n)}
    for channel_id in linked_suppressions(bases, small_bases, every) - small_bases:
        published[channel_id] = {
            **withhold_proportion(published[channel_id]),
            "n": WITHHELD,
        }
    rows: list[ChannelReach] = [
        {
            "channel": names[channel_id][0],
            "partner": names[channel_id][1],
            "n": row["n"],
            "group_count": row["numerator"],
            "group_share": row["share"],
            "group_share_low": row["interval_low"],
        }
        for channel_id, row in published.items()
    ]
    shown = sorted(
        (row for row in rows if row["group_share"] is not None),
        # Every share here is published; "or" only tells the checker so.
        key=lambda row: (-(row["group_share"] or 0.0), row["channel"]),
    )
    withheld = sorted(
        (row for row in rows if row["group_share"] is None), key=lambda r: r["channel"]
    )
    return shown + withheld
