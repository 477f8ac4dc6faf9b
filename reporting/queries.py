"""Counts for reports, aggregated in the database (GROUP BY), never row by row in Python.

The tables are described here with lightweight `sqlalchemy.Table` definitions naming only the
columns reports read, so reporting depends on the schema the migrations make and not on the
web application's models. Every function takes an Engine and returns plain data.

Answers live in a JSON column. Single-choice answers are read with the JSON type's subscript
(`answers["safe_after_dark"].as_string()`), which SQLAlchemy renders as json_extract on SQLite
and ->> on PostgreSQL. Multiple-choice answers are JSON arrays of option values; membership is
tested by matching the quoted value in the array's text, which both engines produce as
`["a","b"]` or `["a", "b"]` and which no option value can match by accident (values are quoted).

Reading a JSON document is the costly part of every indicator (PostgreSQL's json type parses
the whole text at each ->>), so statements that evaluate many conditions over answers read
each answer once per response (`flag_rows`) and the conditions then compare plain columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    Date,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    and_,
    case,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    select,
    true,
    tuple_,
    type_coerce,
    union_all,
)
from sqlalchemy.engine import Engine
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, Cast
from sqlalchemy.sql.visitors import replacement_traverse

if TYPE_CHECKING:
    from sqlalchemy.sql.selectable import TypedReturnsRows

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
    Column("wave", Integer),
    Column("version", Integer),
    Column("imported_from", String),
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
    Column("language", String),
    Column("utm_source", String),
    Column("utm_medium", String),
    Column("utm_campaign", String),
    Column("started_on", Date),
    Column("submitted_on", Date),
    Column("answers", JSON),
    Column("excluded", Boolean),
    Column("quality_decision_id", Integer),
    *(Column(name, String) for name in DERIVED_DIMENSIONS),
)
quality_decisions = Table(
    "quality_decisions",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("survey_id", Integer),
    Column("sign", String),
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


def counted(survey_id: int) -> ColumnElement[bool]:
    """The responses every figure counts: submitted, and not excluded by the analyst as suspected
    (survey_app.quality). Excluded responses stay in the database and are counted only as such."""
    return and_(
        responses.c.survey_id == survey_id,
        responses.c.status == SUBMITTED,
        responses.c.excluded == false(),
    )


# Answers that are real answers yet fall outside every census category of a dimension: counted
# in their own category, so that they are neither mistaken for "did not say" nor compared with
# the census. (The stored dimension is empty for them, as weighting needs.)
OUTSIDE_CENSUS_ANSWERS = {"tenure": ("housing", "other")}
OUTSIDE_CENSUS_CATEGORY = "other"


def _dimension_column(dimension: str) -> ColumnElement[Any]:
    """A dimension's category for counting: the stored one, or "other" where the resident
    gave an answer outside the census categories (OUTSIDE_CENSUS_ANSWERS)."""
    if dimension not in DERIVED_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; expected one of {DERIVED_DIMENSIONS}")
    column = responses.c[dimension]
    if dimension not in OUTSIDE_CENSUS_ANSWERS:
        return column
    question_id, value = OUTSIDE_CENSUS_ANSWERS[dimension]
    outside = case((answer_value(question_id) == value, literal(OUTSIDE_CENSUS_CATEGORY)))
    return func.coalesce(column, outside).label(dimension)


def find_survey(engine: Engine, survey_id: int | None = None) -> dict[str, Any] | None:
    """The survey asked for; with no id, the open survey, else the newest loaded here (an
    imported wave only when there is nothing else). None if none."""
    query = select(surveys)
    if survey_id is not None:
        query = query.where(surveys.c.id == survey_id)
    else:
        open_first = case((surveys.c.status == "open", 0), else_=1)
        imported_last = case((surveys.c.imported_from.is_(None), 0), else_=1)
        query = query.order_by(open_first, imported_last, surveys.c.id.desc()).limit(1)
    with engine.connect() as connection:
        row = connection.execute(query).mappings().first()
    return dict(row) if row is not None else None


def previous_wave(engine: Engine, survey: Mapping[str, Any]) -> dict[str, Any] | None:
    """The survey's wave before this one (the highest-numbered earlier wave with responses
    counted in its reports: one made ready but never run is passed over), if any."""
    ran = (
        select(responses.c.id)
        .where(
            responses.c.survey_id == surveys.c.id,
            responses.c.status == SUBMITTED,
            responses.c.excluded == false(),
        )
        .exists()
    )
    query = (
        select(surveys)
        .where(surveys.c.slug == survey["slug"], surveys.c.wave < survey["wave"], ran)
        .order_by(surveys.c.wave.desc())
        .limit(1)
    )
    with engine.connect() as connection:
        row = connection.execute(query).mappings().first()
    return dict(row) if row is not None else None


EXCLUDED = "excluded"


def status_counts(engine: Engine, survey_id: int) -> dict[str, int]:
    """Responses submitted (and counted), in progress, and submitted but excluded as suspected."""
    status = case((responses.c.excluded == true(), literal(EXCLUDED)), else_=responses.c.status)
    query: Select[str, int] = (
        select(status, func.count()).where(responses.c.survey_id == survey_id).group_by(status)
    )
    with engine.connect() as connection:
        counts = {status: int(count) for status, count in connection.execute(query)}
    return {name: counts.get(name, 0) for name in (SUBMITTED, IN_PROGRESS, EXCLUDED)}


def excluded_by_sign(engine: Engine, survey_id: int) -> dict[str, int]:
    """Submitted responses the analyst excluded as suspected, by the sign of their group."""
    query: Select[str, int] = (
        select(quality_decisions.c.sign, func.count())
        .select_from(
            responses.join(
                quality_decisions, quality_decisions.c.id == responses.c.quality_decision_id
            )
        )
        .where(
            responses.c.survey_id == survey_id,
            responses.c.status == SUBMITTED,
            responses.c.excluded == true(),
        )
        .group_by(quality_decisions.c.sign)
    )
    with engine.connect() as connection:
        return {sign: int(count) for sign, count in connection.execute(query)}


def submissions_by_day(engine: Engine, survey_id: int) -> list[tuple[dt.date, int]]:
    day = responses.c.submitted_on
    query: Select[dt.date, int] = (
        select(day, func.count())
        .where(counted(survey_id), day.is_not(None))
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
        responses, and_(responses.c.channel_id == channels.c.id, counted(survey_id))
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
                "count": int(row._mapping["count"]),
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
    query: Select[int, int] = (
        select(
            func.coalesce(func.sum(case((has_unknown_slug, 0), else_=1)), 0),
            func.coalesce(func.sum(case((has_unknown_slug, 1), else_=0)), 0),
        )
        .where(counted(survey_id), responses.c.channel_id.is_(None))
        .select_from(responses)
    )
    with engine.connect() as connection:
        untagged, unknown = connection.execute(query).one()
    return {"untagged": int(untagged), "unknown_link": int(unknown)}


def dimension_counts(engine: Engine, survey_id: int, dimension: str) -> dict[str | None, int]:
    """Submitted responses per category of a derived dimension (None: not answered)."""
    column = _dimension_column(dimension)
    query: Select[str | None, int] = (
        select(column, func.count()).where(counted(survey_id)).group_by(column)
    )
    with engine.connect() as connection:
        return {category: int(count) for category, count in connection.execute(query)}


def dimension_counts_by_channel(
    engine: Engine, survey_id: int, dimension: str
) -> dict[int | None, dict[str | None, int]]:
    """Per channel id (None: no recorded channel), submitted responses per category."""
    column = _dimension_column(dimension)
    query: Select[int | None, str | None, int] = (
        select(responses.c.channel_id, column, func.count())
        .where(counted(survey_id))
        .group_by(responses.c.channel_id, column)
    )
    result: dict[int | None, dict[str | None, int]] = {}
    with engine.connect() as connection:
        for channel_id, category, count in connection.execute(query):
            result.setdefault(channel_id, {})[category] = int(count)
    return result


def dimension_counts_by_channel_all(
    engine: Engine, survey_id: int, dimensions: Sequence[str] = DERIVED_DIMENSIONS
) -> dict[str, dict[int | None, dict[str | None, int]]]:
    """`dimension_counts_by_channel` for several dimensions in one statement and one pass.

    Returns {dimension: {channel id: {category: count}}}; summing a dimension's channels gives
    its `dimension_counts`. See `_grouped_sums` for how each engine does the groupings.
    """
    return dimension_counts_by_channel_and_language(engine, survey_id, dimensions).by_channel


# A dimension's counts per route into the survey: {dimension: {channel or language: {category:
# count}}}.
CountsByChannel = dict[str, dict[int | None, dict[str | None, int]]]
CountsByLanguage = dict[str, dict[str, dict[str | None, int]]]


@dataclass(frozen=True)
class CountsByRoute:
    """Every dimension's counts per channel and per language, from one pass over responses."""

    by_channel: CountsByChannel
    by_language: CountsByLanguage


def dimension_counts_by_channel_and_language(
    engine: Engine, survey_id: int, dimensions: Sequence[str] = DERIVED_DIMENSIONS
) -> CountsByRoute:
    """Counted responses per category of each dimension, per channel and per language.

    One statement and one pass: each dimension is grouped by channel, language and category
    together (`_grouped_sums`), and the cells, few beside the responses (channels times
    languages times categories), are summed here over languages for the channels and over
    channels for the languages.
    """
    columns = [_dimension_column(dimension) for dimension in dimensions]
    rows = (
        select(responses.c.channel_id, responses.c.language, *columns, literal(1).label("n"))
        .where(counted(survey_id))
        .subquery("submitted")
    )
    by_channel: CountsByChannel = {d: {} for d in dimensions}
    by_language: CountsByLanguage = {d: {} for d in dimensions}
    if not dimensions:
        return CountsByRoute(by_channel, by_language)
    # Rows (dimension, channel id, language, category, count).
    query: TypedReturnsRows[str, int | None, str, str | None, int] = _grouped_sums(
        engine, rows, list(dimensions), ["channel_id", "language"], ["n"]
    )
    with engine.connect() as connection:
        for dimension, channel_id, language, category, count in connection.execute(query):
            channel = by_channel[dimension].setdefault(channel_id, {})
            channel[category] = channel.get(category, 0) + int(count)
            spoken = by_language[dimension].setdefault(language, {})
            spoken[category] = spoken.get(category, 0) + int(count)
    return CountsByRoute(by_channel, by_language)


def language_counts(engine: Engine, survey_id: int) -> dict[str, int]:
    """Counted responses (as every figure counts them) by the language they were given in,
    most first, then by code."""
    language = responses.c.language
    query: Select[str, int] = (
        select(language, func.count())
        .where(counted(survey_id))
        .group_by(language)
        .order_by(func.count().desc(), language)
    )
    with engine.connect() as connection:
        return {code: int(count) for code, count in connection.execute(query)}


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


def _answer_read(element: Any) -> tuple[str, str] | None:
    """(kind, question id) when element reads one answer, as the helpers above build them.

    Kinds: "text" for answer_value (the answer as a string), "json_text" for choices_text (the
    answer's JSON as text) and "json" for the bare subscript.
    """
    if isinstance(element, Cast) and isinstance(element.type, String):
        inner = _answer_read(element.clause)
        return ("json_text", inner[1]) if inner is not None and inner[0] == "json" else None
    if (
        isinstance(element, BinaryExpression)
        and element.operator is operators.json_getitem_op
        and element.left is responses.c.answers
        and isinstance(element.right, BindParameter)
        and isinstance(element.right.value, str)
    ):
        return ("text" if isinstance(element.type, String) else "json", element.right.value)
    return None


def _reads_and_columns(
    expressions: Sequence[ColumnElement[Any]],
) -> tuple[dict[tuple[str, str], ColumnElement[Any]], dict[str, Column[Any]]]:
    """The answer reads and the other responses columns that the expressions refer to."""
    reads: dict[tuple[str, str], ColumnElement[Any]] = {}
    plain: dict[str, Column[Any]] = {}

    # Callbacks for replacement_traverse take keywords, by its declared signature.
    def record(element: Any, **kw: Any) -> Any:
        read = _answer_read(element)
        if read is not None:
            reads.setdefault(read, element)
            return element  # a read's own parts need no columns of their own
        if isinstance(element, Column) and element.table is responses:
            plain.setdefault(element.name, element)
        return None

    for expression in expressions:
        replacement_traverse(expression, {}, record)
    return reads, plain


def flag_rows(
    engine: Engine,
    survey_id: int,
    columns: Sequence[Column[Any]],
    conditions: Sequence[ColumnElement[bool]],
) -> Select[Any]:
    """One row per submitted response: the given columns, then c0, c1, ... as 0/1 outcomes.

    Each answer the conditions read is taken out of the JSON document once per response, and
    the conditions then compare those values. On PostgreSQL json_to_record parses each
    document once (every ->> would parse it again). On SQLite the json_extract values are
    kept in a MATERIALIZED common table expression (json_extract caches the parsed document
    between the extractions of one row). The outcomes are exactly those of the conditions
    evaluated on the responses table.
    """
    reads, plain = _reads_and_columns(conditions)
    for item in columns:
        plain.setdefault(item.name, item)
    keys = list(reads)
    replacements: dict[tuple[str, str], ColumnElement[Any]] = {}
    if engine.dialect.name == "postgresql":
        # json_to_record parses the document once and hands each answer over as a column:
        # as text where the conditions want the answer as a string (what ->> gives), as json
        # where they want its JSON (cast to text, what -> gives). A question wanted both ways
        # is read as json, and #>> '{}' gives its string.
        kinds: dict[str, set[str]] = {}
        for kind, question in keys:
            kinds.setdefault(question, set()).add(kind)
        as_text = {question for question, wanted in kinds.items() if wanted == {"text"}}
        record = (
            func.json_to_record(responses.c.answers)
            .table_valued(
                *(column(question, Text if question in as_text else JSON) for question in kinds)
            )
            .render_derived(name="answered", with_types=True)
        )
        for kind, question in keys:
            value: ColumnElement[Any] = record.c[question]
            if kind == "text" and question not in as_text:
                value = type_coerce(value.op("#>>")(literal_column("'{}'")), String)
            elif kind == "json_text":
                value = cast(value, Text)
            replacements[(kind, question)] = value
        column_of: dict[str, ColumnElement[Any]] = dict(plain)
        source: Any = responses.join(record, true()) if keys else responses
        where = counted(survey_id)
    else:
        answered = (
            select(
                *plain.values(),
                *(reads[key].label(f"a{index}") for index, key in enumerate(keys)),
            )
            .where(counted(survey_id))
            .cte("answered")
            .prefix_with("MATERIALIZED")
        )
        replacements = {key: answered.c[f"a{index}"] for index, key in enumerate(keys)}
        column_of = {name: answered.c[name] for name in plain}
        source, where = answered, None

    def replace(element: Any, **kw: Any) -> Any:
        read = _answer_read(element)
        if read is not None:
            return replacements[read]
        if isinstance(element, Column) and element.table is responses:
            return column_of[element.name]
        return None

    query = select(
        *(column_of[item.name].label(item.name) for item in columns),
        *(
            case((replacement_traverse(condition, {}, replace), 1), else_=0).label(f"c{index}")
            for index, condition in enumerate(conditions)
        ),
    ).select_from(source)
    return query if where is None else query.where(where)


def conditional_counts(
    engine: Engine,
    survey_id: int,
    conditions: Mapping[str, ColumnElement[bool]],
    dimensions: Sequence[str] = (),
) -> dict[str | None, dict[str | None, dict[str, int]]]:
    """How many submitted responses meet each named condition, overall and per category.

    Returns {None: {None: overall}, dimension: {category: counts}}. Each response's 0/1
    outcomes are worked out once (`flag_rows`, which reads each answer once) and every
    grouping is summed from them in the same statement (`_grouped_sums`).
    """
    names = list(conditions)
    # Positional labels: condition names can exceed PostgreSQL's 63-character identifiers.
    outcomes = flag_rows(
        engine,
        survey_id,
        [responses.c[dimension] for dimension in dimensions],
        [conditions[name] for name in names],
    ).subquery("outcomes")
    result: dict[str | None, dict[str | None, dict[str, int]]] = {None: {}}
    result.update({dimension: {} for dimension in dimensions})
    # Rows (dimension, category, each condition's count).
    query: TypedReturnsRows[str | None, str | None, *tuple[int, ...]] = _grouped_sums(
        engine, outcomes, [None, *dimensions], [], [f"c{i}" for i in range(len(names))]
    )
    with engine.connect() as connection:
        for dimension, category, *sums in connection.execute(query):
            result[dimension][category] = {name: int(sums[i]) for i, name in enumerate(names)}
    return result


def _grouped_sums(
    engine: Engine,
    rows: Any,
    dimensions: Sequence[str | None],
    keys: Sequence[str],
    summed: Sequence[str],
) -> Any:
    """Rows (dimension, *keys, category, *sums): `rows` grouped by keys plus each dimension.

    A None dimension stands for no dimension: the grouping by keys alone, with category None.
    PostgreSQL does every grouping in one pass with GROUPING SETS. SQLite has none, so the
    rows are first summed per cell of the keys and all the dimensions together (far fewer
    cells than responses) into a MATERIALIZED common table expression, and each grouping is
    a UNION ALL branch over the cells.
    """
    named = [dimension for dimension in dimensions if dimension is not None]
    key_columns = [rows.c[key] for key in keys]
    if engine.dialect.name == "postgresql":
        sets = [
            tuple_(*key_columns, *([] if dimension is None else [rows.c[dimension]]))
            for dimension in dimensions
        ]
        grouped = (
            select(
                *(func.grouping(rows.c[dimension]) for dimension in named),
                *key_columns,
                *(rows.c[dimension] for dimension in named),
                *(func.coalesce(func.sum(rows.c[name]), 0) for name in summed),
            )
            .group_by(func.grouping_sets(*sets))
            .subquery("grouped")
        )
        columns = list(grouped.c)
        flags, rest = columns[: len(named)], columns[len(named) :]
        keys_out, categories, sums = (
            rest[: len(keys)],
            rest[len(keys) : len(keys) + len(named)],
            rest[len(keys) + len(named) :],
        )
        # The dimension a row belongs to is the one it is grouped by (GROUPING() = 0); with
        # no dimension at all there is only the overall row.
        which: Any = literal(None, String)
        category: Any = literal(None, String)
        if named:
            which = case(
                *(
                    (flag == 0, literal(dimension, String))
                    for flag, dimension in zip(flags, named, strict=True)
                ),
                else_=literal(None, String),
            )
            category = case(
                *((flag == 0, value) for flag, value in zip(flags, categories, strict=True)),
                else_=literal(None, String),
            )
        return select(which, *keys_out, category, *sums)
    cells = (
        select(
            *key_columns,
            *(rows.c[dimension] for dimension in named),
            *(func.sum(rows.c[name]).label(name) for name in summed),
        )
        .group_by(*key_columns, *(rows.c[dimension] for dimension in named))
        .cte("cells")
        .prefix_with("MATERIALIZED")
    )
    branches = []
    for dimension in dimensions:
        group = [cells.c[key] for key in keys]
        if dimension is not None:
            group.append(cells.c[dimension])
        branches.append(
            select(
                literal(dimension, String),
                *(cells.c[key] for key in keys),
                cells.c[dimension] if dimension is not None else literal(None, String),
                *(func.coalesce(func.sum(cells.c[name]), 0) for name in summed),
            ).group_by(*group)
        )
    return union_all(*branches)
