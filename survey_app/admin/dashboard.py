"""The analyst's live view of the survey: responses over time, channels, drop-out, who is missing.

The analyst sees every figure unsuppressed except the representativeness table, which is the
interim report's own (so the dashboard and the report never disagree).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, cast, func, select, true

from reporting import queries

from ..extensions import db
from ..models import Response, counted_responses
from ..questionnaire import Questionnaire

DORMANT_AFTER_DAYS = 7


@dataclass(frozen=True)
class FunnelStep:
    page_id: str
    title: str
    reached: int
    conditional: bool


@dataclass(frozen=True)
class Funnel:
    started: int
    submitted: int
    steps: list[FunnelStep]


@dataclass
class PartnerTotal:
    name: str
    submitted: int = 0
    last_7_days: int = 0
    channels: list[dict[str, Any]] = field(default_factory=list)


def current_survey() -> dict[str, Any] | None:
    """The open survey, else the newest one."""
    return queries.find_survey(db.engine)


def responses_per_day(survey_id: int) -> list[tuple[dt.date, int]]:
    return queries.submissions_by_day(db.engine, survey_id)


def channel_rows(survey_id: int, today: dt.date) -> list[dict[str, Any]]:
    """Every channel's submitted responses, all time and in the last 7 days, and whether it
    has gone dormant."""
    since = today - dt.timedelta(days=DORMANT_AFTER_DAYS - 1)
    rows = queries.channel_counts(db.engine, survey_id, since)
    for row in rows:
        row["dormant"] = row["recent"] == 0 and not row["archived"]
    return rows


def channels_and_partners(
    rows: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[PartnerTotal]]:
    """The channels (channel_rows), busiest first, and the same totals by partner."""
    by_partner: dict[str, PartnerTotal] = {}
    for row in rows:
        total = by_partner.setdefault(row["partner"], PartnerTotal(row["partner"]))
        total.submitted += row["count"]
        total.last_7_days += row["recent"]
        total.channels.append(row)
    channels = sorted(rows, key=lambda row: (-row["count"], row["name"]))
    partners = sorted(by_partner.values(), key=lambda total: (-total.submitted, total.name))
    return channels, partners


def _pages_reached(survey_id: int) -> dict[str, int]:
    """How many of the survey's responses reached each page, counted in the database: each
    response's pages_done (a JSON list of page ids, each at most once) unnested row by row."""
    elements = (
        func.json_array_elements_text(Response.pages_done)
        if db.engine.dialect.name == "postgresql"
        else func.json_each(Response.pages_done)
    ).table_valued("value")
    page_id = cast(elements.c.value, String)
    rows = db.session.execute(
        select(page_id, func.count())
        .select_from(Response)
        .join(elements, true())
        .where(Response.survey_id == survey_id)
        .group_by(page_id)
    )
    return {str(page): int(count) for page, count in rows}


def funnel_counts(survey_id: int) -> tuple[int, int, dict[str, int]]:
    """How many responses were started, were submitted, and reached (answered) each page."""
    reached = _pages_reached(survey_id)
    started = db.session.scalar(
        select(func.count()).select_from(Response).where(Response.survey_id == survey_id)
    )
    submitted = db.session.scalar(
        select(func.count()).select_from(Response).where(counted_responses(survey_id))
    )
    return int(started or 0), int(submitted or 0), reached


def funnel(
    questionnaire: Questionnaire, started: int, submitted: int, reached: dict[str, int]
) -> Funnel:
    """The funnel_counts in the questionnaire's page order."""
    steps = [
        FunnelStep(page.id, page.title, reached.get(page.id, 0), page.condition is not None)
        for page in questionnaire.pages
    ]
    return Funnel(started=started, submitted=submitted, steps=steps)


def untagged_and_unknown(survey_id: int) -> tuple[int, list[tuple[str, int]]]:
    """Submitted responses with no link at all, and those from links whose slug is unknown.

    The analyst sees the unknown slugs themselves (they point at a mistyped or missing
    channel); they are typed by anyone, so they are only ever shown escaped.
    """
    no_channel = (
        counted_responses(survey_id),
        Response.channel_id.is_(None),
    )
    untagged = db.session.scalar(
        select(func.count())
        .select_from(Response)
        .where(*no_channel, Response.unknown_channel_slug.is_(None))
    )
    unknown = db.session.execute(
        select(Response.unknown_channel_slug, func.count())
        .where(*no_channel, Response.unknown_channel_slug.is_not(None))
        .group_by(Response.unknown_channel_slug)
        .order_by(func.count().desc(), Response.unknown_channel_slug)
    ).all()
    # The query leaves out NULL slugs; the test tells the type checker so.
    return int(untagged or 0), [(slug, int(count)) for slug, count in unknown if slug is not None]
