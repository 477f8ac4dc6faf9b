"""What a partner may see about its own channels: counts only, every count under 10 hidden.

Never individual responses, free text, or another partner's figures: every query here is
restricted to the partner's own channel ids before it counts anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute

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


def weekly_counts(
    channels: list[Channel], survey_id: int
) -> tuple[list[dt.date], list[ChannelWeeks]]:
    """Submitted responses per channel per week (weeks start on Monday), disclosure-checked."""
    ids = [channel.id for channel in channels]
    raw: dict[int, dict[dt.date, int]] = {channel_id: {} for channel_id in ids}
    if ids:
        # Grouped by day in SQL (portable to SQLite and PostgreSQL), folded into weeks here.
        rows = db.session.execute(
            select(Response.channel_id, Response.submitted_on, func.count())
            .where(
                counted_responses(survey_id),
                Response.channel_id.in_(ids),
                Response.submitted_on.is_not(None),
                Response.submitted_on <= figures_as_at(),
            )
            .group_by(Response.channel_id, Response.submitted_on)
        )
        for channel_id, day, count in rows:
            assert channel_id is not None and day is not None, "the query leaves out NULLs"
            week = week_commencing(day)
            raw[channel_id][week] = raw[channel_id].get(week, 0) + int(count)
    weeks = sorted({week for counts in raw.values() for week in counts})
    result = []
    for channel in channels:
        counts = {week: raw[channel.id].get(week, 0) for week in weeks}
        # The total is shown too, so one hidden week could be worked out by subtraction:
        # publish_table hides a second cell when that would happen.
        published = {
            week: rounded(value) if isinstance(value, int) else value
            for week, value in publish_table(counts).items()
        }
        result.append(ChannelWeeks(channel, rounded(sum(counts.values())), published))
    return weeks, result


@dataclass(frozen=True)
class MissingGroups:
    """Who the survey is missing, and for how many groups it is still too early to tell."""

    flagged: list[FlaggedGroup]
    too_few_to_tell: int
    compared: int


def missing_groups(survey_id: int) -> MissingGroups:
    # The survey-wide comparison the dashboard shows too, as last worked out (survey_app.live).
    representativeness = live.figures("representativeness", survey_id).values
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
    channels: list[Channel], survey_id: int, groups: list[FlaggedGroup]
) -> list[GroupReach]:
    """For each group the survey is missing, how many responses the partner's channels brought."""
    ids = [channel.id for channel in channels]
    counts_by_dimension: dict[str, dict[str | None, int]] = {}
    result = []
    for group in groups:
        dimension = group["dimension"]
        if dimension not in DERIVED_DIMENSIONS:
            continue
        if dimension not in counts_by_dimension:
            column: InstrumentedAttribute[str | None] = getattr(Response, dimension)
            counts_by_dimension[dimension] = (
                {
                    category: int(count)
                    for category, count in db.session.execute(
                        select(column, func.count())
                        .where(
                            counted_responses(survey_id),
                            Response.channel_id.in_(ids),
                            Response.submitted_on <= figures_as_at(),
                        )
                        .group_by(column)
                    )
                }
                if ids
                else {}
            )
        count = counts_by_dimension[dimension].get(group["category"], 0)
        result.append(
            GroupReach(
                dimension_label=group["dimension_label"],
                label=group["label"],
                flag=FLAG_LABELS.get(group["flag"], group["flag"]),
                from_partner=rounded(count, zero_is_small=True),
            )
        )
    return result
