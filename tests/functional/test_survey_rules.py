"""The survey's rules as residents meet them: closed surveys, under-16s, and every bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Survey

from ..helpers import (
    answer_page,
    complete_survey,
    error_messages,
    input_value,
    open_a_new_version,
    stored_responses,
    text_of,
)


def close_survey(app):
    with app.app_context():
        for survey in db.session.scalars(select(Survey)):
            survey.status = "closed"
        db.session.commit()


def test_closed_survey_shows_a_closed_page_and_stores_nothing(app, client):
    close_survey(app)
    for path in ("/", "/s/age-uk", "/start", "/questions/age", "/check-answers"):
        page = client.get(path, follow_redirects=True)
        assert "This survey has closed" in text_of(page), path
    posted = client.post("/questions/age", data={"age": "40"})
    assert "This survey has closed" in text_of(posted)
    assert stored_responses(app) == []


def test_survey_closing_mid_way_refuses_the_submit_and_stores_no_submission(app, client):
    complete_survey(client, submit=False)
    close_survey(app)
    refused = client.submit("/check-answers")

    assert "This survey has closed" in text_of(refused)
    assert [r.status for r in stored_responses(app)] == ["in_progress"]


def test_under_16_is_thanked_and_nothing_is_stored(app, client):
    client.get("/s/schools")
    client.get("/start")
    page = answer_page(client, "age", {"age": "14"})

    assert page.headers["Location"] == "/too-young"
    assert "aged 16 and over" in text_of(client.get("/too-young"))
    assert stored_responses(app) == []


def test_changing_age_to_under_16_later_deletes_the_unfinished_answers(app, client):
    complete_survey(client, submit=False)
    answer_page(client, "age", {"age": "15"}, query_string={"change": "1"})

    assert stored_responses(app) == []


def test_prefer_not_to_say_age_is_accepted(app, client):
    client.get("/start")
    answer_page(client, "age", {"age_declined": "y"})
    (response,) = stored_responses(app)
    assert response.answers["age"] == "prefer_not_to_say"
    assert response.age_band == "prefer_not_to_say"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter your age, or select prefer not to say"),
        ({"age": "thirty"}, "Enter your age as a whole number, like 34"),
        ({"age": "34.5"}, "Enter your age as a whole number, like 34"),
        ({"age": "-3"}, "Enter an age of 0 or more"),
        ({"age": "121"}, "Enter an age of 120 or less"),
        ({"age": "99999999999999999999"}, "Enter an age of 120 or less"),
        (
            {"age": "40", "age_declined": "y"},
            "Enter your age or select prefer not to say, not both",
        ),
    ],
)
def test_bad_age_gets_a_clear_message_and_keeps_what_was_typed(client, data, message):
    client.get("/start")
    page = answer_page(client, "age", data)

    assert page.status_code == 200
    assert error_messages(page) == [message]
    assert page.get_data(as_text=True).count("govuk-error-message") == 1
    if "age" in data:
        assert input_value(page, "age") == data["age"]


def test_age_with_spaces_is_understood(app, client):
    client.get("/start")
    assert answer_page(client, "age", {"age": " 67 "}).status_code == 302
    assert stored_responses(app)[0].answers["age"] == 67


@pytest.mark.parametrize(
    ("page_id", "data", "message"),
    [
        ("feeling-safe", {"safe_after_dark": "invented"}, "Select one of the options shown"),
        ("worry", {"worry_fraud": "terrified"}, "Select one of the options shown"),
        (
            "priorities",
            {"priorities": ["road_safety", "world_peace"]},
            "Select only options from the list shown",
        ),
        (
            "priorities",
            {
                "priorities": [
                    "road_safety",
                    "reducing_violence",
                    "reducing_reoffending",
                    "gangs_and_organised_crime",
                ]
            },
            "Select up to 3 priorities",
        ),
        (
            "anything-else",
            {"anything_else": "x" * 2001},
            "Your answer must be 2,000 characters or fewer",
        ),
        (
            "sexual-orientation",
            {"sexual_orientation": "other", "sexual_orientation_other": "y" * 101},
            "Your description must be 100 characters or fewer",
        ),
    ],
)
def test_bad_answers_get_a_clear_message(app, client, page_id, data, message):
    complete_survey(client, {"age": {"age": "30"}}, submit=False)
    page = answer_page(client, page_id, data, query_string={"change": "1"})

    assert page.status_code == 200
    assert error_messages(page) == [message]
    assert all(r.status == "in_progress" for r in stored_responses(app))


def test_write_in_is_kept_only_with_its_option(app, client):
    complete_survey(client, {"age": {"age": "30"}}, submit=False)
    answer_page(
        client,
        "sexual-orientation",
        {"sexual_orientation": "straight", "sexual_orientation_other": "ignored"},
        query_string={"change": "1"},
    )
    assert "sexual_orientation_other" not in stored_responses(app)[0].answers

    answer_page(
        client,
        "sexual-orientation",
        {"sexual_orientation": "other", "sexual_orientation_other": "Pansexual"},
        query_string={"change": "1"},
    )
    answers = stored_responses(app)[0].answers
    assert answers["sexual_orientation_other"] == "Pansexual"
    assert "Other sexual orientation: Pansexual" in text_of(client.get("/check-answers"))


def test_free_text_is_shown_back_as_text_never_as_markup(client):
    complete_survey(
        client,
        {"age": {"age": "30"}, "anything-else": {"anything_else": "<script>alert(1)</script>"}},
        submit=False,
    )
    check = client.get("/check-answers").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in check
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in check


def test_oversized_post_is_refused_politely(client):
    client.get("/start")
    page = client.post("/questions/age", data={"age": "1" * 200_000})
    assert page.status_code == 413
    assert "too long" in text_of(page)


def test_channel_link_with_odd_characters_is_cleaned_not_refused(app, client):
    start = client.get("/s/Age%20UK%3Cscript%3E?utm_source=" + "x" * 500, follow_redirects=True)
    assert start.status_code == 200
    complete_survey(client)
    (response,) = stored_responses(app)
    assert response.channel_id is None
    assert response.unknown_channel_slug == "ageukscript"
    assert len(response.utm_source) == 100


def test_control_characters_are_dropped_from_typed_answers(app, client):
    complete_survey(client, {"age": {"age": "30"}}, submit=False)
    page = answer_page(
        client,
        "anything-else",
        {"anything_else": "Too\x08 dark\x80 at night\ufffe"},
        query_string={"change": "1"},
    )
    assert page.status_code == 302
    assert stored_responses(app)[0].answers["anything_else"] == "Too dark at night"


def test_a_new_version_opened_mid_way_starts_the_resident_afresh_without_an_error(app, client):
    complete_survey(client, submit=False)  # answered the old version, not submitted
    open_a_new_version(app)

    answered = answer_page(client, "age", {"age": "45"})  # the next page, straight away
    complete_survey(client)

    assert answered.status_code == 302
    with app.app_context():
        versions = {s.id: s.version for s in db.session.scalars(select(Survey))}
    kept = sorted((versions[r.survey_id], r.status) for r in stored_responses(app))
    assert kept == [(1, "in_progress"), (2, "submitted")]


def test_a_page_posted_after_the_resident_submitted_an_older_version_is_saved(app, client):
    complete_survey(client)  # submitted the old version
    open_a_new_version(app)

    answered = answer_page(client, "age", {"age": "45"})

    assert answered.status_code == 302
    with app.app_context():
        versions = {s.id: s.version for s in db.session.scalars(select(Survey))}
    kept = sorted((versions[r.survey_id], r.status) for r in stored_responses(app))
    assert kept == [(1, "submitted"), (2, "in_progress")]
