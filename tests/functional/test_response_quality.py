"""Response quality: robots and repeat submissions are flagged for the analyst, who excludes or
keeps them with a recorded reason; excluded responses are kept but counted in no figure."""

from __future__ import annotations

import csv
import time
from typing import Any

import pytest
from sqlalchemy import DateTime, Time, inspect, select

from reporting.exports import export_responses
from reporting.final import build_final_report
from reporting.interim import build_interim_report
from survey_app import quality
from survey_app.extensions import db
from survey_app.models import QualityDecision

from ..helpers import FULL_ANSWERS, complete_survey, error_messages, stored_responses, text_of
from .staff_factories import ANALYST_EMAIL, add_submitted_responses, make_staff, sign_in

# Enough room for several whole journeys from one test address.
ROOMY = {"SURVEY_RATE_LIMIT": "10000 per minute"}


def _answers(age: int, comment: str = "More lighting on the redways, please.") -> dict[str, Any]:
    return {**FULL_ANSWERS, "age": {"age": str(age)}, "anything-else": {"anything_else": comment}}


def _respond(
    app, answers: dict[str, Any], *, slug: str = "age-uk", seconds_taken: int = 600
) -> None:  # type: ignore[no-untyped-def]
    """One resident (or robot) with a fresh cookie, through a channel link, taking that long."""
    client = app.test_client()
    client.check_pages = False  # many journeys, only counted; their pages are checked elsewhere
    client.get(f"/s/{slug}")
    complete_survey(client, answers, submit=False)
    with client.session_transaction() as session:
        session["began"] = int(time.time()) - seconds_taken
    submitted = client.submit("/check-answers")
    assert submitted.headers["Location"].endswith("/confirmation"), error_messages(submitted)


def _analyst(app):  # type: ignore[no-untyped-def]
    make_staff(app)
    client = app.test_client()
    sign_in(client, ANALYST_EMAIL)
    return client


def test_identical_answers_in_a_burst_are_flagged_with_the_ones_before_the_limit(make_app):
    app = make_app(**ROOMY, QUALITY_SAME_ANSWERS_BURST="4 per hour")
    # Two genuine residents with answers of their own.
    _respond(app, _answers(41))
    _respond(app, _answers(52))
    # A robot sends the same answers; a different comment each time does not hide it.
    for number in range(3):
        _respond(app, _answers(34, comment=f"comment {number}"))
    assert not any(r.same_answers_burst for r in stored_responses(app)), "3 is under the limit"
    _respond(app, _answers(34, comment="comment 3"))

    flagged = [r.answers["age"] for r in stored_responses(app) if r.same_answers_burst]
    assert flagged == [34, 34, 34, 34]

    dashboard = _analyst(app).get("/admin/dashboard")
    assert "4 suspected responses need review" in text_of(dashboard)


def test_a_burst_through_one_channel_is_flagged_beyond_its_limit(make_app):
    app = make_app(**ROOMY, QUALITY_CHANNEL_BURST="3 per 10 minutes")
    for age in (30, 31, 32, 33, 34):
        _respond(app, _answers(age), slug="facebook")
    _respond(app, _answers(35), slug="age-uk")

    rows = stored_responses(app)
    assert [(r.answers["age"], r.channel_burst) for r in rows] == [
        (30, False),
        (31, False),
        (32, False),
        (33, True),
        (34, True),
        (35, False),
    ]


def test_the_time_taken_is_kept_as_a_length_and_fast_responses_await_review(make_app):
    app = make_app(**ROOMY)
    _respond(app, _answers(40), seconds_taken=14)
    _respond(app, _answers(41), seconds_taken=900)

    durations = [r.duration_seconds for r in stored_responses(app)]
    assert 14 <= durations[0] <= 20 and 900 <= durations[1] <= 906

    page = _analyst(app).get("/admin/quality")
    text = text_of(page)
    assert "1 suspected response in 1 group" in text
    assert "Completed implausibly fast" in text


def test_no_time_of_day_is_stored_with_a_response(app):
    with app.app_context():
        columns = inspect(db.engine).get_columns("responses")
    timed = [c["name"] for c in columns if isinstance(c["type"], DateTime | Time)]
    assert timed == []


def test_a_submission_stands_when_the_burst_counters_are_unavailable(make_app, monkeypatch, caplog):
    app = make_app(**ROOMY)

    def storage_down(*args: object) -> int:
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(quality, "_count_in_window", storage_down)
    _respond(app, _answers(44))
    [response] = stored_responses(app)
    assert response.status == "submitted" and response.reference
    assert "counters unavailable" in caplog.text


def _flag_fast(app, count: int, *, age: int = 70) -> None:  # type: ignore[no-untyped-def]
    for _ in range(count):
        _respond(app, _answers(age), seconds_taken=5)


def _decide(analyst, review: str, page, **form: str):  # type: ignore[no-untyped-def]
    """Post the decision form of the review page shown, hidden fields included, as a browser."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    hidden = {i["name"]: i.get("value", "") for i in soup.select("form input[type=hidden]")}
    return analyst.submit(review, {**hidden, **form})


def _review_link(page) -> str:  # type: ignore[no-untyped-def]
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    [link] = [a["href"] for a in soup.select("a") if "/admin/quality/review" in a["href"]]
    return link


def test_the_analyst_excludes_a_group_and_no_figure_counts_it(make_app, tmp_path):
    app = make_app(**ROOMY)
    add_submitted_responses(app, 12, channel_slug="age-uk")  # twelve genuine residents
    _flag_fast(app, 3)
    analyst = _analyst(app)
    with app.app_context():
        before = build_interim_report(db.engine)
    assert before["fieldwork"]["submitted"] == 15

    review = _review_link(analyst.get("/admin/quality"))
    page = analyst.get(review)
    assert "Review 3 suspected responses" in text_of(page)
    refused = _decide(analyst, review, page, action="exclude", reason="   ")
    assert error_messages(refused) == ["Enter the reason for your decision"]
    done = _decide(analyst, review, refused, action="exclude", reason="Three answers in 5 seconds")
    assert done.headers["Location"].endswith("/admin/quality")
    assert "3 responses excluded from every report" in text_of(analyst.get("/admin/quality"))

    rows = stored_responses(app)
    assert len(rows) == 15, "nothing is deleted"
    assert sum(r.excluded for r in rows) == 3
    with app.app_context():
        decision = db.session.scalars(select(QualityDecision)).one()
        assert (decision.action, decision.response_count) == ("exclude", 3)
        assert decision.reason == "Three answers in 5 seconds"
        assert decision.made_by.email == ANALYST_EMAIL
        interim = build_interim_report(db.engine)
        final = build_final_report(db.engine)
        export = export_responses(db.engine, tmp_path / "responses.csv", fmt="csv")
    assert interim["fieldwork"]["submitted"] == 12
    assert interim["response_quality"]["excluded"] == 3
    assert (
        "excluded 3 responses (completed implausibly fast: 3)"
        in (final["methodology"]["response_quality"])
    )
    sample = sum(
        category["n"]
        for category in interim["representativeness"]["dimensions"][0]["categories"]
        if isinstance(category["n"], int)
    )
    assert sample <= 12
    with open(export.path, newline="", encoding="utf-8-sig") as handle:
        ages = [row["age"] for row in csv.DictReader(handle)]
    assert "70" not in ages and len(ages) == 12
    dashboard = text_of(analyst.get("/admin/dashboard"))
    assert "3 responses excluded as suspected are left out of every figure" in dashboard


def test_undoing_an_exclusion_returns_the_responses_to_review_and_stays_on_record(make_app):
    app = make_app(**ROOMY)
    _flag_fast(app, 2)
    analyst = _analyst(app)
    review = _review_link(analyst.get("/admin/quality"))
    _decide(analyst, review, analyst.get(review), action="exclude", reason="robots")
    with app.app_context():
        decision_id = db.session.scalars(select(QualityDecision.id)).one()

    undo = f"/admin/quality/decisions/{decision_id}/undo"
    analyst.get(undo)
    assert error_messages(analyst.submit(undo, {"reason": ""})) == [
        "Enter why the decision is being undone"
    ]
    analyst.submit(undo, {"reason": "They were a class at MK College"})
    assert not any(r.excluded or r.quality_decision_id for r in stored_responses(app))
    with app.app_context():
        decisions = db.session.scalars(select(QualityDecision).order_by(QualityDecision.id)).all()
        assert [(d.action, d.response_count) for d in decisions] == [("exclude", 2), ("undo", 2)]
        assert decisions[0].undone_by_id == decisions[1].id
        assert build_interim_report(db.engine)["response_quality"]["excluded"] == 0
    page = text_of(analyst.get("/admin/quality"))
    assert "2 suspected responses in 1 group" in page
    # Undone once is undone for good: a second undo changes nothing.
    again = analyst.get(undo, follow_redirects=True)
    assert "That decision has been undone already" in text_of(again)


def test_kept_responses_leave_the_review_list_and_are_counted(make_app):
    app = make_app(**ROOMY)
    _flag_fast(app, 2)
    analyst = _analyst(app)
    review = _review_link(analyst.get("/admin/quality"))
    _decide(analyst, review, analyst.get(review), action="keep", reason="Quick, but genuine")
    page = text_of(analyst.get("/admin/quality"))
    assert "No suspected responses are waiting for review" in page
    assert "0 responses are excluded from reports; 2 were reviewed and kept" in page
    with app.app_context():
        assert build_interim_report(db.engine)["fieldwork"]["submitted"] in (2, "fewer than 10")


def test_a_group_that_grew_since_it_was_shown_is_not_decided_unseen(make_app):
    app = make_app(**ROOMY)
    _flag_fast(app, 2)
    analyst = _analyst(app)
    review = _review_link(analyst.get("/admin/quality"))
    shown = analyst.get(review)
    _flag_fast(app, 1)  # another arrives while the analyst reads
    refused = _decide(analyst, review, shown, action="exclude", reason="robots")
    assert error_messages(refused) == [
        "This group has changed since the page was shown: it now holds 3 responses. "
        "Look at it again before deciding"
    ]
    assert not any(r.excluded for r in stored_responses(app))
    # Shown again with the new count, the analyst can decide.
    _decide(analyst, review, refused, action="exclude", reason="robots")
    assert sum(r.excluded for r in stored_responses(app)) == 3


@pytest.mark.parametrize(
    "query",
    [
        "sign=fast&key=x",
        "sign=fast&key=99999999999999999999",
        "sign=channel_burst&key=1/not-a-date",
        "sign=nonsense&key=1",
    ],
)
def test_made_up_groups_are_not_found(make_app, query):
    app = make_app(**ROOMY)
    analyst = _analyst(app)
    response = analyst.get(f"/admin/quality/review?{query}")
    assert response.status_code in (302, 404)


def test_partners_cannot_see_response_quality(make_app):
    from .staff_factories import PARTNER_A_EMAIL

    app = make_app(**ROOMY)
    make_staff(app)
    partner = app.test_client()
    sign_in(partner, PARTNER_A_EMAIL)
    assert partner.get("/admin/quality").status_code == 403
