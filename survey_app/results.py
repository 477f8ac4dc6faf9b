"""Results published to residents: a snapshot of a closed wave's final report, and the
partnership's "You said, we did" entries beside it.

Publishing works the figures out once (the final report takes a while at full size) and keeps
them in PublishedResults.figures, so the public pages read one row. The snapshot holds only
aggregate figures the final report already publishes, after its disclosure control: the
headline indicators and priorities, their change since the previous wave, and who took part
against the census. It leaves out everything else the report has (channels and partners,
languages, responses by day, breakdowns by group, every question's answers, residents' own
words), and every count in it is as the report publishes it ("fewer than 10", "withheld").
Being a part of the report's published figures, which are protected against working out a small
count by subtraction among themselves, it is protected too. It leaves out the bases' totals as
well (how many answered each question, or stated each characteristic): beside the number who
took part they would give away how many did not, which can be fewer than 10.

The snapshot is versioned by SHAPE: the pages read only a shape they know. Unpublishing deletes
the row, so nothing of the wave is public any more; its entries are kept as drafts.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from reporting.errors import Refused
from reporting.representativeness import UNDER_REPRESENTED

from .extensions import db
from .models import PublishedResults, Survey, YouSaidWeDid

log = logging.getLogger(__name__)

SHAPE = 1
# Shares are kept to a ten-thousandth of a percentage point: more than any page shows, and fine
# enough that a figure rounded again for the page or the CSV (to 0.1 or 1 point) comes out as
# the report rounds it (kept to 0.01 points, 29.052% became 29.05% and then 29.0%, not 29.1%).
SHARE_DECIMALS = 6

Progress = Callable[[int, int, str], None]


class PublishRefused(Refused):
    """A wave's results cannot be published as asked; the message says why, in plain words."""


# The snapshot ------------------------------------------------------------------------------


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, SHARE_DECIMALS)


def _headline(report: Mapping[str, Any], weighted: bool) -> list[dict[str, Any]]:
    rows = []
    for row in report["weighted_results"]["indicators"]:
        if row["kind"] != "headline":
            continue
        prefix = "weighted_" if weighted else ""
        rows.append(
            {
                "key": row["key"],
                "label": row["label"],
                "base": row["base"],
                "share": _share(row[f"{prefix}share"]),
                "low": _share(row[f"{prefix}interval_low"]),
                "high": _share(row[f"{prefix}interval_high"]),
            }
        )
    return rows


def _priorities(report: Mapping[str, Any], weighted: bool) -> dict[str, Any]:
    prefix = "weighted_" if weighted else ""
    options = [
        {
            "key": row["key"],
            "label": row["label"],
            "share": _share(row[f"{prefix}share"]),
            "low": _share(row[f"{prefix}interval_low"]),
            "high": _share(row[f"{prefix}interval_high"]),
        }
        for row in report["weighted_results"]["indicators"]
        if row["kind"] == "priority"
    ]
    # Most chosen first; withheld shares last, in the questionnaire's order.
    options.sort(key=lambda row: -row["share"] if row["share"] is not None else 1.0)
    base = next(
        (
            row["base"]
            for row in report["weighted_results"]["indicators"]
            if row["kind"] == "priority"
        ),
        None,
    )
    return {
        "base": base,
        "options": options,
        "stands_out": bool(report["summary"]["priorities"]["stands_out"]),
    }


def _resident_reason(reason: str) -> str:
    """Why a figure is not compared, in words for residents (who know nothing of waves)."""
    if reason.startswith(("New in this wave", "Not asked", "Not reported", "Nobody answered")):
        return "It was not asked in the last survey."
    return "It was asked differently in the last survey."


def _comparison(report: Mapping[str, Any]) -> dict[str, Any] | None:
    comparison = report.get("comparison")
    if not comparison:
        return None
    previous = comparison["previous"]
    headline_labels = {
        row["label"]
        for row in report["weighted_results"]["indicators"]
        if row["kind"] == "headline"
    }
    if bool(comparison["weighted"]) != bool(report["weighted_results"]["weighted"]):
        # This wave's figures are weighted and the last survey's could not be (the comparison
        # is then of unweighted shares): a weighted figure beside an unweighted one would
        # mislead, so the page compares nothing and says why.
        return {
            "previous": {
                "wave": previous["wave"],
                "opened_on": previous.get("opened_on"),
                "closed_on": previous.get("closed_on"),
            },
            "weighted": False,
            "changes": {},
            "not_compared": [
                {
                    "label": label,
                    "reason": "The last survey's figures could not be weighted to the census.",
                }
                for label in sorted(headline_labels)
            ],
        }
    return {
        "previous": {
            "wave": previous["wave"],
            "opened_on": previous.get("opened_on"),
            "closed_on": previous.get("closed_on"),
        },
        "weighted": bool(comparison["weighted"]),
        "changes": {
            row["key"]: {
                "previous_share": _share(row["previous_share"]),
                "change": _share(row["change"]),
                "low": _share(row["change_low"]),
                "high": _share(row["change_high"]),
                "significant": row["significant"],
                "direction": row["direction"],
            }
            for row in comparison["indicators"]
        },
        # Only the headline indicators' reasons: the questions are not on the page.
        "not_compared": [
            {"label": row["label"], "reason": _resident_reason(row["reason"])}
            for row in comparison["not_compared"]
            if row["label"] in headline_labels
        ],
    }


def _who_took_part(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    dimensions = []
    for dimension in report["representativeness"]["dimensions"]:
        benchmark = dimension["benchmark"]
        if benchmark is None or dimension.get("message"):
            continue  # no census figures to compare with (wards, the age split for targets)
        dimensions.append(
            {
                "dimension": dimension["dimension"],
                "label": dimension["label"],
                "source": benchmark["source"],
                "year": benchmark["year"],
                "categories": [
                    {
                        "category": row["category"],
                        "label": row["label"],
                        "n": row["n"],
                        "sample_share": _share(row["sample_share"]),
                        "population_share": _share(row.get("population_share")),
                        "flag": row.get("flag"),
                    }
                    for row in dimension["categories"]
                ],
            }
        )
    return dimensions


def _groups_short(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The groups clearly under-represented, named as a sentence names them (no figures, no
    channels: the report's advice on which partner reaches them stays in the report)."""
    return [
        {
            "audience": group["audience"],
            "dimension": group["dimension"],
            "corrected_by_weighting": bool(group["corrected_by_weighting"]),
        }
        for group in report["summary"]["missing_groups"]
        if group["flag"] == UNDER_REPRESENTED
    ]


def snapshot(report: Mapping[str, Any]) -> dict[str, Any]:
    """The published figures of a final report (reporting.final.build_final_report's dict)."""
    survey = report["survey"]
    weighted = bool(report["weighted_results"]["weighted"])
    fieldwork = report["fieldwork"]
    return {
        "shape": SHAPE,
        "survey": {
            "slug": survey["slug"],
            "wave": survey["wave"],
            "title": survey["title"],
            "opened_on": survey.get("opened_on"),
            "closed_on": survey.get("closed_on"),
        },
        "figures_on": report["generated_on"],
        "fieldwork": {
            "first_submission": fieldwork["first_submission"],
            "last_submission": fieldwork["last_submission"],
            "submitted": fieldwork["submitted"],
        },
        "weighted": weighted,
        "weighted_on": (
            [row["label"] for row in report["weighting"]["dimensions"]] if weighted else []
        ),
        "disclosure": dict(report["disclosure"]),
        "headline": _headline(report, weighted),
        "priorities": _priorities(report, weighted),
        "comparison": _comparison(report),
        "who_took_part": _who_took_part(report),
        "groups_short": _groups_short(report),
    }


def published_figures(engine: Engine, survey_id: int) -> dict[str, Any]:
    """The snapshot to publish for a closed wave: worked out from its final report. Refuses a
    wave still open, and one with too few responses to publish anything."""
    from reporting.final import build_final_report  # brings numpy and the weighting

    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise PublishRefused("That survey is not loaded.")
    refuse_if_open(survey)
    report = build_final_report(engine, survey_id)
    submitted = report["fieldwork"]["submitted"] if report.get("fieldwork") else 0
    threshold = report["disclosure"]["threshold"]
    if not isinstance(submitted, int) or submitted < threshold:
        raise PublishRefused(
            f"Wave {survey.wave} of {survey.slug} has fewer than {threshold} responses: too few "
            "to publish any results."
        )
    if report["weighted_results"] is None or report["summary"] is None:
        raise PublishRefused(f"Wave {survey.wave} of {survey.slug} has no results to publish.")
    return snapshot(report)


def refuse_if_open(survey: Survey) -> None:
    if survey.status == "open":
        raise PublishRefused(
            f"Wave {survey.wave} of {survey.slug} is still open. Results are published after "
            "the survey closes: close it first, then publish."
        )


def read_figures(row: PublishedResults) -> dict[str, Any] | None:
    """The snapshot kept in a row, or None if it is of a shape these pages do not know."""
    figures: dict[str, Any] = json.loads(row.figures)
    if figures.get("shape") != SHAPE:
        log.warning(
            "published results of survey %s have shape %s", row.survey_id, figures.get("shape")
        )
        return None
    return figures


# Publishing and unpublishing ---------------------------------------------------------------


@dataclass(frozen=True)
class Publication:
    survey: Survey
    published_at: dt.datetime
    # When the results it replaced had been published; None when none were.
    replaced: dt.datetime | None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def publish(
    survey_id: int, *, user_id: int | None = None, progress: Progress | None = None
) -> Publication:
    """Work out the wave's figures and publish them, in place of any published before."""
    tell = progress or (lambda done, total, step: None)
    tell(0, 2, "Working out the figures")
    figures = json.dumps(published_figures(db.engine, survey_id), separators=(",", ":"))
    tell(1, 2, "Publishing")
    # The figures took a while: the wave may have been opened again meanwhile.
    db.session.expire_all()
    survey = db.session.get_one(Survey, survey_id)
    refuse_if_open(survey)
    now = _now()
    existing = db.session.get(PublishedResults, survey_id)
    replaced = existing.published_at if existing is not None else None
    values = {"published_at": now, "published_by_user_id": user_id, "figures": figures}
    if existing is not None:
        db.session.execute(
            update(PublishedResults).where(PublishedResults.survey_id == survey_id).values(values)
        )
    else:
        db.session.add(PublishedResults(survey_id=survey_id, **values))
    try:
        db.session.commit()
    except IntegrityError:  # published at the same moment by someone else: ours replaces it
        db.session.rollback()
        db.session.execute(
            update(PublishedResults).where(PublishedResults.survey_id == survey_id).values(values)
        )
        db.session.commit()
    tell(2, 2, "Done")
    log.info("results of survey %s published", survey_id)
    return Publication(survey, now, replaced)


def unpublish(survey_id: int) -> bool:
    """Take a wave's results off the public pages; False if they were not published. Its
    "You said, we did" entries are kept, as drafts for publishing again."""
    removed = db.session.execute(
        delete(PublishedResults).where(PublishedResults.survey_id == survey_id)
    )
    db.session.commit()
    return bool(getattr(removed, "rowcount", 0))


def publication(survey_id: int) -> PublishedResults | None:
    return db.session.get(PublishedResults, survey_id)


def published_waves(slug: str | None = None) -> list[tuple[Survey, PublishedResults]]:
    """Every published wave (of one survey, if named), newest wave first."""
    query = (
        select(Survey, PublishedResults)
        .join(PublishedResults, PublishedResults.survey_id == Survey.id)
        .order_by(Survey.wave.desc(), Survey.id.desc())
    )
    if slug is not None:
        query = query.where(Survey.slug == slug)
    return [(survey, row) for survey, row in db.session.execute(query)]


def newest_published() -> tuple[Survey, PublishedResults] | None:
    """The newest published wave of the survey residents are answering now (or answered last),
    else of any survey."""
    current = db.session.scalars(
        select(Survey.slug).order_by((Survey.status == "open").desc(), Survey.id.desc())
    ).first()
    found = published_waves(current) if current else []
    if not found:
        found = published_waves()
    return found[0] if found else None


def any_published(slug: str) -> bool:
    return (
        db.session.scalar(
            select(PublishedResults.survey_id)
            .join(Survey, Survey.id == PublishedResults.survey_id)
            .where(Survey.slug == slug)
            .limit(1)
        )
        is not None
    )


def published_wave(slug: str, wave: int) -> tuple[Survey, PublishedResults] | None:
    row = db.session.execute(
        select(Survey, PublishedResults)
        .join(PublishedResults, PublishedResults.survey_id == Survey.id)
        .where(Survey.slug == slug, Survey.wave == wave)
    ).first()
    return (row[0], row[1]) if row is not None else None


@dataclass(frozen=True)
class WaveState:
    """A wave as the analyst's pages list it: whether its results are published, and how
    many "You said, we did" entries it has."""

    survey: Survey
    published: PublishedResults | None
    entries: int

    @property
    def can_publish(self) -> bool:
        """Closed after running (or imported): a next wave made ready but never opened has
        nothing to publish."""
        survey = self.survey
        ran = survey.opened_on is not None or survey.imported_from is not None
        return survey.status != "open" and ran


def next_to_publish(states: list[WaveState]) -> WaveState | None:
    """The newest wave that has closed after running, if its results are not published."""
    closed = next((state for state in states if state.can_publish), None)
    return closed if closed is not None and closed.published is None else None


def wave_states(slug: str, limit: int = 5) -> list[WaveState]:
    """The survey's newest waves, newest first."""
    waves: list[tuple[Survey, PublishedResults | None]] = [
        (survey, published)
        for survey, published in db.session.execute(
            select(Survey, PublishedResults)
            .outerjoin(PublishedResults, PublishedResults.survey_id == Survey.id)
            .where(Survey.slug == slug)
            .order_by(Survey.wave.desc(), Survey.id.desc())
            .limit(limit)
        )
    ]
    counts: dict[int, int] = {
        survey_id: int(count)
        for survey_id, count in db.session.execute(
            select(YouSaidWeDid.survey_id, func.count())
            .where(YouSaidWeDid.survey_id.in_([survey.id for survey, _ in waves]))
            .group_by(YouSaidWeDid.survey_id)
        )
    }
    return [WaveState(survey, published, counts.get(survey.id, 0)) for survey, published in waves]
