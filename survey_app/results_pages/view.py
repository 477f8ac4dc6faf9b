"""A published snapshot (survey_app.results) in the words and numbers the results page shows.

Percentages are whole numbers, as residents read them; a change since the previous wave is the
difference of the two percentages shown, so the sentence and its numbers always agree. Every
count is shown as published: a number, "fewer than 10" or "withheld".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reporting.representativeness import (
    AS_EXPECTED,
    NOT_ENOUGH_RESPONSES,
    OVER_REPRESENTED,
    POSSIBLY_UNDER_REPRESENTED,
    UNDER_REPRESENTED,
)

from .words import (
    NOT_SHOWN,
    and_list,
    count,
    date_range,
    iso_date,
    lower_first,
    percent,
    signed_points,
    whole_percent,
)

# Each headline indicator as a sentence about residents; an indicator not named here is
# written "Its label: 62%".
SENTENCES = {
    "very_or_fairly_safe_after_dark": (
        "{share} of residents feel very or fairly safe walking alone after dark"
    ),
    "high_perceived_asb": (
        "{share} of residents see a high level of anti-social behaviour in their area"
    ),
    "police_council_dealing": (
        "{share} of residents agree the police and council are dealing with the issues that matter"
    ),
    "victim_last_12_months": (
        "{share} of residents were a victim of crime in Milton Keynes in the last 12 months"
    ),
    "reported_to_police": "{share} of victims of crime reported all or some of it to the police",
}
# How a group's share of those who took part compares with its share of the population.
COMPARED_WITH_CENSUS = {
    UNDER_REPRESENTED: "Fewer than expected",
    POSSIBLY_UNDER_REPRESENTED: "Possibly fewer than expected",
    OVER_REPRESENTED: "More than expected",
    AS_EXPECTED: "About as expected",
    NOT_ENOUGH_RESPONSES: "Too few to tell",
}


@dataclass(frozen=True)
class Wave:
    """When a wave's fieldwork ran, and how to name it to residents."""

    wave: int
    first: dt.date | None
    last: dt.date | None

    @property
    def year(self) -> int | None:
        day = self.last or self.first
        return day.year if day else None


def _wave(survey: Mapping[str, Any], fieldwork: Mapping[str, Any] | None = None) -> Wave:
    fieldwork = fieldwork or {}
    first = iso_date(survey.get("opened_on")) or iso_date(fieldwork.get("first_submission"))
    last = iso_date(survey.get("closed_on")) or iso_date(fieldwork.get("last_submission"))
    return Wave(int(survey["wave"]), first, last)


@dataclass(frozen=True)
class Bar:
    """A share drawn as a bar, with its interval and the previous wave's share (0 to 100)."""

    share: float
    low: float | None
    high: float | None
    previous: float | None


def _bar(share: float, low: float | None, high: float | None, previous: float | None) -> Bar:
    def scaled(value: float | None) -> float | None:
        return None if value is None else round(100 * value, 2)

    return Bar(round(100 * share, 2), scaled(low), scaled(high), scaled(previous))


@dataclass(frozen=True)
class Change:
    previous: str  # the previous wave's percentage, or "not shown"
    points: str  # "+4", "" where the change is withheld
    interval: str  # "−1 to +6" (percentage points)
    words: str  # "a rise of 4 percentage points, larger than chance would explain"


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    base: str
    share: str
    interval: str  # "65% to 70%"
    between: str  # "likely between 65% and 70%"
    sentence: str  # the key finding, with its change
    bar: Bar | None
    change: Change | None
    not_compared: str | None  # why there is no change, where there is a reason


@dataclass(frozen=True)
class Priority:
    label: str
    share: str
    interval: str
    between: str
    bar: Bar | None


@dataclass(frozen=True)
class CategoryRow:
    label: str
    took_part: str
    sample_share: str
    population_share: str
    compared: str


@dataclass(frozen=True)
class Dimension:
    label: str
    source: str
    rows: list[CategoryRow]


@dataclass(frozen=True)
class ResultsView:
    title: str
    wave: Wave
    when: str
    took_part: str
    previous_heading: str | None  # "2025", "Last survey"; None with no comparison
    previous_words: str | None  # "last year", "in 2024", "in the last survey"
    findings: list[str]
    indicators: list[Indicator]
    priorities: list[Priority]
    priorities_base: str | None
    priorities_stand_out: bool
    dimensions: list[Dimension]
    census: str | None  # the population figures' source
    census_year: int | None
    weighted: bool
    weighted_on: str
    disclosure_rule: str
    threshold: int


def _interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return NOT_SHOWN
    return f"{percent(low)} to {percent(high)}"


def _between(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    return f"likely between {percent(low)} and {percent(high)}"


def _change_words(points: int, significant: bool | None, change: float) -> str:
    if not significant:
        return "no clear change"
    rise = change > 0
    if points == 0:
        return f"a small {'rise' if rise else 'fall'}, larger than chance would explain"
    size = abs(points)
    unit = "percentage point" if size == 1 else "percentage points"
    return f"a {'rise' if rise else 'fall'} of {size} {unit}, larger than chance would explain"


def _change(
    share: float | None, figures: Mapping[str, Any] | None, previous_words: str
) -> tuple[Change | None, str]:
    """The change since the previous wave, and its part of the key finding's sentence."""
    if figures is None:
        return None, ""
    previous = figures["previous_share"]
    if previous is None:
        return Change(NOT_SHOWN, "", "", "too few answers to compare"), ""
    if share is None or figures["change"] is None:
        return Change(percent(previous), "", "", ""), f" ({percent(previous)} {previous_words})"
    points = whole_percent(share) - whole_percent(previous)
    words = _change_words(points, figures["significant"], figures["change"])
    low, high = figures["low"], figures["high"]
    interval = (
        f"{signed_points(whole_percent(low))} to {signed_points(whole_percent(high))}"
        if low is not None and high is not None
        else ""
    )
    change = Change(percent(previous), signed_points(points), interval, words)
    return change, f" ({percent(previous)} {previous_words}): {words}"


def _previous_names(this: Wave, comparison: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """The column heading and the words for the previous wave."""
    if comparison is None:
        return None
    previous = _wave(comparison["previous"])
    if previous.year is not None and this.year is not None and previous.year != this.year:
        words = "last year" if previous.year == this.year - 1 else f"in {previous.year}"
        return str(previous.year), words
    return "Last survey", "in the last survey"


def _indicators(
    figures: Mapping[str, Any], previous_words: str | None
) -> tuple[list[Indicator], list[str]]:
    comparison = figures.get("comparison")
    changes = comparison["changes"] if comparison else {}
    reasons = {row["label"]: row["reason"] for row in (comparison or {}).get("not_compared", [])}
    indicators, sentences = [], []
    for row in figures["headline"]:
        share = row["share"]
        change, change_part = _change(share, changes.get(row["key"]), previous_words or "")
        sentence = ""
        if share is not None:
            template = SENTENCES.get(row["key"], "{label}: {share}")
            sentence = template.format(share=percent(share), label=row["label"]) + change_part
            sentence = sentence[0].upper() + sentence[1:] + "."
            sentences.append(sentence)
        previous = changes.get(row["key"], {}).get("previous_share") if change else None
        indicators.append(
            Indicator(
                key=row["key"],
                label=row["label"],
                base=row["base"],
                share=percent(share),
                interval=_interval(row["low"], row["high"]),
                between=_between(row["low"], row["high"]),
                sentence=sentence,
                bar=_bar(share, row["low"], row["high"], previous) if share is not None else None,
                change=change,
                not_compared=reasons.get(row["label"]),
            )
        )
    return indicators, sentences


def _priorities(figures: Mapping[str, Any]) -> tuple[list[Priority], str | None]:
    options = figures["priorities"]["options"]
    priorities = [
        Priority(
            label=row["label"],
            share=percent(row["share"]),
            interval=_interval(row["low"], row["high"]),
            between=_between(row["low"], row["high"]),
            bar=_bar(row["share"], row["low"], row["high"], None)
            if row["share"] is not None
            else None,
        )
        for row in options
    ]
    top = [row for row in options if row["share"] is not None][:3]
    if not top:
        return priorities, None
    named = and_list([f"{lower_first(row['label'])} ({percent(row['share'])})" for row in top])
    sentence = f"The priorities residents chose most for the partnership were {named}."
    if len(top) == 3 and not figures["priorities"]["stands_out"]:
        sentence += (
            " These were chosen by similar shares of residents: none stands clearly above the "
            "others."
        )
    return priorities, sentence


def _characteristic(dimension: str, figures: Mapping[str, Any]) -> str:
    """A census dimension as a sentence names it: "age", "ethnic group"."""
    if dimension in ("lgb_plus", "sexual_orientation"):
        return "sexual orientation"
    labels = {row["dimension"]: row["label"] for row in figures["who_took_part"]}
    return lower_first(labels.get(dimension, dimension.replace("_", " ")))


def _groups_sentence(figures: Mapping[str, Any]) -> str | None:
    groups = figures.get("groups_short") or []
    if not groups:
        return None
    sentence = (
        "Some groups took part less than their share of the population of Milton Keynes: "
        f"{and_list([group['audience'] for group in groups])}."
    )
    if not figures["weighted"]:
        return sentence + " The results could not be weighted to allow for this."
    weighted: list[str] = []
    not_weighted: list[str] = []
    for group in groups:
        characteristic = _characteristic(group["dimension"], figures)
        chosen = weighted if group["corrected_by_weighting"] else not_weighted
        if characteristic not in chosen:
            chosen.append(characteristic)
    if not not_weighted:
        return sentence + " The results are weighted to the census to allow for this."
    if not weighted:
        return sentence + (
            f" The census figures could not be used to allow for this by {and_list(not_weighted)}."
        )
    return sentence + (
        f" The results are weighted to the census to allow for this by {and_list(weighted)}, but "
        f"not by {and_list(not_weighted)}."
    )


def _dimensions(figures: Mapping[str, Any]) -> list[Dimension]:
    return [
        Dimension(
            label=dimension["label"],
            source=dimension["source"],
            rows=[
                CategoryRow(
                    label=row["label"],
                    took_part=count(row["n"]),
                    sample_share=percent(row["sample_share"]),
                    population_share=percent(row["population_share"]),
                    compared=COMPARED_WITH_CENSUS.get(row["flag"] or "", ""),
                )
                for row in dimension["categories"]
            ],
        )
        for dimension in figures["who_took_part"]
    ]


def results_view(figures: Mapping[str, Any]) -> ResultsView:
    survey, fieldwork = figures["survey"], figures["fieldwork"]
    wave = _wave(survey, fieldwork)
    first = iso_date(fieldwork["first_submission"]) or wave.first
    last = iso_date(fieldwork["last_submission"]) or wave.last
    names = _previous_names(wave, figures.get("comparison"))
    indicators, indicator_sentences = _indicators(figures, names[1] if names else None)
    priorities, priority_sentence = _priorities(figures)
    took_part = count(fieldwork["submitted"])
    findings = [f"{took_part} residents took part between {date_range(first, last, 'and')}."]
    findings += indicator_sentences
    if priority_sentence:
        findings.append(priority_sentence)
    groups = _groups_sentence(figures)
    if groups:
        findings.append(groups)
    dimensions = figures["who_took_part"]
    census = dimensions[0]["source"] if dimensions else None
    census_year = int(dimensions[0]["year"]) if dimensions else None
    year = wave.year
    return ResultsView(
        title=(
            f"Results of the {year} residents' survey"
            if year
            else "Results of the residents' survey"
        ),
        wave=wave,
        when=date_range(wave.first or first, wave.last or last),
        took_part=took_part,
        previous_heading=names[0] if names else None,
        previous_words=names[1] if names else None,
        findings=findings,
        indicators=indicators,
        priorities=priorities,
        priorities_base=figures["priorities"]["base"],
        priorities_stand_out=bool(figures["priorities"]["stands_out"]),
        dimensions=_dimensions(figures),
        census=census,
        census_year=census_year,
        weighted=bool(figures["weighted"]),
        weighted_on=and_list([lower_first(label) for label in figures["weighted_on"]]),
        disclosure_rule=figures["disclosure"]["rule"],
        threshold=int(figures["disclosure"]["threshold"]),
    )
