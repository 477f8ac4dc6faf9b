"""The summary a partnership board reads first: who answered, who is missing, what they said,
and what to do next, in plain English.

Built from the published report only (after disclosure control), so it can show nothing the
rest of the report withholds. The same summary leads the HTML and PDF, the first sheet of the
workbook and the `summary` object of the JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from reporting.model import (
    BestChannel,
    FlaggedGroup,
    GroupHeading,
    HeadlineResult,
    IndicatorKind,
    MissingGroup,
    Priorities,
    PriorityShare,
    PublishedCount,
    Report,
    Summary,
    TopChannel,
    WeightedResults,
)
from reporting.representativeness import FLAG_LABELS, UNDER_REPRESENTED

# How many channels to name for each missing group, and how many groups to name at most.
BEST_CHANNELS = 2
MOST_GROUPS = 8
TOP_CHANNELS = 3
TENURE_AUDIENCES = {
    "owns_outright": "residents who own their home outright",
    "owns_mortgage": "residents buying their home with a mortgage or shared ownership",
    "social_rented": "residents of council and housing association homes",
    "private_rented": "residents renting privately",
}


def _count(value: PublishedCount) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _percent(share: float | None) -> str:
    return "withheld" if share is None else f"{share * 100:.0f}%"


def _long_date(iso: str | None) -> str | None:
    if not iso:
        return None
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def group_name(group: GroupHeading) -> str:
    """The group as a heading names it: "Age: 16 to 24", not "Age: Aged 16 to 24", and the
    LGB+ dimension once, not "... (LGB+): LGB+"."""
    label, dimension = group["label"], group["dimension_label"]
    if label in dimension:
        return dimension
    if label.lower().startswith("aged "):
        label = label[len("aged ") :]
    return f"{dimension}: {label}"


def audience(group: GroupHeading) -> str:
    """The group as a sentence names the people in it: "residents aged 16 to 24"."""
    label, dimension = group["label"], group["dimension"]
    if dimension in ("age_band", "age_group"):
        return "residents " + (label[0].lower() + label[1:])
    if dimension == "ward":
        return f"residents of {label}"
    if dimension == "tenure" and group["category"] in TENURE_AUDIENCES:
        return TENURE_AUDIENCES[group["category"]]
    if dimension == "disability":
        return f"residents who are {label[0].lower() + label[1:]}"
    if dimension == "lgb_plus":
        return "LGB+ residents"
    if label.lower().startswith("all other "):
        # "All other sexual orientations": residents of other sexual orientations.
        return f"residents of {label[len('all ') :].lower()}"
    return f"{label} residents"


def _best_channels(group: FlaggedGroup) -> list[BestChannel]:
    """The channels that clearly reach the group better than the survey as a whole does: the
    lower end of the 95% interval of the group's share of the channel's responses is above the
    group's share of all responses. Best first; none when no channel stands out."""
    overall = group.get("sample_share") or 0.0
    rows = [
        row
        for row in group.get("channel_reach", [])
        if row["group_share"] is not None
        and (low := row.get("group_share_low")) is not None
        and low > overall
    ]
    return [
        {
            "channel": row["channel"],
            "partner": row.get("partner"),
            "group_share": row["group_share"],
            "group_count": row["group_count"],
            "n": row["n"],
        }
        for row in rows[:BEST_CHANNELS]
    ]


def _who_to_ask(channel: BestChannel) -> str:
    partner, name = channel.get("partner"), channel["channel"]
    if not partner or partner == name:
        return name
    return f"{partner} (through {name})"


def _missing_groups(
    report: Report, final: bool, weighted_dimensions: Sequence[str]
) -> list[MissingGroup]:
    flagged = report["representativeness"]["flagged_groups"]
    # Clear cases first, then the largest gaps.
    ordered = sorted(
        flagged,
        key=lambda g: (g["flag"] != UNDER_REPRESENTED, -(g.get("responses_needed") or 0)),
    )
    groups: list[MissingGroup] = []
    for group in ordered[:MOST_GROUPS]:
        groups.append(
            {
                "group": group_name(group),
                "audience": audience(group),
                "dimension": group["dimension"],
                "category": group["category"],
                "flag": group["flag"],
                "flag_label": FLAG_LABELS[group["flag"]],
                "sample_share": group["sample_share"],
                "population_share": group["population_share"],
                # After the survey has closed no more responses can come: the gap is described,
                # and the weights correct what they can.
                "responses_needed": None if final else group["responses_needed"],
                "best_channels": _best_channels(group),
                "corrected_by_weighting": group["dimension"] in weighted_dimensions,
            }
        )
    return groups


@dataclass(frozen=True)
class _Estimate:
    """An indicator as the summary shows it: weighted where the report's results are."""

    key: str
    label: str
    kind: IndicatorKind
    n: PublishedCount
    share: float | None
    interval_low: float | None
    interval_high: float | None


def _weighted_results(report: Report) -> WeightedResults | None:
    """The final report's weighted results, if weights could be made."""
    if report["kind"] != "final":
        return None
    results = report["weighted_results"]
    return results if results and results["weighted"] else None


def _estimates(report: Report) -> list[_Estimate]:
    weighted = _weighted_results(report)
    if weighted is not None:
        return [
            _Estimate(
                row["key"],
                row["label"],
                row["kind"],
                row["n"],
                row["weighted_share"],
                row["weighted_interval_low"],
                row["weighted_interval_high"],
            )
            for row in weighted["indicators"]
        ]
    return [
        _Estimate(
            row["key"],
            row["label"],
            row["kind"],
            row["n"],
            row["share"],
            row["interval_low"],
            row["interval_high"],
        )
        for row in report["early_results"]["indicators"]
    ]


def _headline_results(report: Report) -> list[HeadlineResult]:
    weighted = _weighted_results(report) is not None
    return [
        {
            "key": row.key,
            "label": row.label,
            "share": row.share,
            "interval_low": row.interval_low,
            "interval_high": row.interval_high,
            "n": row.n,
            "weighted": weighted,
        }
        for row in _estimates(report)
        if row.kind == "headline"
    ]


def _priorities(report: Report) -> Priorities:
    """The priorities chosen most, and whether any clearly stands out from the third."""
    rows = [row for row in _estimates(report) if row.kind == "priority" and row.share is not None]
    rows.sort(key=lambda row: -(row.share or 0.0))
    top: list[PriorityShare] = [
        {
            "label": row.label,
            "share": row.share,
            "interval_low": row.interval_low,
            "interval_high": row.interval_high,
        }
        for row in rows[:3]
    ]
    shares = [row.share for row in rows if row.share is not None]
    return {
        "top": top,
        "stands_out": _stands_out(top),
        "lowest_share": min(shares) if shares else None,
        "highest_share": max(shares) if shares else None,
    }


def _stands_out(top: Sequence[PriorityShare]) -> bool:
    """Whether the first priority's interval lies wholly above the third's."""
    if len(top) != 3:
        return False
    low, high = top[0]["interval_low"], top[2]["interval_high"]
    # A published share always has its interval.
    return low is not None and high is not None and low > high


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _next_steps(groups: Sequence[MissingGroup], final: bool) -> list[str]:
    steps = []
    by_channel: dict[str, list[str]] = {}
    for group in groups:
        for best in group["best_channels"]:
            by_channel.setdefault(_who_to_ask(best), []).append(group["audience"])
    for channel, names in sorted(by_channel.items(), key=lambda item: -len(item[1])):
        whom = _and(names)
        if final:
            steps.append(f"In the next survey, work with {channel} from the start to reach {whom}.")
        else:
            steps.append(f"Ask {channel} to share the survey again, aimed at {whom}.")
    without = [g["audience"] for g in groups if not g["best_channels"]]
    if without:
        audiences = _and(without)
        steps.append(
            f"No channel yet reaches {audiences} well enough to show: find a partner who works "
            "with them."
            if not final
            else f"No channel reached {audiences} well: find a partner who "
            "works with them before the next survey."
        )
    if not groups:
        steps.append(
            "Every group compared with the census is represented about as expected or there "
            "are too few responses to tell: keep every channel sharing the survey."
            if not final
            else "No group was clearly missing: keep the same mix of channels next time."
        )
    return steps


def build_summary(report: Report) -> Summary | None:
    """The summary of a built (published) report, or None when there is no survey."""
    if report.get("survey") is None:
        return None
    final = report["kind"] == "final"
    fieldwork, channels = report["fieldwork"], report["channels"]
    counted: list[TopChannel] = [
        {"channel": row["name"], "count": row["count"]}
        for row in channels["rows"]
        if isinstance(row["count"], int) and row["count"]
    ]
    top = sorted(counted, key=lambda row: -row["count"])[:TOP_CHANNELS]
    channels_used = sum(1 for row in channels["rows"] if row["count"] != 0)
    weighting = report["weighting"] if report["kind"] == "final" else None
    weighted_dimensions = (
        [d["dimension"] for d in weighting["dimensions"]]
        if weighting and weighting["weighted"]
        else []
    )
    groups = _missing_groups(report, final, weighted_dimensions)
    first, last = (
        _long_date(fieldwork["first_submission"]),
        _long_date(fieldwork["last_submission"]),
    )
    responses = f"{_count(fieldwork['submitted'])} residents answered"
    if first:
        responses += f" between {first} and {last}" if first != last else f" on {first}"
    survey = report["survey"]
    if survey is not None and survey["imported_from"]:
        # A wave run elsewhere: its responses came through no channel link of the service.
        responses += f" (collected elsewhere and imported from {survey['imported_from']})"
    else:
        responses += f", through {channels_used} of the partnership's channels"
    if top:
        responses += "; most through " + ", ".join(
            f"{row['channel']} ({_count(row['count'])})" for row in top
        )
    responses += "."
    return {
        "kind": report["kind"],
        "responses": responses,
        "submitted": fieldwork["submitted"],
        "top_channels": top,
        "missing_groups": groups,
        "headline_results": _headline_results(report),
        "priorities": _priorities(report),
        "weighted_dimensions": weighted_dimensions,
        "next_steps": _next_steps(groups, final),
        "weighted": _weighted_results(report) is not None,
    }
