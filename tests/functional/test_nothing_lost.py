"""A resident's answers survive validation errors, double submits, lost sessions and outages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from survey_app import responses as responses_module
from survey_app.extensions import db
from survey_app.models import Response

from ..helpers import (
    FULL_ANSWERS,
    answer_page,
    complete_survey,
    error_messages,
    input_value,
    stored_responses,
    text_of,
)


@contextmanager
def database_refusing_every_statement(app: Flask) -> Iterator[None]:
    """As when the database server goes away: every statement fails as the driver's would."""

    def refuse(*_args: object) -> None:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


def test_validation_error_reshows_everything_entered_on_the_page(client):
    complete_survey(client, {"age": {"age": "30"}}, submit=False)
    page = answer_page(
        client,
        "priorities",
        {
            "priorities": [
                "reducing_violence",
                "road_safety",
                "anti_social_behaviour",
                "reducing_reoffending",
            ]
        },
        query_string={"change": "1"},
    )

    assert error_messages(page) == ["Select up to 3 priorities"]
    assert input_value(page, "priorities") == [
        "reducing_violence",
        "anti_social_behaviour",
        "road_safety",
        "reducing_reoffending",
    ]


def test_long_text_over_the_limit_is_refused_and_kept_on_screen(client):
    complete_survey(client, {"age": {"age": "30"}}, submit=False)
    too_long = "Street lights. " * 140  # 2,100 characters
    page = answer_page(
        client, "anything-else", {"anything_else": too_long}, query_string={"change": "1"}
    )

    assert error_messages(page) == ["Your answer must be 2,000 characters or fewer"]
    assert input_value(page, "anything_else") == too_long


def test_answers_are_saved_after_each_page_and_resumed_at_the_first_unanswered(client):
    client.get("/s/facebook")
    answer_page(client, "age", {"age": "52"})
    answer_page(client, "feeling-safe", {"safe_after_dark": "very_unsafe"})

    (response,) = stored_responses(client.application)
    assert response.status == "in_progress"
    assert response.answers == {"age": 52, "safe_after_dark": "very_unsafe"}
    start = client.get("/")
    assert "Continue where you left off" in text_of(start)
    assert client.get("/start").headers["Location"] == "/questions/crime-trend"
    back = client.get("/questions/feeling-safe")
    assert input_value(back, "safe_after_dark") == "very_unsafe"


def test_unfinished_answers_older_than_the_resume_period_are_not_resumed(app, client):
    client.get("/start")
    answer_page(client, "age", {"age": "52"})
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        response.last_saved_on = dt.date.today() - dt.timedelta(days=8)
        db.session.commit()

    assert client.get("/start").headers["Location"] == "/questions/age"
    assert "Continue where you left off" not in text_of(client.get("/"))


def test_start_again_clears_the_unfinished_answers(client):
    client.get("/start")
    answer_page(client, "age", {"age": "52"})
    client.get("/")
    client.submit("/start-again")

    assert stored_responses(client.application) == []
    assert client.get("/start").headers["Location"] == "/questions/age"


def test_double_submit_stores_exactly_one_response(client):
    complete_survey(client)
    client.get("/check-answers")
    replay = client.submit("/check-answers")

    assert replay.headers["Location"] == "/confirmation"
    assert [r.status for r in stored_responses(client.application)] == ["submitted"]


def test_replayed_final_post_after_confirmation_changes_nothing(client):
    complete_survey(client)
    (before,) = stored_responses(client.application)
    for _ in range(3):
        client.submit("/check-answers")
    (after,) = stored_responses(client.application)

    assert after.reference == before.reference and after.submitted_on == before.submitted_on


def test_back_button_resubmit_of_a_page_after_submission_stores_nothing_new(client):
    complete_survey(client)
    again = client.submit("/questions/ward", {"ward": "olney"})

    assert again.headers["Location"] == "/confirmation"
    (response,) = stored_responses(client.application)
    assert response.answers["ward"] == "woughton_and_fishermead"


def test_expired_page_keeps_the_answers_and_accepts_them_on_the_next_continue(app, client):
    client.get("/start")
    answer_page(client, "age", {"age": "41"})
    client.get("/questions/feeling-safe")
    expired = client.post(
        "/questions/feeling-safe", data={"safe_after_dark": "a_bit_unsafe", "csrf_token": "stale"}
    )

    assert "not saved" in error_messages(expired)[0]
    assert input_value(expired, "safe_after_dark") == "a_bit_unsafe"
    saved = client.submit("/questions/feeling-safe", {"safe_after_dark": "a_bit_unsafe"})
    assert saved.status_code == 302
    assert stored_responses(client.application)[0].answers["safe_after_dark"] == "a_bit_unsafe"


def test_an_expired_check_answers_page_submits_nothing_and_lets_the_resident_submit_again(
    client,
):
    complete_survey(client, submit=False)
    expired = client.post("/check-answers", data={"csrf_token": "stale"})

    assert expired.status_code == 200
    assert error_messages(expired) == [
        "This page had been open for too long, so your answers were not sent. "
        "Select Submit your answers again"
    ]
    assert stored_responses(client.application)[0].status == "in_progress"
    assert client.submit("/check-answers").headers["Location"].endswith("/confirmation")
    assert stored_responses(client.application)[0].status == "submitted"


def test_lost_session_keeps_the_page_being_answered(app, client):
    client.get("/start")
    answer_page(client, "age", {"age": "41"})
    client.get("/questions/feeling-safe")
    client.delete_cookie("session")
    lost = client.post("/questions/feeling-safe", data={"safe_after_dark": "very_safe"})

    assert input_value(lost, "safe_after_dark") == "very_safe"
    saved = client.submit("/questions/feeling-safe", {"safe_after_dark": "very_safe"})
    assert saved.status_code == 302
    assert any(
        r.answers.get("safe_after_dark") == "very_safe"
        for r in stored_responses(client.application)
    )


def test_database_error_while_saving_shows_try_again_and_keeps_the_answers(client, monkeypatch):
    client.get("/start")
    client.get("/questions/age")

    def fail(**_kwargs):
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(responses_module, "save_page", fail)
    failed = client.submit("/questions/age", {"age": "63"})

    assert failed.status_code == 503
    assert "could not save your answers" in text_of(failed)
    assert input_value(failed, "age") == "63"
    monkeypatch.undo()
    assert client.submit("/questions/age", {"age": "63"}).status_code == 302
    assert stored_responses(client.application)[0].answers == {"age": 63}


def test_database_error_while_submitting_keeps_the_answers_for_a_retry(client, monkeypatch):
    complete_survey(client, submit=False)

    def fail(_response, _signs=None):
        raise OperationalError("UPDATE", {}, Exception("could not connect"))

    monkeypatch.setattr(responses_module, "submit", fail)
    failed = client.submit("/check-answers")
    assert failed.status_code == 503
    assert "Try submitting again" in text_of(failed)
    assert stored_responses(client.application)[0].status == "in_progress"

    monkeypatch.undo()
    assert client.submit("/check-answers").headers["Location"] == "/confirmation"
    assert stored_responses(client.application)[0].status == "submitted"


def test_database_down_on_a_page_view_shows_a_friendly_page(client):
    with database_refusing_every_statement(client.application):
        page = client.get("/")
    assert page.status_code == 503
    assert "Sorry, there is a problem with the service" in text_of(page)
    assert "Traceback" not in page.get_data(as_text=True)


def test_submitting_before_answering_every_page_goes_back_to_the_first_unanswered(client):
    client.get("/start")
    answer_page(client, "age", FULL_ANSWERS["age"])
    client.get("/")
    early = client.submit("/check-answers")
    assert early.headers["Location"] == "/questions/feeling-safe"
    assert stored_responses(client.application)[0].status == "in_progress"


def test_page_posted_while_the_database_is_unreachable_keeps_what_was_typed(client):
    client.get("/start")
    client.get("/questions/age")

    with database_refusing_every_statement(client.application):
        failed = client.submit("/questions/age", {"age": "71"})

    assert failed.status_code == 503
    assert "could not save your answers" in text_of(failed)
    assert input_value(failed, "age") == "71"


def test_submit_while_the_database_is_unreachable_offers_a_retry(client):
    complete_survey(client, submit=False)

    with database_refusing_every_statement(client.application):
        failed = client.submit("/check-answers")
    assert failed.status_code == 503
    assert "Try submitting again" in text_of(failed)


def test_a_database_error_that_is_no_outage_is_shown_as_the_bug_it_is(client, monkeypatch, caplog):
    """Only a lost connection earns "try again"; a wrong statement must not pass for one."""
    client.get("/start")
    client.get("/questions/age")

    def wrong(**_kwargs):
        raise ProgrammingError("INSERT", {}, Exception("no such column: answerz"))

    monkeypatch.setattr(responses_module, "save_page", wrong)
    failed = client.submit("/questions/age", {"age": "63"})
    assert failed.status_code == 500
    assert "Sorry, there is a problem with the service" in text_of(failed)
    assert "unhandled error" in caplog.text
