"""The interim report's figures, as plain data ready to publish (every count disclosure-checked).

`build_interim_report` reads aggregates from the database (reporting.queries), applies the
statistics (reporting.representativeness, reporting.indicators) and returns a dict that holds
only publishable figures: counts under 10 appear as "fewer than 10" with their shares withheld.
No free text (comments, write-ins, unknown link slugs) is ever read, so none can appear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal, get_args

from sqlalchemy.engine import Engine

from reporting import queries
from reporting.disclosure import (
    DISCLOSURE_THRESHOLD,
    WITHHELD,
    is_suppressed,
    linked_suppressions,
    publish_proportion,
    publish_share,
    publish_table,
    round_up_to_threshold,
    suppress,
    withhold_proportion,
)
from reporting.indicators import (
    compute_indicators,
    headline_indicator_definitions,
    priority_options,
)
from reporting.languages import language_reach, language_table
from reporting.model import (
    BreakdownRow,
    CategoryResult,
    ChannelRow,
    ChannelTable,
    ComputedIndicator,
    DimensionResult,
    Disclosure,
    EarlyResults,
    Fieldwork,
    FlaggedGroup,
    Group,
    GroupHeading,
    GroupProportion,
    IndicatorResult,
    InterimReport,
    Proportion,
    PublishedCount,
    PublishedProportion,
    Representativeness,
    ShareFigures,
    SurveyInfo,
    Targets,
)
from reporting.questions import (
    closed_question_parts,
    option_definitions,
    publish_questions,
    unweighted_option_results,
)
from reporting.reach import channel_reach, humanise
from reporting.representativeness import (
    NOT_STATED_CATEGORIES,
    OVER_REPRESENTED,
    POSSIBLY_UNDER_REPRESENTED,
    UNDER_REPRESENTED,
    CategoryRepresentation,
    assess_dimension,
    chi_square_goodness_of_fit,
    count_target_progress,
)
from reporting.response_quality import response_quality
from reporting.summary import build_summary, group_name

TITLE = "SaferMK residents' survey: interim report"
RECENT_DAYS = 7
PARENT_UNDER_40_TARGET = 200
FLAGGED = (UNDER_REPRESENTED, POSSIBLY_UNDER_REPRESENTED)
DIMENSION_LABELS = {
    "age_band": "Age",
    "age_group": "Age group",
    "sex": "Sex",
    "ethnic_group": "Ethnic group",
    "sexual_orientation": "Sexual orientation",
    "lgb_plus": "Lesbian, gay, bisexual or other minority sexual orientation (LGB+)",
    "disability": "Disability (Equality Act)",
    "tenure": "Housing tenure",
    "parent_under_40": "Parent or carer aged under 40",
    "ward": "Ward",
}
# Benchmarks not loaded as such but implied by another dimension's: LGB+ is every sexual
# orientation other than straight, exactly as the questionnaire derives it.
ROLLED_UP_BENCHMARKS = {
    "lgb_plus": (
        "sexual_orientation",
        {"straight": "no", "gay_lesbian": "yes", "bisexual": "yes", "other": "yes"},
        {"yes": "LGB+", "no": "Straight or Heterosexual"},
    )
}
# Answers that are valid but outside the benchmark's population, so left out of its shares.
OUTSIDE_POPULATION = {
    "ward": frozenset({"outside_mk"}),
    "tenure": frozenset({queries.OUTSIDE_CENSUS_CATEGORY}),
}
OUTSIDE_POPULATION_WORDS = {
    "ward": "live outside Milton Keynes",
    "tenure": "answered 'Other', which no census tenure category covers",
}
OUTSIDE_KEY = "_outside_population"
# Figures of a category that would give its count back, withheld whenever the count is.
HiddenFigure = Literal[
    "sample_share",
    "representation_ratio",
    "interval_low",
    "interval_high",
    "flag_interval_low",
    "flag_interval_high",
]
HIDDEN_WITH_THE_COUNT: tuple[HiddenFigure, ...] = get_args(HiddenFigure)
# A cell of the linked tables: (dimension, category), the category None for not stated.
Cell = tuple[str, str | None]
# Dimensions reported as counts against a target rather than against the census.
TARGET_DIMENSIONS = ("parent_under_40",)
CAVEAT = (
    "Early, unweighted results from a self-selected sample that does not yet match the "
    "population (see Who took part). They describe the people who have answered so far "
    "and may change; the final report weights responses to the census."
)


def _with_rolled_up_benchmarks(
    benchmarks: dict[str, queries.Benchmark],
) -> dict[str, queries.Benchmark]:
    for dimension, (source_dimension, mapping, labels) in ROLLED_UP_BENCHMARKS.items():
        source = benchmarks.get(source_dimension)
        if dimension in benchmarks or source is None:
            continue
        counts: dict[str, int] = {}
        for category, count in source.counts.items():
            counts[mapping[category]] = counts.get(mapping[category], 0) + count
        benchmarks[dimension] = queries.Benchmark(
            dimension, source.source, source.year, counts, dict(labels)
        )
    return benchmarks


def _fieldwork(engine: Engine, survey_id: int) -> Fieldwork:
    statuses = queries.status_counts(engine, survey_id)
    by_day = queries.submissions_by_day(engine, survey_id)
    published_days = publish_table({day: count for day, count in by_day})
    return {
        "first_submission": by_day[0][0].isoformat() if by_day else None,
        "last_submission": by_day[-1][0].isoformat() if by_day else None,
        "submitted": suppress(statuses[queries.SUBMITTED]),
        "in_progress": suppress(statuses[queries.IN_PROGRESS]),
        "by_day": [
            {"date": day.isoformat(), "count": count} for day, count in published_days.items()
        ],
    }


def _channels(
    engine: Engine, survey_id: int, today: dt.date
) -> tuple[ChannelTable, dict[int, tuple[str, str]]]:
    """The published channel table, and (channel, partner) names by id for the reach tables."""
    recent_since = today - dt.timedelta(days=RECENT_DAYS - 1)
    rows = queries.channel_counts(engine, survey_id, recent_since)
    untracked = queries.untracked_counts(engine, survey_id)
    cells: dict[str, int] = {row["slug"]: row["count"] for row in rows}
    cells.update({f"_{name}": count for name, count in untracked.items()})
    published = publish_table(cells)
    channel_rows: list[ChannelRow] = [
        {
            "slug": row["slug"],
            "name": row["name"],
            "partner": row["partner"],
            "archived": row["archived"],
            "count": published[row["slug"]],
            "last_7_days": suppress(row["recent"]),
            "dormant": row["recent"] == 0 and not row["archived"],
        }
        for row in sorted(rows, key=lambda row: (-row["count"], row["name"]))
    ]
    table: ChannelTable = {
        "rows": channel_rows,
        "untagged": published["_untagged"],
        "unknown_link": published["_unknown_link"],
        "dormant": [row["name"] for row in channel_rows if row["dormant"]],
        "recent_days": RECENT_DAYS,
    }
    return table, {row["channel_id"]: (row["name"], row["partner"]) for row in rows}


def _published_category(
    category: CategoryRepresentation, label: str, hide: bool = False
) -> CategoryResult:
    n = category.n
    hidden = hide or is_suppressed(n)
    needed = category.responses_needed
    return {
        "category": category.category,
        "label": label,
        "n": WITHHELD if hide and not is_suppressed(n) else suppress(n),
        "sample_share": None if hidden else category.sample_share,
        "population_share": category.population_share,
        "representation_ratio": None if hidden else category.representation_ratio,
        "interval_low": None if hidden else category.wilson_low,
        "interval_high": None if hidden else category.wilson_high,
        "flag_interval_low": None if hidden else category.flag_interval_low,
        "flag_interval_high": None if hidden else category.flag_interval_high,
        "flag_interval_confidence": category.flag_interval_confidence,
        "expected_n": category.expected_n,
        "flag": category.flag,
        "responses_needed": round_up_to_threshold(needed) if needed is not None else None,
    }


def _dimension_without_benchmark(
    dimension: str, counts: Mapping[str | None, int], message: str
) -> DimensionResult:
    # NOT_STATED_CATEGORIES holds None; the first test says so to the type checker.
    stated = {c: n for c, n in counts.items() if c is not None and c not in NOT_STATED_CATEGORIES}
    not_stated = sum(n for c, n in counts.items() if c in NOT_STATED_CATEGORIES)
    answered = sum(stated.values())
    published = publish_table({**stated, None: not_stated})
    return {
        "dimension": dimension,
        "label": DIMENSION_LABELS.get(dimension, humanise(dimension)),
        "benchmark": None,
        "answered": suppress(answered),
        "not_stated": published[None],
        "categories": [
            {
                "category": category,
                "label": humanise(category),
                "n": published[category],
                "sample_share": publish_share(count, count / answered)
                if published[category] == count
                else None,
            }
            for category, count in sorted(stated.items())
        ],
        "goodness_of_fit": None,
        "message": message,
    }


def _assess(
    dimension: str, counts: dict[str | None, int], benchmark: queries.Benchmark
) -> tuple[DimensionResult, list[CategoryRepresentation]]:
    """The published dimension table, and its categories' unpublished assessments."""
    outside = OUTSIDE_POPULATION.get(dimension, frozenset())
    in_population = {c: n for c, n in counts.items() if c not in outside}
    try:
        assessment = assess_dimension(dimension, in_population, benchmark.counts)
        fit = chi_square_goodness_of_fit(in_population, benchmark.counts, dimension)
    except ValueError as error:
        problem = f"Could not compare with the population: {error}. Counts only."
        return _dimension_without_benchmark(dimension, counts, problem), []
    raw = list(assessment.categories)
    cells: dict[str | None, int] = {c.category: c.n for c in raw}
    cells[None] = assessment.not_stated
    # Those outside the population are one more part of the total the fieldwork publishes.
    outside_count = sum(counts.get(c, 0) for c in outside)
    if outside:
        cells[OUTSIDE_KEY] = outside_count
    published_cells = publish_table(cells)
    secondary = {key for key, value in published_cells.items() if value == WITHHELD}
    message = None
    if assessment.total_answered == 0:
        message = f"No respondent has stated their {DIMENSION_LABELS[dimension].lower()} yet."
    elif fit.p_value is None:
        message = "Too few responses for a goodness-of-fit test yet."
    published: DimensionResult = {
        "dimension": dimension,
        "label": DIMENSION_LABELS[dimension],
        "benchmark": {"source": benchmark.source, "year": benchmark.year},
        "answered": suppress(assessment.total_answered),
        "not_stated": WITHHELD if None in secondary else suppress(assessment.not_stated),
        "outside_population": published_cells[OUTSIDE_KEY] if outside else None,
        "outside_population_words": OUTSIDE_POPULATION_WORDS.get(dimension),
        "categories": [
            _published_category(
                category,
                benchmark.labels.get(category.category, humanise(category.category)),
                hide=category.category in secondary,
            )
            for category in raw
        ],
        "goodness_of_fit": fit.to_dict(),
        "message": message,
    }
    return published, raw


def _summed_over_channels(
    by_channel: Mapping[int | None, Mapping[str | None, int]],
) -> dict[str | None, int]:
    """A dimension's counts over all channels, not stated (None) first, then in category order."""
    counts: dict[str | None, int] = {}
    for channel_counts in by_channel.values():
        for category, count in channel_counts.items():
            counts[category] = counts.get(category, 0) + count
    return dict(sorted(counts.items(), key=lambda item: (item[0] is not None, item[0] or "")))


def _roll_up_sums(dimensions: set[str]) -> list[tuple[frozenset[Cell], Cell | None]]:
    """How a roll-up's categories (LGB+) are sums of its source's categories, and its not
    stated its source's not stated, as (parts, total) for linked_suppressions."""
    sums: list[tuple[frozenset[Cell], Cell | None]] = []
    for dimension, (source, mapping, _) in ROLLED_UP_BENCHMARKS.items():
        if dimension not in dimensions or source not in dimensions:
            continue
        for value in sorted(set(mapping.values())):
            parts = frozenset((source, c) for c, rolled in mapping.items() if rolled == value)
            sums.append((parts, (dimension, value)))
        sums.append((frozenset({(source, None)}), (dimension, None)))
    return sums


def _protect_linked_tables(
    dimensions: list[DimensionResult], raw_counts: Mapping[str, Mapping[str | None, int]]
) -> None:
    """Withhold more cells where one table's figure, less another's, would give back a
    suppressed count: each dimension's cells add up to the responses submitted, and LGB+ is
    published beside the sexual orientations it adds up."""
    cells: dict[Cell, int] = {}
    hidden: set[Cell] = set()
    by_dimension = {d["dimension"]: d for d in dimensions}
    for dimension, counts in raw_counts.items():
        published = by_dimension[dimension]
        shown: dict[str | None, PublishedCount | None] = {
            row["category"]: row["n"] for row in published["categories"]
        }
        shown[None] = published["not_stated"]
        shown[OUTSIDE_KEY] = published.get("outside_population")
        for category, count in counts.items():
            cells[(dimension, category)] = count
            if not isinstance(shown.get(category), int):
                hidden.add((dimension, category))
    sums: list[tuple[frozenset[Cell], Cell | None]] = [
        (frozenset(key for key in cells if key[0] == dimension), None) for dimension in raw_counts
    ]
    sums += _roll_up_sums(set(raw_counts))
    for dimension, category in linked_suppressions(cells, hidden, sums) - hidden:
        published = by_dimension[dimension]
        if category is None:
            published["not_stated"] = WITHHELD
        elif category == OUTSIDE_KEY:
            published["outside_population"] = WITHHELD
        else:
            row = next(r for r in published["categories"] if r["category"] == category)
            row["n"] = WITHHELD
            for figure in HIDDEN_WITH_THE_COUNT:
                if figure in row:
                    row[figure] = None


def linked_breakdown_hidden(
    raw_breakdowns: Mapping[str, Sequence[GroupProportion]],
    overall_numerator: int,
    overall_n: int,
    hidden: set[Cell],
) -> set[Cell]:
    """The groups of one indicator's breakdowns whose figures must be withheld, `hidden` (the
    ones withheld on their own) included, so that no count can be recovered by subtraction:
    in each dimension the groups and those who did not state it add up to the indicator's
    published base and numerator, and the LGB+ groups add up sexual orientations. A withheld
    group hides its base and its numerator, so both columns are protected until neither
    gives anything away."""
    numerators: dict[Cell, int] = {}
    bases: dict[Cell, int] = {}
    # Those who did not state the group are never published, yet the other groups and the
    # total give them away: a cell like any other, protected when it is small.
    small_numerator: set[Cell] = set()
    small_base: set[Cell] = set()
    for dimension, rows in raw_breakdowns.items():
        for row in rows:
            numerators[(dimension, row["category"])] = row["numerator"]
            bases[(dimension, row["category"])] = row["n"]
        not_stated_n = overall_n - sum(row["n"] for row in rows)
        not_stated = overall_numerator - sum(row["numerator"] for row in rows)
        numerators[(dimension, None)], bases[(dimension, None)] = not_stated, not_stated_n
        if not_stated_n > 0 and min(not_stated, not_stated_n - not_stated) < DISCLOSURE_THRESHOLD:
            small_numerator.add((dimension, None))
        if is_suppressed(not_stated_n):
            small_base.add((dimension, None))
    sums: list[tuple[frozenset[Cell], Cell | None]] = [
        (frozenset(key for key in numerators if key[0] == dimension), None)
        for dimension in raw_breakdowns
    ]
    sums += _roll_up_sums(set(raw_breakdowns))
    withheld = {key for key in hidden if key[1] is not None}
    while True:
        found = linked_suppressions(numerators, withheld | small_numerator, sums)
        found |= linked_suppressions(bases, withheld | small_base, sums)
        more = {key for key in found if key[1] is not None} - withheld
        if not more:
            return withheld
        withheld |= more


def _representativeness(
    engine: Engine,
    routes: queries.CountsByRoute,
    channel_names: Mapping[int, tuple[str, str]],
) -> tuple[list[DimensionResult], list[FlaggedGroup], list[Group]]:
    """The "Who took part" section from every dimension's counts per channel and language."""
    counts_by_channel = routes.by_channel
    benchmarks = _with_rolled_up_benchmarks(queries.population_benchmarks_by_dimension(engine))
    dimensions: list[DimensionResult] = []
    assessed: list[tuple[str, DimensionResult, list[CategoryRepresentation]]] = []
    raw_counts: dict[str, dict[str | None, int]] = {}
    for dimension in queries.DERIVED_DIMENSIONS:
        if dimension in TARGET_DIMENSIONS:
            continue
        counts = _summed_over_channels(counts_by_channel[dimension])
        benchmark = benchmarks.get(dimension)
        if benchmark is None:
            message = "No population benchmark is loaded for this dimension: counts only."
            dimensions.append(_dimension_without_benchmark(dimension, counts, message))
        else:
            published, raw = _assess(dimension, counts, benchmark)
            dimensions.append(published)
            assessed.append((dimension, published, raw))
        outside = OUTSIDE_POPULATION.get(dimension, frozenset())
        raw_counts[dimension] = {
            (None if c in NOT_STATED_CATEGORIES else OUTSIDE_KEY if c in outside else c): 0
            for c in counts
        }
        for category, count in counts.items():
            key = (
                None
                if category in NOT_STATED_CATEGORIES
                else OUTSIDE_KEY
                if category in outside
                else category
            )
            raw_counts[dimension][key] = raw_counts[dimension].get(key, 0) + count
        for row in dimensions[-1]["categories"]:
            raw_counts[dimension].setdefault(row["category"], 0)
    _protect_linked_tables(dimensions, raw_counts)

    flagged: list[FlaggedGroup] = []
    over: list[Group] = []
    for dimension, published, raw in assessed:
        by_channel = counts_by_channel[dimension]
        by_language = routes.by_language[dimension]
        for assessment, shown in zip(raw, published["categories"], strict=False):
            heading: GroupHeading = {
                "dimension": dimension,
                "dimension_label": published["label"],
                "category": assessment.category,
                "label": shown["label"],
                "flag": assessment.flag,
            }
            group: Group = {**heading, "name": group_name(heading)}
            if assessment.flag == OVER_REPRESENTED:
                over.append(group)
            if assessment.flag not in FLAGGED:
                continue
            flagged.append(
                {
                    **group,
                    "n": shown["n"],
                    "sample_share": shown["sample_share"],
                    "population_share": shown["population_share"],
                    "responses_needed": shown["responses_needed"],
                    "channel_reach": channel_reach(by_channel, assessment.category, channel_names),
                    "language_reach": language_reach(by_language, assessment.category),
                }
            )
    return dimensions, flagged, over


def _targets(counts: Mapping[str | None, int], parent_target: int) -> Targets:
    progress = count_target_progress(counts.get("yes", 0), parent_target)
    hidden = is_suppressed(progress.n)
    return {
        "parent_under_40": {
            "label": "Parents or carers of a child under 18, aged under 40",
            "n": suppress(progress.n),
            "target": progress.target,
            "remaining": None if hidden else progress.remaining,
            "proportion_of_target": None if hidden else progress.proportion_of_target,
            "met": progress.met,
        }
    }


def _published_proportion(summary: Proportion) -> PublishedProportion:
    figures: ShareFigures = {
        "share": summary["share"],
        "interval_low": summary["interval_low"],
        "interval_high": summary["interval_high"],
    }
    return publish_proportion(summary["numerator"], summary["n"], figures)


def _early_results(
    engine: Engine,
    survey: Mapping[str, Any],
    labels: Mapping[str, Mapping[str, str]],
    raw: dict[str, ComputedIndicator] | None = None,
) -> EarlyResults:
    """The unweighted indicators, published; `raw`, if given, receives them unpublished."""
    definitions = headline_indicator_definitions(priority_options(survey["definition"]))
    indicators: list[IndicatorResult] = []
    for result in compute_indicators(engine, survey["id"], definitions):
        if raw is not None:
            raw[result["key"]] = result
        breakdowns: dict[str, list[BreakdownRow]] = {}
        alone: set[Cell] = {
            (dimension, row["category"])
            for dimension, rows in result["breakdowns"].items()
            for row in rows
            if _published_proportion(row)["share"] is None
        }
        withheld = linked_breakdown_hidden(
            result["breakdowns"], result["numerator"], result["n"], alone
        )
        for dimension, rows in result["breakdowns"].items():
            breakdowns[dimension] = []
            for row in rows:
                published = _published_proportion(row)
                if (dimension, row["category"]) in withheld:
                    published = withhold_proportion(published)
                # A mark beside a withheld share would say which side of the rest it lies.
                shown = published["share"] is not None
                breakdowns[dimension].append(
                    {
                        "category": row["category"],
                        "label": labels.get(dimension, {}).get(
                            row["category"], humanise(row["category"])
                        ),
                        **published,
                        "differs_from_rest": row["differs_from_rest"] if shown else None,
                        "direction": row["direction"] if shown else None,
                    }
                )
        indicators.append(
            {
                "key": result["key"],
                "label": result["label"],
                "kind": result["kind"],
                "base": result["base"],
                **_published_proportion(result),
                "breakdowns": breakdowns,
            }
        )
    return {"caveat": CAVEAT, "weighted": False, "indicators": indicators}


def _disclosure() -> Disclosure:
    return {
        "threshold": DISCLOSURE_THRESHOLD,
        "rule": f"Counts from 1 to {DISCLOSURE_THRESHOLD - 1} are shown as 'fewer than "
        f"{DISCLOSURE_THRESHOLD}' and their shares withheld; where a total would reveal "
        "such a count, another cell is 'withheld'. A share is shown only when both those "
        f"with and those without the answer number at least {DISCLOSURE_THRESHOLD}. "
        "Flags are always shown.",
    }


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def survey_info(survey: Mapping[str, Any]) -> SurveyInfo:
    return {
        "id": survey["id"],
        "slug": survey["slug"],
        "wave": survey["wave"],
        "version": survey["version"],
        "imported_from": survey["imported_from"],
        "title": survey["title"],
        "status": survey["status"],
        "opened_on": _iso(survey["opened_on"]),
        "closed_on": _iso(survey["closed_on"]),
    }


def build_interim_report(
    engine: Engine,
    survey_id: int | None = None,
    *,
    parent_target: int = PARENT_UNDER_40_TARGET,
    today: dt.date | None = None,
) -> InterimReport:
    """Every figure of the interim report; survey_id None means the open survey, else newest."""
    today = today or dt.date.today()
    survey = queries.find_survey(engine, survey_id)
    messages: list[str] = []
    if survey is None:
        messages.append("There is no survey in the database yet.")
        return {
            "kind": "interim",
            "title": TITLE,
            "generated_on": today.isoformat(),
            "disclosure": _disclosure(),
            "messages": messages,
            "survey": None,
            "summary": None,
        }
    submitted = queries.status_counts(engine, survey["id"])[queries.SUBMITTED]
    if submitted == 0:
        messages.append(
            "No responses have been submitted yet, so there is nothing to compare or report."
        )
    elif submitted < DISCLOSURE_THRESHOLD:
        messages.append(
            f"Fewer than {DISCLOSURE_THRESHOLD} responses so far: almost every figure is "
            "suppressed until more arrive."
        )
    channels, channel_names = _channels(engine, survey["id"], today)
    # Every dimension's counts, per channel and per language, in one pass over the responses.
    routes = queries.dimension_counts_by_channel_and_language(engine, survey["id"])
    dimensions, flagged, over = _representativeness(engine, routes, channel_names)
    # (build_representativeness below computes the same section by itself, for the dashboard.)
    labels = {
        dimension["dimension"]: {row["category"]: row["label"] for row in dimension["categories"]}
        for dimension in dimensions
    }
    raw_indicators: dict[str, ComputedIndicator] = {}
    early_results = _early_results(engine, survey, labels, raw_indicators)
    parts = closed_question_parts(survey["definition"])
    questions = publish_questions(
        parts,
        unweighted_option_results(engine, survey["id"], option_definitions(parts)),
        early_results["indicators"],
        raw_indicators,
        weighted=False,
    )
    report: InterimReport = {
        "kind": "interim",
        "title": TITLE,
        "generated_on": today.isoformat(),
        "disclosure": _disclosure(),
        "messages": messages,
        "survey": survey_info(survey),
        "fieldwork": _fieldwork(engine, survey["id"]),
        "response_quality": response_quality(engine, survey["id"]),
        "channels": channels,
        "languages": language_table(queries.language_counts(engine, survey["id"])),
        "representativeness": {
            "dimensions": dimensions,
            "flagged_groups": flagged,
            "over_represented_groups": over,
        },
        "targets": _targets(
            _summed_over_channels(routes.by_channel["parent_under_40"]), parent_target
        ),
        "early_results": early_results,
        "questions": questions,
        # Written last, from the published figures above.
        "summary": None,
    }
    report["summary"] = build_summary(report)
    return report


def build_representativeness(engine: Engine, survey_id: int) -> Representativeness:
    """The interim report's "Who took part" section alone: the sample against the census by
    dimension, the groups flagged, and the channels and languages that reach them. The same
    figures, by the same code, as in build_interim_report, without the indicators and
    questions the dashboard and the partners' portal do not show."""
    names = {
        row["channel_id"]: (row["name"], row["partner"])
        for row in queries.channel_counts(engine, survey_id, dt.date.today())
    }
    routes = queries.dimension_counts_by_channel_and_language(engine, survey_id)
    dimensions, flagged, over = _representativeness(engine, routes, names)
    return {"dimensions": dimensions, "flagged_groups": flagged, "over_represented_groups": over}
