"""Which channels reach a group: the group's share of each channel's responses, best first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reporting.disclosure import publish_proportion
from reporting.representativeness import NOT_STATED_CATEGORIES

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
    channel_names: Mapping[int, str],
) -> list[dict[str, Any]]:
    """For every channel with answers on the dimension: its n, the group's count and share.

    Rows whose share can be published come first, highest share first; rows withheld by
    disclosure control follow in name order, so their position reveals nothing.
    """
    rows = []
    for channel_id, counts in counts_by_channel.items():
        answered = sum(n for c, n in counts.items() if c not in NOT_STATED_CATEGORIES)
        if answered == 0:
            continue
        in_group = counts.get(category, 0)
        published = publish_proportion(in_group, answered, {"share": in_group / answered})
        name = NO_RECORDED_CHANNEL if channel_id is None else channel_names.get(channel_id)
        rows.append(
            {
                "channel": name or NO_RECORDED_CHANNEL,
                "n": published["n"],
                "group_count": published["numerator"],
                "group_share": published["share"],
            }
        )
    shown = sorted(
        (row for row in rows if row["group_share"] is not None),
        key=lambda row: (-row["group_share"], row["channel"]),
    )
    hidden = sorted((row for row in rows if row["group_share"] is None), key=lambda r: r["channel"])
    return shown + hidden
