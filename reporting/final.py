"""The final report's figures: the interim report's, plus weights, weighted results and methods.

`build_final_report` starts from `build_interim_report` (fieldwork, channels,
representativeness, groups to reach) and adds:

* `weighting`: how the raking weights were made and how well they fit the census;
* `weighted_results`: every headline indicator and priority, unweighted and weighted, with
  95% intervals, and weighted breakdowns by census group;
* `methodology`: the appendix a reader needs to judge the figures.

Every figure passes the same disclosure control as the interim report. Where weights cannot be
made (no responses, nobody answered any weighting question, a category outside the census)
the report still builds, says why, and shows the unweighted figures only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Engine

from reporting import queries
from reporting.comparison import WaveResults, build_comparison
from reporting.disclosure import publish_proportion, suppress, withhold_proportion
from reporting.indicators import headline_indicator_definitions, priority_options
from reporting.interim import (
    DIMENSION_LABELS,
    Cell,
    build_interim_report,
    linked_breakdown_hidden,
    survey_info,
)
from reporting.model import (
    ComputedWeightedIndicator,
    FinalReport,
    IndicatorResult,
    MergedCategory,
    Methodology,
    PublishedWeightedProportion,
    QuestionResult,
    Report,
    SurveyInfo,
    UnusedDimension,
    WeightedBreakdownRow,
    WeightedIndicatorResult,
    WeightedProportion,
    WeightedResults,
    WeightedShareFigures,
    Weighting,
    WeightingCategory,
    WeightingDimension,
)
from reporting.questions import closed_question_parts, option_definitions, publish_questions
from reporting.reach import humanise
from reporting.representativeness import (
    FAMILY_ALPHA,
    MINIMUM_EXPECTED_COUNT,
    OVER_REPRESENTATION_RATIO,
    UNDER_REPRESENTATION_RATIO,
)
from reporting.summary import build_summary
from reporting.survey_weights import (
    WEIGHT_CAP,
    WEIGHTING_DIMENSIONS,
    SurveyWeights,
    compute_survey_weights,
)
from reporting.weighted_indicators import (
    stream_indicator_flags,
    weighted_indicators,
)

TITLE = "SaferMK residents' survey: final report"
EARLY_RESULTS_CAVEAT = (
    "Unweighted figures, kept for comparison with the interim report. The weighted results "
    "are this report's estimates for Milton Keynes residents aged 16 and over."
)
NOT_STATED_TREATMENT = (
    "Answers left blank or 'prefer not to say' are left out of every share of a census "
    "dimension, as the census leaves out its own non-answers. In weighting, a respondent who "
    "did not state a dimension keeps the weight the other dimensions give them: that "
    "dimension's adjustment neither raises nor lowers it. In breakdowns they count among "
    "'the rest' each group is compared with."
)
FLAG_RULE = (
    f"Under-represented: the group's share of respondents is below "
    f"{UNDER_REPRESENTATION_RATIO} of its population share and the score test (the dual of "
    f"the 95% Wilson interval), Holm-adjusted across the dimension's categories, rejects "
    f"equality at {FAMILY_ALPHA:.0%}. Possibly under-represented: ratio below "
    f"{UNDER_REPRESENTATION_RATIO} without conclusive evidence. Over-represented: ratio above "
    f"{OVER_REPRESENTATION_RATIO} and the test rejects. Not enough responses: fewer than "
    f"{MINIMUM_EXPECTED_COUNT:.0f} respondents would be expected from the group at its "
    "population share. A group with no respondents at all is flagged like any other."
)
INTERVALS = (
    "Unweighted shares carry 95% Wilson score intervals. Weighted shares carry Wilson intervals "
    "computed on the Kish effective sample size of the people in that base, which widens them "
    "to allow for unequal weights. Groups marked 'higher' or 'lower' differ from everyone "
    "else in the base by the pooled two-proportion test on weighted shares and effective "
    "sizes, Holm-adjusted over the groups of each indicator and dimension, so that the chance "
    "of any false mark in one table is at most 5% (family-wise error rate)."
)


def _labels(report: Report) -> dict[str, dict[str, str]]:
    return {
        dimension["dimension"]: {row["category"]: row["label"] for row in dimension["categories"]}
        for dimension in report["representativeness"]["dimensions"]
    }


def _safe_weights(engine: Engine, survey_id: int) -> SurveyWeights:
    """The survey's weights; a refusal by the raking itself becomes the report's message."""
    try:
        return compute_survey_weights(engine, survey_id)
    except ValueError as error:
        problem = f"The weights could not be made: {error}"
        return SurveyWeights([], [], None, (), {}, problem=problem)


def _weighting(
    weights: SurveyWeights, labels: Mapping[str, Mapping[str, str]], benchmarked: Sequence[str]
) -> Weighting:
    result = weights.result

    def label(dimension: str, category: str) -> str:
        return labels.get(dimension, {}).get(category, humanise(category))

    merged: list[MergedCategory] = [
        {
            "dimension": dimension,
            "dimension_label": DIMENSION_LABELS.get(dimension, humanise(dimension)),
            "category": category,
            "label": label(dimension, category),
            "merged_into": destination,
            "merged_into_label": label(dimension, destination),
            "description": weights.merge_notes.get(dimension, {}).get(category),
        }
        for dimension, merges in weights.merged.items()
        for category, destination in merges.items()
    ]
    not_used: list[UnusedDimension] = []
    for dimension in WEIGHTING_DIMENSIONS:
        if result is not None and dimension in weights.dimensions:
            continue
        if dimension in weights.not_weighted:
            reason = weights.not_weighted[dimension]
        elif dimension not in benchmarked:
            reason = "No census benchmark is loaded for it."
        elif result is None:
            reason = "No weights could be made (see the message above)."
        else:
            reason = "Nobody stated it, so there was nothing to adjust."
        not_used.append(
            {"dimension": dimension, "label": DIMENSION_LABELS[dimension], "reason": reason}
        )
    dimensions: list[WeightingDimension] = []
    if result is not None:
        for dimension in weights.dimensions:
            merged_into: dict[str, list[str]] = {}
            for category, destination in weights.merged.get(dimension, {}).items():
                merged_into.setdefault(destination, []).append(label(dimension, category))
            categories: list[WeightingCategory] = []
            for category, target in result.target_shares[dimension].items():
                shown = label(dimension, category)
                if category in merged_into:
                    shown += f" (with {', '.join(merged_into[category])})"
                categories.append(
                    {
                        "category": category,
                        "label": shown,
                        "population_share": target,
                        "weighted_share": result.weighted_shares[dimension][category],
                    }
                )
            dimensions.append(
                {
                    "dimension": dimension,
                    "label": DIMENSION_LABELS[dimension],
                    "source": weights.sources.get(dimension),
                    "categories": categories,
                }
            )
    return {
        "weighted": result is not None,
        "method": (
            "Raking (iterative proportional fitting) to the census shares of each dimension in "
            f"turn, repeated until every weighted share is within 0.0001 percentage points of its "
            f"target; weights above {WEIGHT_CAP:g} times the mean are capped and the rest "
            "re-raked."
        ),
        "dimensions": dimensions,
        "not_used": not_used,
        "sources": dict(weights.sources),
        "cap": WEIGHT_CAP,
        "respondents": suppress(weights.respondents),
        "converged": None if result is None else result.converged,
        "iterations": None if result is None else result.iterations,
        "max_margin_error": None if result is None else result.max_margin_error,
        "design_effect": None if result is None else result.design_effect,
        "effective_n": None if result is None else round(result.effective_n, 1),
        "smallest_weight": None if result is None else float(result.weights.min()),
        "largest_weight": None if result is None else float(result.weights.max()),
        "merged_categories": merged,
        "problem": weights.problem,
    }


def _without_weights(figures: WeightedShareFigures) -> None:
    figures["weighted_share"] = None
    figures["weighted_interval_low"] = None
    figures["weighted_interval_high"] = None
    figures["effective_n"] = None


def _published(figures: WeightedProportion, weighted: bool) -> PublishedWeightedProportion:
    values: WeightedShareFigures = {
        "share": figures["share"],
        "interval_low": figures["interval_low"],
        "interval_high": figures["interval_high"],
        "weighted_share": figures["weighted_share"],
        "weighted_interval_low": figures["weighted_interval_low"],
        "weighted_interval_high": figures["weighted_interval_high"],
        "effective_n": figures["effective_n"],
    }
    if not weighted:
        _without_weights(values)
    elif values["effective_n"] is not None:
        values["effective_n"] = round(values["effective_n"], 1)
    return publish_proportion(figures["numerator"], figures["n"], values)


def _weighted_results(
    engine: Engine,
    survey: Mapping[str, Any],
    weights: SurveyWeights,
    labels: Mapping[str, Mapping[str, str]],
    breakdown_dimensions: Sequence[str],
) -> tuple[dict[str, ComputedWeightedIndicator], WeightedResults]:
    """The published weighted results, and the unpublished ones by indicator key."""
    definitions = headline_indicator_definitions(priority_options(survey["definition"]))
    groups = {dimension: list(labels[dimension]) for dimension in breakdown_dimensions}
    weighted = weights.result is not None
    categories = weights.categories() if weighted else {}
    flags = stream_indicator_flags(engine, survey["id"], definitions, groups, categories)
    respondent_weights = weights.weights_for_codes(flags.weighting_codes, categories)
    indicators: list[WeightedIndicatorResult] = []
    raw: dict[str, ComputedWeightedIndicator] = {}
    for result in weighted_indicators(flags, respondent_weights, definitions):
        raw[result["key"]] = result
        breakdowns: dict[str, list[WeightedBreakdownRow]] = {}
        alone: set[Cell] = {
            (dimension, row["category"])
            for dimension, rows in result["breakdowns"].items()
            for row in rows
            if _published(row, weighted)["share"] is None
        }
        withheld = linked_breakdown_hidden(
            result["breakdowns"], result["numerator"], result["n"], alone
        )
        for dimension, rows in result["breakdowns"].items():
            published_rows: list[WeightedBreakdownRow] = []
            for row in rows:
                published = _published(row, weighted)
                if (dimension, row["category"]) in withheld:
                    published = withhold_proportion(published)
                shown = weighted and published["weighted_share"] is not None
                published_rows.append(
                    {
                        "category": row["category"],
                        "label": labels[dimension].get(row["category"], humanise(row["category"])),
                        **published,
                        "differs_from_rest": row["differs_from_rest"] if shown else None,
                        "direction": row["direction"] if shown else None,
                    }
                )
            breakdowns[dimension] = published_rows
        indicators.append(
            {
                "key": result["key"],
                "label": result["label"],
                "kind": result["kind"],
                "base": result["base"],
                **_published(result, weighted),
                "breakdowns": breakdowns,
            }
        )
    return raw, {
        "weighted": weighted,
        "note": (
            "Weighted to the census; intervals allow for the weighting."
            if weighted
            else "Weighting was not possible, so only unweighted figures are shown."
        ),
        "breakdown_dimensions": [
            {"dimension": d, "label": DIMENSION_LABELS.get(d, humanise(d))}
            for d in breakdown_dimensions
        ],
        "indicators": indicators,
    }


def _weighted_questions(
    engine: Engine,
    survey: Mapping[str, Any],
    weights: SurveyWeights,
    indicators: Sequence[IndicatorResult | WeightedIndicatorResult],
    raw_indicators: Mapping[str, ComputedWeightedIndicator],
) -> tuple[dict[str, WeightedProportion], list[QuestionResult]]:
    """Every closed question's answers, weighted (when weights could be made) with intervals:
    the figures by option key, and the published questions. `indicators` are the published
    ones counting the same people, withheld in place where they would give a hidden answer
    away."""
    parts = closed_question_parts(survey["definition"])
    definitions = option_definitions(parts)
    weighted = weights.result is not None
    categories = weights.categories() if weighted else {}
    flags = stream_indicator_flags(engine, survey["id"], definitions, {}, categories)
    respondent_weights = weights.weights_for_codes(flags.weighting_codes, categories)
    results: dict[str, WeightedProportion] = {}
    for result in weighted_indicators(flags, respondent_weights, definitions):
        if not weighted:
            _without_weights(result)
        results[result["key"]] = result
    questions = publish_questions(parts, results, indicators, raw_indicators, weighted=weighted)
    return results, questions


def _wave_results(
    survey: Mapping[str, Any],
    info: SurveyInfo,
    weights: SurveyWeights,
    results: WeightedResults,
    raw_indicators: Mapping[str, ComputedWeightedIndicator],
    option_results: Mapping[str, WeightedProportion],
    questions: Sequence[QuestionResult],
) -> WaveResults:
    raw: dict[str, WeightedProportion] = {**option_results}
    for key, indicator in raw_indicators.items():
        raw[key] = indicator
    return WaveResults(
        survey=info,
        definition=survey["definition"],
        weighted=weights.result is not None,
        raw=raw,
        indicators=results["indicators"],
        questions=questions,
    )


def _previous_wave_results(engine: Engine, survey: Mapping[str, Any]) -> WaveResults | None:
    """The previous wave's results as its own final report publishes them (without the
    breakdowns by group, which the comparison does not use)."""
    previous = queries.previous_wave(engine, survey)
    if previous is None:
        return None
    weights = _safe_weights(engine, previous["id"])
    raw_indicators, results = _weighted_results(engine, previous, weights, {}, ())
    option_results, questions = _weighted_questions(
        engine, previous, weights, results["indicators"], raw_indicators
    )
    return _wave_results(
        previous,
        survey_info(previous),
        weights,
        results,
        raw_indicators,
        option_results,
        questions,
    )


def _methodology(
    report: FinalReport, survey: SurveyInfo, weighting: Weighting, results: WeightedResults
) -> Methodology:
    fieldwork, channels = report["fieldwork"], report["channels"]
    channels_used = [row["name"] for row in channels["rows"] if row["count"] != 0]
    if channels["untagged"] != 0:
        channels_used.append("No channel link (the survey's general address)")
    if channels["unknown_link"] != 0:
        channels_used.append("Unrecognised channel links")
    if weighting["weighted"]:
        submitted = report["fieldwork"]["submitted"]
        weighting_summary = (
            f"{weighting['method']} Weighted on: "
            f"{'; '.join(d['label'] for d in weighting['dimensions'])}. "
            f"Design effect of the weights {weighting['design_effect']:.2f}: the unequal weights "
            f"alone make the {f'{submitted:,}' if isinstance(submitted, int) else submitted} "
            f"responses as precise as {weighting['effective_n']:,.0f} equally weighted ones "
            "(Kish's effective sample size). This measures only the precision the weighting "
            "costs: it says nothing of how far a self-selected sample differs from the "
            "population in ways the weights cannot correct, which no figure here can measure."
        )
    else:
        weighting_summary = f"No weights were made: {weighting['problem']}."
    return {
        "fieldwork": {
            "opened_on": survey.get("opened_on"),
            "closed_on": survey.get("closed_on"),
            "first_submission": fieldwork["first_submission"],
            "last_submission": fieldwork["last_submission"],
            "submitted": fieldwork["submitted"],
        },
        "channels_used": channels_used,
        "weighting": weighting_summary,
        "weighting_targets": [
            {"dimension": d["dimension"], "label": d["label"], "source": d["source"]}
            for d in weighting["dimensions"]
        ],
        "design_effect": weighting["design_effect"],
        "effective_n": weighting["effective_n"],
        "suppression_rule": report["disclosure"]["rule"],
        "prefer_not_to_say": NOT_STATED_TREATMENT,
        "flag_rule": FLAG_RULE,
        "intervals": INTERVALS,
        "indicator_bases": [
            {"label": row["label"], "base": row["base"]}
            for row in results["indicators"]
            if row["kind"] == "headline"
        ],
        "free_text": "Comments and other words residents wrote are not included in this report.",
        "response_quality": report["response_quality"]["statement"],
    }


def build_final_report(
    engine: Engine, survey_id: int | None = None, *, today: dt.date | None = None
) -> FinalReport:
    """Every figure of the final report; survey_id None means the open survey, else newest."""
    interim = build_interim_report(engine, survey_id, today=today)
    # The final report's own parts follow the interim report's, None until they are made.
    report: FinalReport = {
        **interim,
        "kind": "final",
        "title": TITLE,
        "weighting": None,
        "weighted_results": None,
        "methodology": None,
    }
    published_survey = report["survey"]
    if published_survey is None:
        return report
    survey = queries.find_survey(engine, published_survey["id"])
    assert survey is not None  # the interim report has just found it
    report["early_results"]["caveat"] = EARLY_RESULTS_CAVEAT
    labels = _labels(report)
    benchmarked = [
        d["dimension"] for d in report["representativeness"]["dimensions"] if d["benchmark"]
    ]
    weights = _safe_weights(engine, survey["id"])
    weighting = _weighting(weights, labels, benchmarked)
    report["weighting"] = weighting
    raw_indicators, weighted_results = _weighted_results(
        engine, survey, weights, labels, benchmarked
    )
    report["weighted_results"] = weighted_results
    # Both the unweighted and the weighted indicators count the same people.
    option_results, report["questions"] = _weighted_questions(
        engine,
        survey,
        weights,
        [*report["early_results"]["indicators"], *weighted_results["indicators"]],
        raw_indicators,
    )
    report["comparison"] = None
    previous = _previous_wave_results(engine, survey)
    if previous is not None:
        current = _wave_results(
            survey,
            published_survey,
            weights,
            weighted_results,
            raw_indicators,
            option_results,
            report["questions"],
        )
        report["comparison"] = build_comparison(
            previous, current, closed_question_parts(survey["definition"])
        )
    report["methodology"] = _methodology(report, published_survey, weighting, weighted_results)
    if weights.problem and report["fieldwork"]["submitted"] != 0:
        lead = (
            "Weighting needs care" if weights.result is not None else "Weighting was not possible"
        )
        report["messages"].append(
            f"{lead}: {weights.problem}."
            + ("" if weights.result is not None else " Only unweighted figures are shown.")
        )
    report["summary"] = build_summary(report)
    return report
