"""The analyst's live view of the survey: responses over time, channels, drop-out, who is missing.

The analyst sees every figure unsuppressed except the representativeness table, which is the
interim report's own (so the dashboard and the report never disagree).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from reporting import queries
from reporting.interim import build_interim_report
from reporting.model import Representativeness

from ..extensions import db
from ..models import Response, counted_responses
from ..questionnaire import Questionnaire

DORMANT_AFTER_DAYS = 7
FUNNEL_BATCH = 2000


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


def channels_and_partners(
    survey_id: int, today: dt.date
) -> tuple[list[dict[str, Any]], list[PartnerTotal]]:
    """Every channel's submitted responses (all time and last 7 days), and the same by partner."""
    since = today - dt.timedelta(days=DORMANT_AFTER_DAYS - 1)
    rows = queries.channel_counts(db.engine, survey_id, since)
    for row in rows:
        row["dormant"] = row["recent"] == 0 and not row["archived"]
    by_partner: dict[str, PartnerTotal] = {}
    for row in rows:
        total = by_partner.setdefault(row["partner"], PartnerTotal(row["partner"]))
        total.submitted += row["count"]
        total.last_7_days += row["recent"]
        total.channels.append(row)
    channels = sorted(rows, key=lambda row: (-row["count"], row["name"]))
    partners = sorted(by_partner.values(), key=lambda total: (-total.submitted, total.name))
    return channels, partners


def funnel(survey_id: int, questionnaire: Questionnaire) -> Funnel:
    """How many responses reached (answered) each page, streaming only the pages_done column."""
    reached: Counter[str] = Counter()
    started = 0
    query = select(Response.pages_done).where(Response.survey_id == survey_id)
    with db.engine.connect() as connection:
        result = connection.execution_options(yield_per=FUNNEL_BATCH).execute(query)
        for (pages_done,) in result:
            started += 1
            reached.update(set(pages_done or []))
    submitted = db.session.scalar(
        select(func.count()).select_from(Response).where(counted_responses(survey_id))
    )
    steps = [
        FunnelStep(page.id, page.title, reached[page.id], page.condition is not None)
        for page in questionnaire.pages
    ]
    return Funnel(started=started, submitted=int(submitted or 0), steps=steps)


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


def representativeness(survey_id: int) -> Representativeness:
    report = build_interim_report(db.engine, survey_id)
    return report.get("representativeness") or {
        "dimensions": [],
        "flagged_groups": [],
        "over_represented_groups": [],
    }
