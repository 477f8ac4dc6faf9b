"""Headline indicators (SURVEY_CONTENT.md), unweighted, overall and by census group.

Who counts in each denominator, and why:

* very_or_fairly_safe_after_dark: everyone who chose an answer, "I never walk alone after
  dark" included. The CSEW keeps those people in the base of this measure (UK SDG 16.1.4), so
  including them is what makes the figure comparable; leaving them out would raise the share.
* high_perceived_asb: respondents who rated all seven strands with no "Don't know"; scored
  3/2/1/0 per strand, 0 to 21 in all, and 11 or more is high (the CSEW's construction).
* police_council_dealing: everyone who chose an answer, "Don't know" included, as the CSEW
  does: not knowing is itself a view about whether the issues are being dealt with.
* victim_last_12_months: "Yes" among "Yes" and "No"; "Prefer not to say" says nothing either way.
* reported_to_police: "Yes, all of it" or "Some of it" among victims who answered.
* priority_<option>: share choosing the option among those who chose at least one priority.

Each figure carries n (the denominator), the numerator, the share and a 95% Wilson interval.
Breakdowns compare each census group with everyone else in the indicator's denominator (the
rest include those who did not state the group) with the pooled two-proportion z-test; the
tests of one indicator by one dimension are Holm-adjusted together, so a group is marked only
when the chance of marking any group of that family wrongly is at most 5%.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlalchemy.engine import Engine

from reporting.model import ComputedIndicator, Direction, GroupProportion, IndicatorKind, Proportion
from reporting.queries import (
    DERIVED_DIMENSIONS,
    answer_in,
    answer_value,
    choice_made,
    conditional_counts,
    has_choices,
    score_of,
)
from reporting.representativeness import NOT_STATED_CATEGORIES
from reporting.stats import holm_significant, two_proportion_z_test_p_value, wilson_interval

# One indicator by one dimension is one family of group-versus-rest comparisons.
FAMILY_ALPHA = 0.05

SAFE_AFTER_DARK_ANSWERS = (
    "very_safe",
    "fairly_safe",
    "a_bit_unsafe",
    "very_unsafe",
    "never_walk_alone",
)
ASB_STRANDS = (
    "asb_noisy_neighbours",
    "asb_teenagers",
    "asb_litter",
    "asb_vandalism",
    "asb_drugs",
    "asb_drunk",
    "asb_abandoned_cars",
)
ASB_SCORES = {
    "very_big_problem": 3,
    "fairly_big_problem": 2,
    "not_a_very_big_problem": 1,
    "not_a_problem_at_all": 0,
}
HIGH_ASB_SCORE = 11
AGREEMENT_ANSWERS = (
    "strongly_agree",
    "tend_to_agree",
    "neither_agree_nor_disagree",
    "tend_to_disagree",
    "strongly_disagree",
    "dont_know",
)
PRIORITIES_QUESTION = "priorities"


@dataclass(frozen=True)
class IndicatorDefinition:
    key: str
    label: str
    base: str
    numerator: ColumnElement[bool]
    denominator: ColumnElement[bool]
    kind: IndicatorKind = "headline"


def headline_indicator_definitions(
    priority_options: Sequence[tuple[str, str]] = (),
) -> list[IndicatorDefinition]:
    """The headline indicators, then one share per priority option (value, label)."""
    asb_all_rated = and_(*(answer_in(strand, list(ASB_SCORES)) for strand in ASB_STRANDS))
    answered_safe_after_dark = answer_in("safe_after_dark", SAFE_AFTER_DARK_ANSWERS)
    answered_dealing = answer_in("police_council_dealing", AGREEMENT_ANSWERS)
    victims_who_answered = and_(
        answer_value("victim") == "yes", answer_in("reported", ("all", "some", "no"))
    )
    definitions = [
        IndicatorDefinition(
            "very_or_fairly_safe_after_dark",
            "Feel very or fairly safe walking alone after dark",
            "Respondents who answered, including those who never walk alone after dark",
            and_(
                answered_safe_after_dark, answer_in("safe_after_dark", SAFE_AFTER_DARK_ANSWERS[:2])
            ),
            answered_safe_after_dark,
        ),
        IndicatorDefinition(
            "high_perceived_asb",
            "High level of perceived anti-social behaviour (score 11 or more of 21)",
            "Respondents who rated all seven strands, none with 'Don't know'",
            and_(asb_all_rated, score_of(ASB_STRANDS, ASB_SCORES) >= HIGH_ASB_SCORE),
            asb_all_rated,
        ),
        IndicatorDefinition(
            "police_council_dealing",
            "Agree the police and council are dealing with the issues that matter",
            "Respondents who answered, including 'Don't know'",
            and_(answered_dealing, answer_in("police_council_dealing", AGREEMENT_ANSWERS[:2])),
            answered_dealing,
        ),
        IndicatorDefinition(
            "victim_last_12_months",
            "Victim of a crime in Milton Keynes in the last 12 months",
            "Respondents who answered yes or no",
            answer_value("victim") == "yes",
            answer_in("victim", ("yes", "no")),
        ),
        IndicatorDefinition(
            "reported_to_police",
            "Reported all or some of it to the police",
            "Victims who answered whether they reported it",
            and_(victims_who_answered, answer_in("reported", ("all", "some"))),
            victims_who_answered,
        ),
    ]
    answered_priorities = has_choices(PRIORITIES_QUESTION)
    for value, label in priority_options:
        definitions.append(
            IndicatorDefinition(
                f"priority_{value}",
                label,
                "Respondents who chose at least one priority",
                and_(answered_priorities, choice_made(PRIORITIES_QUESTION, value)),
                answered_priorities,
                kind="priority",
            )
        )
    return definitions


def priority_options(survey_definition: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(value, label) of the priorities question's options, from the questionnaire definition."""
    for page in (survey_definition or {}).get("pages", []):
        for question in page.get("questions", []):
            if question.get("id") == PRIORITIES_QUESTION:
                return [(option["value"], option["label"]) for option in question["options"]]
    return []


def proportion_summary(numerator: int, n: int) -> Proportion:
    low, high = wilson_interval(numerator, n)
    return {
        "n": n,
        "numerator": numerator,
        "share": numerator / n if n else None,
        "interval_low": low if n else None,
        "interval_high": high if n else None,
    }


def differences_from_rest(
    p_values: Sequence[float], shares: Sequence[tuple[float, float]]
) -> list[tuple[bool, Direction | None]]:
    """Each group's `differs_from_rest` and `direction` from its p-value, Holm-adjusted across
    the groups: one indicator by one dimension is one family, so the chance of marking any
    group of that family wrongly stays at 5%. `shares` is (group's, rest's) per group."""
    significant = holm_significant(p_values, FAMILY_ALPHA)
    return [
        (
            is_significant,
            ("higher" if group_share > rest_share else "lower") if is_significant else None,
        )
        for is_significant, (group_share, rest_share) in zip(significant, shares, strict=True)
    ]


def _breakdown(
    by_category: Mapping[str | None, Mapping[str, int]],
    definition: IndicatorDefinition,
    overall_numerator: int,
    overall_n: int,
) -> list[GroupProportion]:
    groups: list[tuple[str, int, int, float]] = []
    shares = []
    # NOT_STATED_CATEGORIES holds None; the first test says so to the type checker.
    for category in sorted(
        c for c in by_category if c is not None and c not in NOT_STATED_CATEGORIES
    ):
        numerator = by_category[category][f"{definition.key}:numerator"]
        n = by_category[category][f"{definition.key}:denominator"]
        if n == 0:
            continue
        rest_numerator, rest_n = overall_numerator - numerator, overall_n - n
        p_value = two_proportion_z_test_p_value(numerator, n, rest_numerator, rest_n)
        groups.append((category, numerator, n, p_value))
        shares.append((numerator / n, rest_numerator / rest_n if rest_n else 0.0))
    marks = differences_from_rest([p_value for *_, p_value in groups], shares)
    return [
        {
            "category": category,
            **proportion_summary(numerator, n),
            "p_value": p_value,
            "differs_from_rest": differs,
            "direction": direction,
        }
        for (category, numerator, n, p_value), (differs, direction) in zip(
            groups, marks, strict=True
        )
    ]


def compute_indicators(
    engine: Engine,
    survey_id: int,
    definitions: Sequence[IndicatorDefinition],
    dimensions: Sequence[str] = DERIVED_DIMENSIONS,
) -> list[ComputedIndicator]:
    """Every indicator overall and by each dimension, from one aggregate SQL statement."""
    conditions: dict[str, ColumnElement[bool]] = {}
    for definition in definitions:
        conditions[f"{definition.key}:numerator"] = definition.numerator
        conditions[f"{definition.key}:denominator"] = definition.denominator
    counts = conditional_counts(engine, survey_id, conditions, dimensions)
    overall = counts[None].get(None, {})
    by_dimension = {dimension: counts[dimension] for dimension in dimensions}
    results: list[ComputedIndicator] = []
    for definition in definitions:
        numerator = overall.get(f"{definition.key}:numerator", 0)
        n = overall.get(f"{definition.key}:denominator", 0)
        results.append(
            {
                "key": definition.key,
                "label": definition.label,
                "kind": definition.kind,
                "base": definition.base,
                **proportion_summary(numerator, n),
                "breakdowns": {
                    dimension: _breakdown(counts, definition, numerator, n)
                    for dimension, counts in by_dimension.items()
                },
            }
        )
    return results
