"""What residents answered to every closed question, under the question's own wording.

Each answer option becomes an indicator (reporting.indicators): its numerator is the residents
who chose it, its denominator everyone who answered the question ("prefer not to say" left
out, as everywhere). So the unweighted figures come from the same aggregate SQL as the
headline indicators and the weighted ones from the same streamed flags and weights, with the
same intervals. Questions that place residents in census groups (sex, ethnic group, ward...)
are reported as who took part, in Representativeness, and free text never appears.

Disclosure: the options of a single-choice question (or of one grid item) add up to its
published base, and a headline indicator adds up some of them (very or fairly safe), so a
hidden option is protected against subtraction across both tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_
from sqlalchemy.engine import Engine

from reporting.answer_keys import is_closed
from reporting.disclosure import (
    Published,
    is_suppressed,
    linked_suppressions,
    publish_proportion,
    withhold_proportion,
)
from reporting.indicators import IndicatorDefinition, compute_indicators
from reporting.model import (
    IndicatorResult,
    OptionResult,
    Proportion,
    PublishedWeightedProportion,
    QuestionResult,
    QuestionTable,
    WeightedIndicatorResult,
    WeightedProportion,
    WeightedShareFigures,
)
from reporting.queries import answer_in, answer_value, choice_made, has_choices

NOT_AN_ANSWER = "prefer_not_to_say"
# Headline indicators that count some options of one question over the same base, so that a
# hidden option cannot be recovered as the indicator less the other options.
INDICATOR_PARTS = {
    "very_or_fairly_safe_after_dark": ("safe_after_dark", ("very_safe", "fairly_safe")),
    "police_council_dealing": ("police_council_dealing", ("strongly_agree", "tend_to_agree")),
    "victim_last_12_months": ("victim", ("yes",)),
    "reported_to_police": ("reported", ("all", "some")),
}


@dataclass(frozen=True)
class Part:
    """One question (or one grid item) reported as a distribution of its options."""

    question_id: str
    answer_id: str  # the question's id, or the grid item's
    wording: str
    item: str | None  # the grid item's label
    kind: str
    options: tuple[tuple[str, str], ...]  # (value, label), "prefer not to say" left out


def _census_questions(definition: Mapping[str, Any]) -> set[str]:
    used: set[str] = set()
    for rule in definition.get("derived", {}).values():
        for field in ("from", "condition", "reduces", "parent", "age"):
            if field in rule:
                used.add(rule[field])
    return used


def closed_question_parts(definition: Mapping[str, Any]) -> list[Part]:
    """Every closed question that is not a census question, in questionnaire order; a grid
    gives one part per item."""
    census = _census_questions(definition)
    parts = []
    for page in definition.get("pages", []):
        for question in page["questions"]:
            if not is_closed(question) or question["id"] in census:
                continue
            options = tuple(
                (option["value"], option["label"])
                for option in question["options"]
                if option["value"] != NOT_AN_ANSWER
            )
            items = question.get("items") or [{"id": question["id"], "label": None}]
            for item in items:
                parts.append(
                    Part(
                        question_id=question["id"],
                        answer_id=item["id"],
                        wording=question["label"],
                        item=item["label"],
                        kind=question["type"],
                        options=options,
                    )
                )
    return parts


def option_key(part: Part, value: str) -> str:
    return f"answer:{part.answer_id}:{value}"


def option_definitions(parts: Sequence[Part]) -> list[IndicatorDefinition]:
    """One indicator per option: chose it, among those who answered the question or item."""
    definitions = []
    for part in parts:
        values = [value for value, _ in part.options]
        if part.kind == "multiple":
            base = has_choices(part.answer_id)
        else:
            base = answer_in(part.answer_id, values)
        for value, label in part.options:
            chosen = (
                choice_made(part.answer_id, value)
                if part.kind == "multiple"
                else answer_value(part.answer_id) == value
            )
            definitions.append(
                IndicatorDefinition(
                    option_key(part, value), label, "answered", and_(base, chosen), base
                )
            )
    return definitions


def unweighted_option_results(
    engine: Engine, survey_id: int, definitions: Sequence[IndicatorDefinition]
) -> dict[str, WeightedProportion]:
    """Every option's figures by key, its weighted figures None: there are no weights yet."""
    return {
        result["key"]: {
            "n": result["n"],
            "numerator": result["numerator"],
            "share": result["share"],
            "interval_low": result["interval_low"],
            "interval_high": result["interval_high"],
            "weighted_share": None,
            "weighted_interval_low": None,
            "weighted_interval_high": None,
            "effective_n": None,
        }
        for result in compute_indicators(engine, survey_id, definitions, dimensions=())
    }


def _figures(result: WeightedProportion) -> WeightedShareFigures:
    return {
        "share": result["share"],
        "interval_low": result["interval_low"],
        "interval_high": result["interval_high"],
        "weighted_share": result["weighted_share"],
        "weighted_interval_low": result["weighted_interval_low"],
        "weighted_interval_high": result["weighted_interval_high"],
        "effective_n": result["effective_n"],
    }


def _withhold_in_place(indicator: Published) -> None:
    indicator.update(withhold_proportion(indicator))


def publish_questions(
    parts: Sequence[Part],
    results: Mapping[str, WeightedProportion],
    indicators: Sequence[IndicatorResult | WeightedIndicatorResult],
    raw_indicators: Mapping[str, Proportion],
    weighted: bool,
) -> list[QuestionResult]:
    """The published distributions, with linked suppression; `indicators` (the published
    headline indicators, of which `raw_indicators` are the unpublished counts by key) are
    withheld in place where they would give a hidden option back."""
    cells: dict[str, int] = {}
    hidden: set[str] = set()
    sums: list[tuple[frozenset[str], str | None]] = []
    published: dict[str, PublishedWeightedProportion] = {}
    for part in parts:
        keys = [option_key(part, value) for value, _ in part.options]
        for key in keys:
            result = results[key]
            figures = _figures(result)
            published[key] = publish_proportion(result["numerator"], result["n"], figures)
            if result["numerator"] == 0 and result["n"] and not is_suppressed(result["n"]):
                # Nobody chose it, out of a published base: 0 describes nobody.
                published[key] = {"n": result["n"], "numerator": 0, **figures}
            cells[key] = result["numerator"]
            if published[key]["share"] is None:
                hidden.add(key)
        if part.kind != "multiple":
            # Single choices add up to the base, which is published.
            sums.append((frozenset(keys), None))
    parts_by_answer = {part.answer_id: part for part in parts}
    for indicator_key, (answer_id, values) in INDICATOR_PARTS.items():
        answered_in = parts_by_answer.get(answer_id)
        if answered_in is None or indicator_key not in raw_indicators:
            continue
        cells[indicator_key] = raw_indicators[indicator_key]["numerator"]
        if next(i for i in indicators if i["key"] == indicator_key)["share"] is None:
            hidden.add(indicator_key)
        sums.append((frozenset(option_key(answered_in, v) for v in values), indicator_key))
    withheld = linked_suppressions(cells, hidden, sums)
    for indicator in indicators:
        if indicator["key"] in withheld and indicator["share"] is not None:
            _withhold_in_place(indicator)

    questions: list[QuestionResult] = []
    for part in parts:
        keys = [option_key(part, value) for value, _ in part.options]
        rows: list[OptionResult] = []
        for (value, label), key in zip(part.options, keys, strict=True):
            row = published[key]
            if key in withheld and row["share"] is not None:
                row = withhold_proportion(row)
            rows.append({"value": value, "label": label, **row})
        table: QuestionTable = {
            "item": part.item,
            "answer_id": part.answer_id,
            # Every option of a part has the same base.
            "n": published[keys[0]]["n"] if keys else 0,
            "options": rows,
        }
        if questions and questions[-1]["question"] == part.question_id:
            questions[-1]["tables"].append(table)
        else:
            questions.append(
                {
                    "question": part.question_id,
                    "wording": part.wording,
                    "kind": part.kind,
                    "weighted": weighted,
                    "tables": [table],
                }
            )
    return questions
