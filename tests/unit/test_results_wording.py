"""The results page's words: each key finding is a plain sentence whose numbers agree with the
figures beside it, and a change is called larger than chance only when the comparison says so."""

from __future__ import annotations

import datetime as dt
from typing import Any

from survey_app.results_pages.view import results_view
from survey_app.results_pages.words import and_list, date_range, percent, whole_percent

SAFE = "very_or_fairly_safe_after_dark"


def _figures(change: dict[str, Any] | None, **overrides: Any) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "shape": 1,
        "survey": {
            "slug": "safermk-perceptions",
            "wave": 2,
            "title": "Feeling safe in Milton Keynes",
            "opened_on": "2027-10-04",
            "closed_on": "2027-11-14",
        },
        "figures_on": "2027-11-20",
        "fieldwork": {
            "first_submission": "2027-10-04",
            "last_submission": "2027-11-14",
            "submitted": 1234,
        },
        "weighted": True,
        "weighted_on": ["Age", "Sex", "Ethnic group"],
        "disclosure": {"threshold": 10, "rule": "Counts from 1 to 9 are not shown."},
        "headline": [
            {
                "key": SAFE,
                "label": "Feel very or fairly safe walking alone after dark",
                "base": "Respondents who answered",
                "share": 0.6249,
                "low": 0.59,
                "high": 0.66,
            }
        ],
        "priorities": {"base": "Everyone who chose one", "options": [], "stands_out": False},
        "comparison": None
        if change is None
        else {
            "previous": {"wave": 1, "opened_on": "2026-10-05", "closed_on": "2026-11-15"},
            "weighted": True,
            "changes": {SAFE: change},
            "not_compared": [],
        },
        "who_took_part": [],
        "groups_short": [],
    }
    figures.update(overrides)
    return figures


def _change(previous: float, significant: bool | None, change: float | None = None) -> dict:
    change = 0.6249 - previous if change is None else change
    return {
        "previous_share": previous,
        "change": change,
        "low": change - 0.03,
        "high": change + 0.03,
        "significant": significant,
        "direction": None,
    }


def test_a_clear_rise_is_said_in_points_that_match_the_percentages_shown() -> None:
    view = results_view(_figures(_change(0.5751, significant=True)))

    # 62.49% and 57.51% are shown as 62% and 58%: a rise of 4 points, though 4.98 unrounded.
    assert view.findings[1] == (
        "62% of residents feel very or fairly safe walking alone after dark (58% last year): "
        "a rise of 4 percentage points, larger than chance would explain."
    )
    (indicator,) = view.indicators
    assert indicator.change is not None and indicator.change.points == "+4"
    assert view.previous_heading == "2026"


def test_a_change_chance_could_explain_is_no_clear_change() -> None:
    view = results_view(_figures(_change(0.60, significant=False)))

    assert view.findings[1].endswith("(60% last year): no clear change.")


def test_a_fall_uses_a_true_minus_sign_in_the_table() -> None:
    view = results_view(_figures(_change(0.70, significant=True)))

    assert "a fall of 8 percentage points, larger than chance would explain" in view.findings[1]
    assert view.indicators[0].change.points == "\u22128"  # type: ignore[union-attr]


def test_a_withheld_share_makes_no_sentence_and_shows_as_not_shown() -> None:
    figures = _figures(_change(0.60, significant=None, change=None))
    figures["headline"][0].update(share=None, low=None, high=None)
    figures["comparison"]["changes"][SAFE].update(change=None, low=None, high=None)

    view = results_view(figures)

    assert view.findings == ["1,234 residents took part between 4 October and 14 November 2027."]
    (indicator,) = view.indicators
    assert (indicator.share, indicator.bar, indicator.sentence) == ("not shown", None, "")


def test_without_a_previous_wave_there_is_no_change() -> None:
    view = results_view(_figures(None))

    assert view.findings[1] == (
        "62% of residents feel very or fairly safe walking alone after dark."
    )
    assert view.previous_heading is None and view.indicators[0].change is None


def test_groups_that_took_part_less_are_named_with_what_weighting_could_do() -> None:
    groups = [
        {
            "audience": "residents aged 16 to 24",
            "dimension": "age_band",
            "corrected_by_weighting": True,
        },
        {"audience": "LGB+ residents", "dimension": "lgb_plus", "corrected_by_weighting": False},
    ]
    dimensions = [
        {
            "dimension": "age_band",
            "label": "Age",
            "source": "Census",
            "year": 2021,
            "categories": [],
        }
    ]

    view = results_view(_figures(None, groups_short=groups, who_took_part=dimensions))

    assert view.findings[-1] == (
        "Some groups took part less than their share of the population of Milton Keynes: "
        "residents aged 16 to 24 and LGB+ residents. The results are weighted to the census to "
        "allow for this by age, but not by sexual orientation."
    )


def test_numbers_dates_and_lists_are_written_the_way_residents_read_them() -> None:
    assert (whole_percent(0.625), percent(0.0049), percent(None)) == (63, "0%", "not shown")
    assert and_list(["Age", "Sex", "Tenure"]) == "Age, Sex and Tenure"
    assert and_list(["Black, Black British residents", "LGB+ residents"]) == (
        "Black, Black British residents; and LGB+ residents"
    )
    assert date_range(dt.date(2026, 12, 1), dt.date(2027, 1, 31)) == (
        "1 December 2026 to 31 January 2027"
    )


def test_weighted_figures_are_never_set_beside_an_unweighted_last_survey() -> None:
    from survey_app.results import _comparison

    change = {
        "key": SAFE,
        "label": "Feel very or fairly safe walking alone after dark",
        "previous_share": 0.60,
        "current_share": 0.53,
        "change": -0.07,
        "change_low": -0.1,
        "change_high": -0.04,
        "significant": True,
        "direction": "down",
    }
    report = {
        "weighted_results": {
            "weighted": True,
            "indicators": [{"key": SAFE, "label": change["label"], "kind": "headline"}],
        },
        "comparison": {
            "previous": {"wave": 1, "opened_on": "2026-10-01", "closed_on": "2026-11-10"},
            # The last survey could not be weighted, so the report compared unweighted shares.
            "weighted": False,
            "indicators": [change],
            "not_compared": [{"label": "Something else", "reason": "New in this wave: no."}],
        },
    }
    published = _comparison(report)
    assert published is not None and published["changes"] == {}
    assert published["not_compared"] == [
        {
            "label": change["label"],
            "reason": "The last survey's figures could not be weighted to the census.",
        }
    ]
    report["comparison"]["weighted"] = True
    both_weighted = _comparison(report)
    assert both_weighted is not None and SAFE in both_weighted["changes"]
    assert both_weighted["not_compared"] == []  # only the headline indicators' reasons
