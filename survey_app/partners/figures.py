"""What a partner may see about its own channels: counts only, every count under 10 hidden.

Never individual responses, free text, or another partner's figures: every query here is
restricted to the partner's own channel ids before it counts anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from reporting.disclosure import (
    DISCLOSURE_THRESHOLD,
    FEWER_THAN_THRESHOLD,
    PublishedCount,
    publish_table,
)
from reporting.model import FlaggedGroup
from reporting.representativeness import FLAG_LABELS

from .. import live
from ..extensions import db
from ..models import DERIVED_DIMENSIONS, Channel, Response, counted_responses


@dataclass(frozen=True)
class ChannelWeeks:
    channel: Channel
    total: PublishedCount
    by_week: dict[dt.date, PublishedCount]


@dataclass(frozen=True)
class GroupReach:
    dimension_label: str
    label: str
    flag: str
    from_partner: PublishedCount


def partner_channels(partner_id: int) -> list[Channel]:
    return list(
        db.session.scalars(
            select(Channel)
            .where(Channel.partner_id == partner_id)
            .order_by(Channel.archived, Channel.name)
        )
    )


def partner_channel(partner_id: int, channel_id: int) -> Channel | None:
    """The channel, only if it is this partner's: another partner's id finds nothing."""
    return db.session.scalars(
        select(Channel).where(Channel.id == channel_id, Channel.partner_id == partner_id)
    ).first()


# Partners see figures as they stood at the end of yesterday, rounded to the nearest 5: a
# partner who submits a few responses of their own, or watches the page as one resident
# answers, sees no change until the next day, and then only to the nearest 5 among a whole
# day's responses, so a small count cannot be worked out by difference.
ROUNDING_BASE = 5


def figures_as_at() -> dt.date:
    """The last day included in partners' figures: yesterday."""
    return dt.date.today() - dt.timedelta(days=1)


def rounded(count: int, *, zero_is_small: bool = False) -> PublishedCount:
    """A count as partners see it: under 10 (and 0, where a zero would say that nobody of a
    group answered) as "fewer than 10", otherwise rounded to the nearest 5."""
    if count == 0 and not zero_is_small:
        return 0
    if count < DISCLOSURE_THRESHOLD:
        return FEWER_THAN_THRESHOLD
    return ROUNDING_BASE * int(count / ROUNDING_BASE + 0.5)


def week_commencing(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def partner_counts(partner_id: int, channels: list[Channel], survey_id: int) -> dict[str, Any]:
    """The raw counts a partner's page is made from, as at the end of yesterday: responses
    per channel per day, and per category of every census dimension. They change only at
    midnight (or with a quality decision), so they are kept for the day (survey_app.live)."""
    ids = sorted(channel.id for channel in channels)
    kept = live.kept_for_the_day(
        f"partner/{partner_id}",
        survey_id,
        figures_as_at(),
        lambda: _count_for(ids, survey_id),
    )
    if kept["channel_ids"] != ids:  # a channel moved to or from the partner today
        return _count_for(ids, survey_id)
    return kept


def _count_for(ids: list[int], survey_id: int) -> dict[str, Any]:
    by_day: dict[str, dict[str, int]] = {str(channel_id): {} for channel_id in ids}
    by_dimension: dict[str, dict[str, int]] = {dimension: {} for dimension in DERIVED_DIMENSIONS}
    if ids:
        counted = (
            counted_responses(survey_id),
            Response.channel_id.in_(ids),
            Response.submitted_on.is_not(None),
            Response.submitted_on <= figures_as_at(),
        )
        for channel_id, day, count in db.session.execute(
            select(Response.channel_id, Response.submitted_on, func.count())
            .where(*counted)
            .group_by(Response.channel_id, Response.submitted_on)
        ):
            assert channel_id is not None and day is not None, "the query leaves out NULLs"
            by_day[str(channel_id)][day.isoformat()] = int(count)
        # Every dimension in one pass over the rows, folded into each dimension's counts here.
        columns = [getattr(Response, dimension) for dimension in DERIVED_DIMENSIONS]
        for row in db.session.execute(
            select(*columns, func.count()).where(*counted).group_by(*columns)
        ):
            values: tuple[Any, ...] = tuple(row)
            categories, number = values[:-1], int(values[-1])
            for dimension, category in zip(DERIVED_DIMENSIONS, categories, strict=True):
                if category is not None:
                    counts = by_dimension[dimension]
                    counts[str(category)] = counts.get(str(category), 0) + number
    return {"channel_ids": ids, "by_day": by_day, "by_dimension": by_dimension}


def weekly_counts(
    channels: list[Channel], counts: dict[str, Any]
) -> tuple[list[dt.date], list[ChannelWeeks]]:
    """Submitted responses per channel per week (weeks start on Monday), disclosure-checked."""
    raw: dict[int, dict[dt.date, int]] = {channel.id: {} for channel in channels}
    for channel in channels:
        for day, count in counts["by_day"].get(str(channel.id), {}).items():
            week = week_commencing(dt.date.fromisoformat(day))
            raw[channel.id][week] = raw[channel.id].get(week, 0) + int(count)
    weeks = sorted({week for counts_by_week in raw.values() for week in counts_by_week})
    result = []
    for channel in channels:
        weekly = {week: raw[channel.id].get(week, 0) for week in weeks}
        # The total is shown too, so one hidden week could be worked out by subtraction:
        # publish_table hides a second cell when that would happen.
        published = {
            week: rounded(value) if isinstance(value, int) else value
            for week, value in publish_table(weekly).items()
        }
        result.append(ChannelWeeks(channel, rounded(sum(weekly.values())), published))
    return weeks, result


@dataclass(frozen=True)
class MissingGroups:
    """Who the survey is missing, and for how many groups it is still too early to tell."""

    flagged: list[FlaggedGroup]
    too_few_to_tell: int
    compared: int


def missing_groups(survey_id: int) -> MissingGroups | None:
    """Who the survey is missing: the survey-wide comparison the dashboard shows too, as last
    worked out (survey_app.live); None while the background worker works it out."""
    kept = live.figures("representativeness", survey_id, wait=False)
    if kept.pending:
        return None
    representativeness = kept.values
    dimensions = representativeness["dimensions"]
    categories = [
        category
        for dimension in dimensions
        if dimension.get("benchmark")
        for category in dimension["categories"]
        if category.get("flag")
    ]
    return MissingGroups(
        flagged=representativeness["flagged_groups"],
        too_few_to_tell=sum(c["flag"] == "not_enough_responses" for c in categories),
        compared=len(categories),
    )


def reach_into_flagged_groups(
    counts: dict[str, Any], groups: list[FlaggedGroup]
) -> list[GroupReach]:
    """For each group the survey is missing, how many responses the partner's channels brought."""
    result = []
    for group in groups:
        dimension = group["dimension"]
        if dimension not in DERIVED_DIMENSIONS:
            continue
        count = counts["by_dimension"][dimension].get(str(group["category"]), 0)
        result.append(
            GroupReach(
                dimension_label=group["dimension_label"],
                label=group["label"],
                flag=FLAG_LABELS.get(group["flag"], group["flag"]),
                from_partner=rounded(count, zero_is_small=True),
            )
        )
    return result
