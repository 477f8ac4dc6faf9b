"""Change since the survey's previous wave: each headline indicator and each closed question's
answers, in both waves, with the change, its 95% interval and whether it is significant.

Each wave's shares are its own final report's: weighted to the census (or unweighted in both
waves when either could not be weighted, so that like is compared with like) and published
under the same disclosure control, so a share the previous wave's report withheld stays
withheld here, and so does the change. The two waves are independent samples, so the change
d = p2 - p1 gets the Agresti-Caffo interval: each share with one "yes" and one "no" added,
p~ = (p n + 1) / (n + 2), each n the Kish effective sample size of that wave's base (its size
when unweighted: the same allowance for weighting the reports' own intervals make), and
d~ +/- 1.96 sqrt(p1~(1 - p1~) / (n1 + 2) + p2~(1 - p2~) / (n2 + 2)). The two-sided z-test of
no change with the same standard error is its dual, so the interval excludes 0 exactly when
p < 0.05; the additions keep a share of 0% or 100% in a small wave from looking certain.
Significance then allows for the number of comparisons, as the reports do elsewhere: Holm's
procedure at a family-wise 5% within each family (the headline indicators; the options of one
question or grid item), so a change can have a 95% interval clear of 0 and still not be
counted significant once the family is allowed for.

A question is compared only when residents were asked the same thing both times: the same type,
wording, answer options (values and labels), grid items, limit on choices, and the same routing
to its page. Otherwise it is listed under "not compared" with the reason, and so is an
indicator built on it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from reporting.indicators import ASB_STRANDS
from reporting.model import (
    Change,
    Comparison,
    NotCompared,
    PublishedWeightedProportion,
    QuestionChange,
    QuestionResult,
    SurveyInfo,
    WeightedIndicatorResult,
    WeightedProportion,
)
from reporting.questions import Part, option_key
from reporting.representativeness import FAMILY_ALPHA
from reporting.stats import holm_significant

CONFIDENCE = 0.95
Z = NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2)
# The questions each headline indicator is built on (a priority share: the priorities question).
INDICATOR_QUESTIONS: Mapping[str, tuple[str, ...]] = {
    "very_or_fairly_safe_after_dark": ("safe_after_dark",),
    "high_perceived_asb": ASB_STRANDS,
    "police_council_dealing": ("police_council_dealing",),
    "victim_last_12_months": ("victim",),
    "reported_to_police": ("victim", "reported"),
}
METHOD = (
    "Each wave's shares are as in its own final report. The change is this wave's share less "
    "the previous wave's, in percentage points, with a 95% Agresti-Caffo interval from the two "
    "waves' standard errors (each on the effective sample size of its base, which allows for "
    "the weighting). A change is marked significant when the z-test of no change rejects it after "
    "Holm's adjustment for the number of comparisons in its table (the headline indicators; "
    "the answers to one question), so the chance of any false mark in a table is at most 5%. "
    "A question is compared only when it was asked the same way in both waves."
)


@dataclass(frozen=True)
class WaveResults:
    """One wave's results as its final report has them: unpublished figures by key (headline
    indicators by their key, answers by reporting.questions.option_key) and the published
    tables made from them."""

    survey: SurveyInfo
    definition: Mapping[str, Any]
    weighted: bool
    raw: Mapping[str, WeightedProportion]
    indicators: Sequence[WeightedIndicatorResult]
    questions: Sequence[QuestionResult]

    def published(self) -> dict[str, PublishedWeightedProportion]:
        figures: dict[str, PublishedWeightedProportion] = {
            row["key"]: row for row in self.indicators
        }
        for question in self.questions:
            for table in question["tables"]:
                for option in table["options"]:
                    figures[f"answer:{table['answer_id']}:{option['value']}"] = option
        return figures


@dataclass(frozen=True)
class Difference:
    change: float
    low: float
    high: float
    p_value: float


def difference(previous: float, previous_n: float, current: float, current_n: float) -> Difference:
    """The change between two independent shares, each with its (effective) sample size: the
    95% Agresti-Caffo interval and the two-sided z-test with the same standard error, which
    are duals. Agresti and Caffo add one "yes" and one "no" to each sample before working out
    the standard error, so that a share of 0% or 100% (whose binomial variance is 0) does not
    make a change look certain; with hundreds in each base it changes the interval by hundredths
    of a point."""
    if previous_n <= 0 or current_n <= 0:
        raise ValueError("both shares need a base of more than 0")
    change = current - previous
    adjusted_previous = (previous * previous_n + 1) / (previous_n + 2)
    adjusted_current = (current * current_n + 1) / (current_n + 2)
    adjusted_change = adjusted_current - adjusted_previous
    error = math.sqrt(
        adjusted_previous * (1 - adjusted_previous) / (previous_n + 2)
        + adjusted_current * (1 - adjusted_current) / (current_n + 2)
    )
    p_value = min(1.0, math.erfc(abs(adjusted_change) / error / math.sqrt(2.0)))
    return Difference(change, adjusted_change - Z * error, adjusted_change + Z * error, p_value)


def _page_routes(definition: Mapping[str, Any]) -> dict[str, Any]:
    return {
        question["id"]: page.get("show_if")
        for page in definition.get("pages", [])
        for question in page["questions"]
    }


def _questions(definition: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Questions by id, and grid questions also by each item's id."""
    found: dict[str, Mapping[str, Any]] = {}
    for page in definition.get("pages", []):
        for question in page["questions"]:
            found[question["id"]] = question
            for item in question.get("items") or ():
                found[item["id"]] = question
    return found


def why_not_comparable(
    previous: Mapping[str, Any], current: Mapping[str, Any], answer_id: str, previous_wave: int
) -> str | None:
    """Why a question (or grid item) cannot be compared between two definitions, or None."""
    before, after = _questions(previous).get(answer_id), _questions(current).get(answer_id)
    if after is None:
        return "Not asked in this wave."
    if before is None:
        return f"New in this wave: not asked in wave {previous_wave}."

    def options(question: Mapping[str, Any]) -> list[tuple[str, str]]:
        return [(o["value"], o["label"]) for o in question.get("options", [])]

    def items(question: Mapping[str, Any]) -> list[tuple[str, str]]:
        return [(i["id"], i["label"]) for i in question.get("items") or ()]

    if before["type"] != after["type"]:
        return "The kind of answer asked for changed."
    if before["label"] != after["label"]:
        return "The question's wording changed."
    if [value for value, _ in options(before)] != [value for value, _ in options(after)]:
        return "Its answer options changed."
    if options(before) != options(after):
        return "The wording of its answer options changed."
    if items(before) != items(after):
        return "The items rated changed."
    if before.get("max_choices") != after.get("max_choices"):
        return "The number of answers residents could choose changed."
    question_id = after["id"]
    if _page_routes(previous).get(question_id) != _page_routes(current).get(question_id):
        return "Who was asked it changed."
    return None


def _share_and_size(figures: WeightedProportion, weighted: bool) -> tuple[float, float] | None:
    if weighted:
        share, size = figures["weighted_share"], figures["effective_n"]
    else:
        share, size = figures["share"], float(figures["n"])
    if share is None or not size:
        return None
    return share, size


def _published_share(figures: PublishedWeightedProportion, weighted: bool) -> float | None:
    return figures["weighted_share"] if weighted else figures["share"]


def _changes(
    keys: Sequence[tuple[str, str]],
    previous: WaveResults,
    current: WaveResults,
    weighted: bool,
) -> list[Change]:
    """One family's changes, Holm-adjusted together."""
    previous_published, current_published = previous.published(), current.published()
    rows: list[Change] = []
    tested: list[tuple[int, float]] = []
    for key, label in keys:
        before, after = previous_published[key], current_published[key]
        row: Change = {
            "key": key,
            "label": label,
            "previous_share": _published_share(before, weighted),
            "previous_n": before["n"],
            "current_share": _published_share(after, weighted),
            "current_n": after["n"],
            "change": None,
            "change_low": None,
            "change_high": None,
            "significant": None,
            "direction": None,
        }
        sides = (
            _share_and_size(previous.raw[key], weighted),
            _share_and_size(current.raw[key], weighted),
        )
        shown = row["previous_share"] is not None and row["current_share"] is not None
        if shown and sides[0] is not None and sides[1] is not None:
            result = difference(*sides[0], *sides[1])
            row["change"] = result.change
            row["change_low"], row["change_high"] = result.low, result.high
            tested.append((len(rows), result.p_value))
        rows.append(row)
    significant = holm_significant([p for _, p in tested], FAMILY_ALPHA)
    for (position, _), is_significant in zip(tested, significant, strict=True):
        row = rows[position]
        row["significant"] = is_significant
        if is_significant and row["change"] is not None:
            row["direction"] = "up" if row["change"] > 0 else "down"
    return rows


def _part_label(part: Part) -> str:
    return f"{part.wording}: {part.item}" if part.item else part.wording


def not_answered_reason(previous: WaveResults, part: Part) -> str | None:
    """Why a question (or grid item) asked the same way cannot be compared all the same,
    judged from the previous wave's answers: nobody answered it there (not asked, or left out
    of an import), or, in an imported wave, an answer nobody gave (its export may not have had
    that option, which would change every other answer's share)."""
    wave = previous.survey["wave"]
    figures = [(label, previous.raw.get(option_key(part, value))) for value, label in part.options]
    if all(found is None or found["n"] == 0 for _, found in figures):
        return f"Nobody answered it in wave {wave}: it was not asked, or not imported."
    imported = previous.survey["imported_from"]
    if imported:
        for label, found in figures:
            if found is not None and found["numerator"] == 0:
                return (
                    f"Wave {wave} was imported from {imported}, and none of its responses gave "
                    f"the answer '{label}': it may not have been offered."
                )
    return None


def _question_changes(
    previous: WaveResults,
    current: WaveResults,
    parts: Sequence[Part],
    weighted: bool,
    not_compared: list[NotCompared],
) -> Iterator[QuestionChange]:
    previous_keys = set(previous.raw)
    for part in parts:
        reason = why_not_comparable(
            previous.definition, current.definition, part.answer_id, previous.survey["wave"]
        )
        keys = [(option_key(part, value), label) for value, label in part.options]
        if reason is None and any(key not in previous_keys for key, _ in keys):
            reason = "Not reported in the previous wave."
        if reason is None:
            reason = not_answered_reason(previous, part)
        if reason is not None:
            not_compared.append({"label": _part_label(part), "reason": reason})
            continue
        yield {
            "question": part.question_id,
            "answer_id": part.answer_id,
            "wording": part.wording,
            "item": part.item,
            "changes": _changes(keys, previous, current, weighted),
        }


def build_comparison(
    previous: WaveResults, current: WaveResults, parts: Sequence[Part]
) -> Comparison:
    """The change in every comparable headline indicator and closed question (the current
    wave's `parts`) since the previous wave."""
    weighted = previous.weighted and current.weighted
    not_compared: list[NotCompared] = []
    headline: list[tuple[str, str]] = []
    for row in current.indicators:
        if row["kind"] != "headline":
            continue
        built_on = INDICATOR_QUESTIONS.get(row["key"], ())
        reason = next(
            (
                why
                for question in built_on
                if (
                    why := why_not_comparable(
                        previous.definition,
                        current.definition,
                        question,
                        previous.survey["wave"],
                    )
                )
            ),
            None,
        )
        if reason is None and row["key"] not in previous.raw:
            reason = "Not reported in the previous wave."
        if reason is None:
            reason = next(
                (
                    why
                    for part in parts
                    if part.answer_id in built_on
                    and (why := not_answered_reason(previous, part)) is not None
                ),
                None,
            )
        if reason is None:
            headline.append((row["key"], row["label"]))
        else:
            not_compared.append({"label": row["label"], "reason": reason})
    indicators = _changes(headline, previous, current, weighted)
    questions = list(_question_changes(previous, current, parts, weighted, not_compared))
    wave = previous.survey["wave"]
    if weighted:
        note = f"Weighted shares in wave {wave} and in this wave; both weighted to the census."
    else:
        note = (
            "Weighting was not possible in "
            + ("this wave" if previous.weighted else f"wave {wave}")
            + ", so both waves' unweighted shares are compared."
        )
    return {
        "previous": previous.survey,
        "weighted": weighted,
        "note": note,
        "method": METHOD,
        "indicators": indicators,
        "questions": questions,
        "not_compared": not_compared,
    }
