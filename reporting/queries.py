"""Counts for reports, aggregated in the database (GROUP BY), never row by row in Python.

The tables are described here with lightweight `sqlalchemy.Table` definitions naming only the
columns reports read, so reporting depends on the schema the migrations make and not on the
web application's models. Every function takes an Engine and returns plain data.

Answers live in a JSON column. Single-choice answers are read with the JSON type's subscript
(`answers["safe_after_dark"].as_string()`), which SQLAlchemy renders as json_extract on SQLite
and ->> on PostgreSQL. Multiple-choice answers are JSON arrays of option values; membership is
tested by matching the quoted value in the array's text, which both engines produce as
`["a","b"]` or `["a", "b"]` and which no option value can match by accident (values are quoted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.engine import Engine

SUBMITTED = "submitted"
IN_PROGRESS = "in_progress"

DERIVED_DIMENSIONS = (
    "age_band",
    "age_group",
    "sex",
    "ethnic_group",
    "sexual_orientation",
    "lgb_plus",
    "disability",
    "tenure",
    "parent_under_40",
    "ward",
)

_metadata = MetaData()

surveys = Table(
    "surveys",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String),
    Column("version", Integer),
    Column("title", String),
    Column("definition", JSON),
    Column("status", String),
    Column("opened_on", Date),
    Column("closed_on", Date),
)
partners = Table(
    "partners", _metadata, Column("id", Integer, primary_key=True), Column("name", String)
)
channels = Table(
    "channels",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String),
    Column("name", String),
    Column("partner_id", Integer),
    Column("archived", Boolean),
)
responses = Table(
    "responses",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("survey_id", Integer),
    Column("status", String),
    Column("source", String),
    Column("channel_id", Integer),
    Column("unknown_channel_slug", String),
    Column("utm_source", String),
    Column("utm_medium", String),
    Column("utm_campaign", String),
    Column("started_on", Date),
    Column("submitted_on", Date),
    Column("answers", JSON),
    *(Column(name, String) for name in DERIVED_DIMENSIONS),
)
population_benchmarks = Table(
    "population_benchmarks",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("dimension", String),
    Column("category", String),
    Column("label", String),
    Column("count", Integer),
    Column("source", String),
    Column("year", Integer),
)


@dataclass(frozen=True)
class Benchmark:
    """One dimension's population counts, with where they come from."""

    dimension: str
    source: str
    year: int
    counts: dict[str, int]
    labels: dict[str, str]


def _submitted(survey_id: int) -> ColumnElement[bool]:
    return and_(responses.c.survey_id == survey_id, responses.c.status == SUBMITTED)


def _dimension_column(dimension: str) -> Column[Any]:
    if dimension not in DERIVED_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; expected one of {DERIVED_DIMENSIONS}")
    return responses.c[dimension]


def find_survey(engine: Engine, survey_id: int | None = None) -> dict[str, Any] | None:
    """The survey asked for; with no id, the open survey, else the newest. None if none."""
    query = select(surveys)
    if survey_id is not None:
        query = query.where(surveys.c.id == survey_id)
    else:
        open_first = case((surveys.c.status == "open", 0), else_=1)
        query = query.order_by(open_first, surveys.c.id.desc()).limit(1)
    with engine.connect() as connection:
        row = connection.execute(query).mappings().first()
    return dict(row) if row is not None else None


def status_counts(engine: Engine, survey_id: int) -> dict[str, int]:
    query = (
        select(responses.c.status, func.count())
        .where(responses.c.survey_id == survey_id)
        .group_by(responses.c.status)
    )
    with engine.connect() as connection:
        counts = {status: int(count) for status, count in connection.execute(query)}
    return {SUBMITTED: counts.get(SUBMITTED, 0), IN_PROGRESS: counts.get(IN_PROGRESS, 0)}


def submissions_by_day(engine: Engine, survey_id: int) -> list[tuple[dt.date, int]]:
    day = responses.c.submitted_on
    query = (
        select(day, func.count())
        .where(_submitted(survey_id), day.is_not(None))
        .group_by(day)
        .order_by(day)
    )
    with engine.connect() as connection:
        return [(submitted_on, int(count)) for submitted_on, count in connection.execute(query)]


def channel_counts(engine: Engine, survey_id: int, recent_since: dt.date) -> list[dict[str, Any]]:
    """Every channel with its partner, its submitted responses and those since recent_since.

    An outer join keeps channels that have brought nobody, since those are the ones to chase.
    """
    joined = channels.join(partners, partners.c.id == channels.c.partner_id).outerjoin(
        responses, and_(responses.c.channel_id == channels.c.id, _submitted(survey_id))
    )
    recent = func.sum(case((responses.c.submitted_on >= recent_since, 1), else_=0))
    query = (
        select(
            channels.c.id,
            channels.c.slug,
            channels.c.name,
            channels.c.archived,
            partners.c.name.label("partner"),
            func.count(responses.c.id).label("count"),
            func.coalesce(recent, 0).label("recent"),
        )
        .select_from(joined)
        .group_by(channels.c.id, channels.c.slug, channels.c.name, channels.c.archived)
        .group_by(partners.c.name)
        .order_by(channels.c.name)
    )
    with engine.connect() as connection:
        return [
            {
                "channel_id": row.id,
                "slug": row.slug,
                "name": row.name,
                "partner": row.partner,
                "archived": bool(row.archived),
                "count": int(row.count),
                "recent": int(row.recent),
            }
            for row in connection.execute(query)
        ]


def untracked_counts(engine: Engine, survey_id: int) -> dict[str, int]:
    """Submitted responses with no channel: no link at all, or a link whose slug is unknown.

    The unknown slugs themselves are not returned: they are typed into addresses by anyone and
    are not fit to publish.
    """
    has_unknown_slug = responses.c.unknown_channel_slug.is_not(None)
    query = (
        select(
            func.coalesce(func.sum(case((has_unknown_slug, 0), else_=1)), 0),
            func.coalesce(func.sum(case((has_unknown_slug, 1), else_=0)), 0),
        )
        .where(_submitted(survey_id), responses.c.channel_id.is_(None))
        .select_from(responses)
    )
    with engine.connect() as connection:
        untagged, unknown = connection.execute(query).one()
    return {"untagged": int(untagged), "unknown_link": int(unknown)}


def dimension_counts(engine: Engine, survey_id: int, dimension: str) -> dict[str | None, int]:
    """Submitted responses per category of a derived dimension (None: not answered)."""
    column = _dimension_column(dimension)
    query = select(column, func.count()).where(_submitted(survey_id)).group_by(column)
    with engine.connect() as connection:
        return {category: int(count) for category, count in connection.execute(query)}


def dimension_counts_by_channel(
    engine: Engine, survey_id: int, dimension: str
) -> dict[int | None, dict[str | None, int]]:
    """Per channel id (None: no recorded channel), submitted responses per category."""
    column = _dimension_column(dimension)
    query = (
        select(responses.c.channel_id, column, func.count())
        .where(_submitted(survey_id))
        .group_by(responses.c.channel_id, column)
    )
    result: dict[int | None, dict[str | None, int]] = {}
    with engine.connect() as connection:
        for channel_id, category, count in connection.execute(query):
            result.setdefault(channel_id, {})[category] = int(count)
    return result


def population_benchmarks_by_dimension(engine: Engine) -> dict[str, Benchmark]:
    """The benchmark for each dimension; where several sources exist, the newest year's."""
    query = select(population_benchmarks).order_by(
        population_benchmarks.c.year, population_benchmarks.c.id
    )
    by_source: dict[tuple[str, str], Benchmark] = {}
    with engine.connect() as connection:
        for row in connection.execute(query).mappings():
            key = (row["dimension"], row["source"])
            if key not in by_source:
                by_source[key] = Benchmark(row["dimension"], row["source"], row["year"], {}, {})
            by_source[key].counts[row["category"]] = int(row["count"])
            by_source[key].labels[row["category"]] = row["label"] or row["category"]
    # Rows come oldest first, so later sources replace earlier ones for the same dimension.
    return {benchmark.dimension: benchmark for benchmark in by_source.values()}


# Expressions over the answers column, for building indicators.


def answer_value(question_id: str) -> ColumnElement[str]:
    return responses.c.answers[question_id].as_string()


def answer_in(question_id: str, values: Sequence[str]) -> ColumnElement[bool]:
    return answer_value(question_id).in_(list(values))


def choices_text(question_id: str) -> ColumnElement[str]:
    return cast(responses.c.answers[question_id], Text)


def has_choices(question_id: str) -> ColumnElement[bool]:
    # A non-empty array of option values starts with `["` on both engines.
    return choices_text(question_id).startswith('["', autoescape=True)


def choice_made(question_id: str, value: str) -> ColumnElement[bool]:
    return choices_text(question_id).contains(f'"{value}"', autoescape=True)


def score_of(question_ids: Sequence[str], scores: Mapping[str, int]) -> ColumnElement[int]:
    """Sum of the scores of several single-choice answers (unscored answers add nothing)."""
    total: ColumnElement[int] = literal(0)
    for question_id in question_ids:
        whens = [(answer_value(question_id) == value, score) for value, score in scores.items()]
        total = total + case(*whens, else_=0)
    return total


def conditional_counts(
    engine: Engine,
    survey_id: int,
    conditions: Mapping[str, ColumnElement[bool]],
    dimensions: Sequence[str] = (),
) -> dict[str | None, dict[str | None, dict[str, int]]]:
    """How many submitted responses meet each named condition, overall and per category.

    Returns {None: {None: overall}, dimension: {category: counts}}. The conditions read the
    JSON answers, which is the costly part, so each response's 0/1 outcomes are worked out once
    in a MATERIALIZED common table expression (honoured by SQLite 3.35+ and PostgreSQL 12+) and
    every grouping is a UNION ALL branch over it, all in one statement.
    """
    names = list(conditions)
    # Positional labels: condition names can exceed PostgreSQL's 63-character identifiers.
    flags = (
        select(
            *(responses.c[dimension] for dimension in dimensions),
            *(
                case((conditions[name], 1), else_=0).label(f"c{index}")
                for index, name in enumerate(names)
            ),
        )
        .where(_submitted(survey_id))
        .cte("outcomes")
        .prefix_with("MATERIALIZED")
    )
    sums = [func.coalesce(func.sum(flags.c[f"c{index}"]), 0) for index in range(len(names))]
    branches = [
        select(
            literal(None, String).label("dimension"), literal(None, String).label("category"), *sums
        )
    ]
    for dimension in dimensions:
        branches.append(
            select(
                literal(dimension, String).label("dimension"),
                flags.c[dimension].label("category"),
                *sums,
            ).group_by(flags.c[dimension])
        )
    result: dict[str | None, dict[str | None, dict[str, int]]] = {None: {}}
    result.update({dimension: {} for dimension in dimensions})
    with engine.connect() as connection:
        for row in connection.execute(union_all(*branches)):
            counts = {name: int(row[2 + index]) for index, name in enumerate(names)}
            result[row[0]][row[1]] = counts
    return result
