"""A headline indicator withheld to protect a question's answers is still named and broken down."""

from __future__ import annotations

from flask import Flask

from reporting.final import build_final_report
from reporting.interim import build_interim_report
from survey_app.extensions import db

from .demo_data import add_response

# "Very safe" (15) is withheld beside "A bit unsafe" (3), the question's answers adding up to its
# published base; "Fairly safe" is 0, so the indicator "very or fairly safe" (15) would give
# "Very safe" back and is withheld in turn.
SAFE_AFTER_DARK = {"very_safe": 15, "a_bit_unsafe": 3, "very_unsafe": 40, "never_walk_alone": 30}
INDICATOR = "very_or_fairly_safe_after_dark"


def test_an_indicator_withheld_for_an_answer_keeps_its_key_label_base_and_breakdowns(
    app: Flask,
) -> None:
    with app.app_context():
        for answer, count in SAFE_AFTER_DARK.items():
            for _ in range(count):
                add_response(answers={"safe_after_dark": answer})

        interim = build_interim_report(db.engine)
        final = build_final_report(db.engine)

    for indicators in (
        interim["early_results"]["indicators"],
        final["early_results"]["indicators"],
        final["weighted_results"]["indicators"],
    ):
        indicator = indicators[0]
        assert indicator["key"] == INDICATOR
        assert indicator["label"] == "Feel very or fairly safe walking alone after dark"
        assert indicator["kind"] == "headline"
        assert indicator["base"].startswith("Respondents who answered")
        assert isinstance(indicator["breakdowns"], dict)
        assert (indicator["numerator"], indicator["share"]) == ("withheld", None)
        assert indicator["interval_low"] is None and indicator["interval_high"] is None
    headline = [row["key"] for row in interim["summary"]["headline_results"]]
    assert headline[0] == INDICATOR
