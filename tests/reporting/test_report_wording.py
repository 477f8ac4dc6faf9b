"""What the reports say in words is true of the figures beside them."""

from __future__ import annotations

from html import unescape

from reporting.final import build_final_report
from reporting.interim import build_interim_report
from reporting.render import render_html
from survey_app.extensions import db

from .demo_data import add_response, seed_demo


def _dimension(report: dict, name: str) -> dict:
    return next(d for d in report["representativeness"]["dimensions"] if d["dimension"] == name)


def test_tenure_other_is_counted_apart_from_those_who_did_not_say(app):
    with app.app_context():
        for _ in range(12):
            add_response(answers={"housing": "other"}, tenure=None)
        for _ in range(11):
            add_response(answers={"housing": "prefer_not_to_say"}, tenure=None)
        for _ in range(40):
            add_response(answers={"housing": "owns_outright"}, tenure="owns_outright")
        report = build_interim_report(db.engine)
        html = render_html(report)
    tenure = _dimension(report, "tenure")
    assert tenure["outside_population"] == 12
    assert tenure["not_stated"] == 11
    assert tenure["answered"] == 40
    assert "12 answered 'Other', which no census tenure category covers" in unescape(html)


def test_effective_sample_size_is_not_sold_as_a_random_sample(app):
    with app.app_context():
        seed_demo(800, seed=5)
        report = build_final_report(db.engine)
        html = render_html(report)
    weighting = report["methodology"]["weighting"]
    assert "simple random sample" not in weighting and "simple random sample" not in html
    assert "self-selected" in weighting
    assert "are not shown" not in html


def test_a_group_that_is_not_short_needs_no_more_responses(app):
    with app.app_context():
        seed_demo(800, seed=5)
        report = build_interim_report(db.engine)
    rows = [
        row
        for dimension in report["representativeness"]["dimensions"]
        if dimension["benchmark"]
        for row in dimension["categories"]
        if row["sample_share"] is not None and row["sample_share"] >= row["population_share"]
    ]
    assert rows and all(row["responses_needed"] == 0 for row in rows)


def test_the_final_report_reports_every_closed_question_under_its_wording(app):
    with app.app_context():
        seed_demo(1200, seed=8)
        report = build_final_report(db.engine)
        html = unescape(render_html(report))
        definition = report_definition(report)
    census = {
        rule[field]
        for rule in definition["derived"].values()
        for field in ("from", "condition", "reduces", "parent", "age")
        if field in rule
    }
    closed = [
        question
        for page in definition["pages"]
        for question in page["questions"]
        if question["type"] in ("single", "multiple", "grid") and question["id"] not in census
    ]
    reported = {question["question"]: question for question in report["questions"]}
    for question in closed:
        assert question["label"] in html
        entry = reported[question["id"]]
        assert entry["weighted"] and entry["wording"] == question["label"]
        for item in question.get("items", []):
            assert item["label"] in html
        shown = [
            o for t in entry["tables"] for o in t["options"] if o["weighted_share"] is not None
        ]
        assert all(o["weighted_interval_low"] <= o["weighted_share"] for o in shown)
    asb = reported["asb"]
    assert len(asb["tables"]) == 7  # the seven strands, one by one


def report_definition(report: dict) -> dict:
    from survey_app.models import Survey

    return db.session.get(Survey, report["survey"]["id"]).definition
