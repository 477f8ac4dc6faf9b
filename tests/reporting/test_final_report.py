"""The final report on a real (migrated) database: weights, weighted results and methodology."""

from __future__ import annotations

import json
from collections import defaultdict
from html import unescape

import pytest
from flask import Flask
from sqlalchemy import text

from reporting.final import build_final_report
from reporting.interim import build_interim_report
from reporting.render import render_html, render_json
from reporting.survey_weights import WEIGHTING_DIMENSIONS, compute_survey_weights
from survey_app.extensions import db

from .demo_data import add_response, seed_demo
from .report_pages import parsed_report

SAFE = ("very_safe", "fairly_safe")


def indicator(report: dict, key: str) -> dict:
    return next(row for row in report["weighted_results"]["indicators"] if row["key"] == key)


def test_weighted_margins_match_the_census_by_an_independent_sum(app: Flask) -> None:
    with app.app_context():
        seed_demo(3000)

        report = build_final_report(db.engine)
        weights = compute_survey_weights(db.engine, report["survey"]["id"])

        columns = ", ".join(WEIGHTING_DIMENSIONS)
        with db.engine.connect() as connection:
            rows = connection.execute(
                text(f"SELECT id, {columns} FROM responses WHERE status = 'submitted'")
            ).all()
            census_rows = connection.execute(
                text("SELECT dimension, category, count FROM population_benchmarks")
            ).all()
        census: dict[str, dict[str, int]] = defaultdict(dict)
        for dimension, category, count in census_rows:
            census[dimension][category] = count
        assert report["weighting"]["converged"] is True
        for position, dimension in enumerate(WEIGHTING_DIMENSIONS, start=1):
            weighted: dict[str, float] = defaultdict(float)
            for row in rows:
                if row[position] not in (None, "prefer_not_to_say"):
                    weighted[row[position]] += weights.weight_for(row._mapping)
            population_total = sum(census[dimension].values())
            for category, count in census[dimension].items():
                assert weighted[category] / sum(weighted.values()) == pytest.approx(
                    count / population_total, abs=1e-5
                ), (dimension, category)


def test_weighting_corrects_the_demo_sample_and_costs_precision(app: Flask) -> None:
    with app.app_context():
        seed_demo(3000)

        report = build_final_report(db.engine)

        weighting = report["weighting"]
        assert weighting["design_effect"] > 1
        assert weighting["effective_n"] < 3000
        assert weighting["largest_weight"] <= weighting["cap"] + 1e-9
        safe = indicator(report, "very_or_fairly_safe_after_dark")
        assert safe["weighted_share"] != pytest.approx(safe["share"], abs=0.005)
        weighted_width = safe["weighted_interval_high"] - safe["weighted_interval_low"]
        assert weighted_width > safe["interval_high"] - safe["interval_low"]


def test_weighted_indicator_agrees_with_a_sum_over_the_answers(app: Flask) -> None:
    with app.app_context():
        seed_demo(1000)

        report = build_final_report(db.engine)
        weights = compute_survey_weights(db.engine, report["survey"]["id"])

        columns = ", ".join(WEIGHTING_DIMENSIONS)
        with db.engine.connect() as connection:
            rows = connection.execute(
                text(f"SELECT answers, {columns} FROM responses WHERE status = 'submitted'")
            ).all()
        numerator = denominator = 0.0
        for row in rows:
            answers, weight = row.answers, weights.weight_for(row._mapping)
            # A plain text query returns JSON as text on SQLite and parsed on PostgreSQL.
            answer = (json.loads(answers) if isinstance(answers, str) else answers).get(
                "safe_after_dark"
            )
            if answer is not None:
                denominator += weight
                numerator += weight if answer in SAFE else 0.0
        safe = indicator(report, "very_or_fairly_safe_after_dark")
        assert safe["weighted_share"] == pytest.approx(numerator / denominator)


def test_breakdowns_mark_differences_and_suppress_small_groups(app: Flask) -> None:
    with app.app_context():
        seed_demo(3000)

        report = build_final_report(db.engine)

        rows = [
            row
            for result in report["weighted_results"]["indicators"]
            for groups in result["breakdowns"].values()
            for row in groups
        ]
        assert any(row["direction"] in ("higher", "lower") for row in rows)
        small = [row for row in rows if row["n"] == "fewer than 10"]
        assert small, "the demo sample has groups with fewer than 10 in some base"
        for row in small:
            assert row["weighted_share"] is None and row["effective_n"] is None
            assert row["differs_from_rest"] is None
        assert set(report["weighted_results"]["indicators"][0]["breakdowns"]) >= {
            "age_band",
            "ethnic_group",
            "tenure",
        }


def test_methodology_names_dates_channels_targets_and_rules(app: Flask) -> None:
    with app.app_context():
        seed_demo(500)

        report = build_final_report(db.engine)
        methodology = report["methodology"]

        assert report["kind"] == "final" and report["title"].endswith("final report")
        assert (
            methodology["fieldwork"]["first_submission"] == report["fieldwork"]["first_submission"]
        )
        assert methodology["fieldwork"]["opened_on"] == report["survey"]["opened_on"]
        assert "LGBT+ community groups" in methodology["channels_used"]
        assert {target["dimension"] for target in methodology["weighting_targets"]} == set(
            WEIGHTING_DIMENSIONS
        )
        assert "fewer than 10" in methodology["suppression_rule"]
        assert "prefer not to say" in methodology["prefer_not_to_say"]
        assert "Holm" in methodology["flag_rule"]
        assert methodology["design_effect"] == report["weighting"]["design_effect"]


def test_the_final_html_report_is_valid_and_has_its_sections(app: Flask) -> None:
    with app.app_context():
        seed_demo(300)

        page = render_html(build_final_report(db.engine))

        soup = parsed_report(page)
        for anchor in (a["href"][1:] for a in soup.select("nav.contents a")):
            assert soup.find(id=anchor), anchor
        for section in ("weighting", "weighted-results", "breakdowns", "methodology"):
            assert soup.find(id=section)
        assert soup.find(id="early-results") is None
        assert soup.find("svg", attrs={"aria-labelledby": "chart-weighted-indicators-title"})


def test_the_interim_report_stays_interim_and_unweighted(app: Flask) -> None:
    with app.app_context():
        seed_demo(100)

        report = build_interim_report(db.engine)
        page = render_html(report)

        assert report["kind"] == "interim"
        assert report["early_results"]["weighted"] is False
        assert "weighted_results" not in report
        assert "Early, unweighted results" in page and 'id="weighting"' not in page


def test_final_report_with_no_responses_says_weighting_was_not_possible(app: Flask) -> None:
    with app.app_context():
        report = build_final_report(db.engine)
        page = render_html(report)
        render_json(report)

        assert report["weighting"]["weighted"] is False
        assert report["weighting"]["problem"] == "No submitted responses yet"
        assert report["weighted_results"]["weighted"] is False
        assert all(
            row["weighted_share"] is None for row in report["weighted_results"]["indicators"]
        )
        assert "No weights could be made: No submitted responses yet" in page
        assert "No responses have been submitted yet" in page


def test_final_report_for_an_unknown_survey_says_so(app: Flask) -> None:
    with app.app_context():
        report = build_final_report(db.engine, survey_id=999_999)

        assert report["kind"] == "final" and report["weighting"] is None
        assert "There is no survey" in render_html(report)


def test_responses_from_one_channel_only_are_still_weighted(app: Flask) -> None:
    with app.app_context():
        for age_band in ("75+", "65-74"):
            for sex in ("female", "male"):
                for _ in range(12):
                    add_response(channel_slug="age-uk", age_band=age_band, sex=sex)

        report = build_final_report(db.engine)

        assert report["methodology"]["channels_used"] == ["Age UK Milton Keynes"]
        weighting = report["weighting"]
        assert weighting["weighted"] and weighting["converged"]
        merged = {(m["dimension"], m["category"]) for m in weighting["merged_categories"]}
        assert ("age_band", "16-24") in merged
        assert {d["dimension"] for d in weighting["not_used"]} == {
            "ethnic_group",
            "disability",
            "tenure",
        }
        assert "the nearest band with respondents" in unescape(render_html(report))


def test_weights_that_cannot_meet_every_margin_are_reported_with_a_warning(app: Flask) -> None:
    with app.app_context():
        # Age and sex coincide completely, so no weights within the cap fit both margins.
        for age_band, sex in (("75+", "female"), ("65-74", "male"), ("45-54", "female")):
            for _ in range(15):
                add_response(channel_slug="age-uk", age_band=age_band, sex=sex)

        report = build_final_report(db.engine)

        assert report["weighting"]["weighted"] and report["weighting"]["converged"] is False
        assert any(message.startswith("Weighting needs care") for message in report["messages"])
        assert "did not converge" in render_html(report)


def test_everyone_preferring_not_to_say_leaves_that_dimension_out_of_weighting(
    app: Flask,
) -> None:
    with app.app_context():
        for index in range(30):
            add_response(
                channel_slug="schools",
                ethnic_group="prefer_not_to_say",
                sex="female" if index % 2 else "male",
            )

        report = build_final_report(db.engine)

        not_used = {d["dimension"]: d["reason"] for d in report["weighting"]["not_used"]}
        assert not_used["ethnic_group"] == "Nobody stated it, so there was nothing to adjust."
        assert report["weighting"]["weighted"] is True
        assert "Nobody stated it" in render_html(report)


def test_nobody_answering_any_weighting_question_gives_a_clear_message(app: Flask) -> None:
    with app.app_context():
        for _ in range(25):
            add_response(channel_slug="facebook", answers={"victim": "no"})

        report = build_final_report(db.engine)
        page = render_html(report)

        assert report["weighting"]["problem"] == "Nobody answered any weighting question"
        assert any("Weighting was not possible" in message for message in report["messages"])
        victim = indicator(report, "victim_last_12_months")
        assert victim["n"] == 25 and victim["weighted_share"] is None
        assert "Nobody answered any weighting question" in page
