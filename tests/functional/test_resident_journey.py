"""A resident answers the survey through a partner's link: the whole journey, page by page."""

from __future__ import annotations

import datetime as dt

from survey_app.models import Channel

from ..helpers import (
    FULL_ANSWERS,
    answer_page,
    complete_survey,
    error_messages,
    stored_responses,
    text_of,
)


def test_journey_through_a_channel_link_stores_one_response_tagged_with_that_channel(client):
    client.get("/s/age-uk?utm_source=poster&utm_medium=print&utm_campaign=winter")
    confirmation = complete_survey(client)

    assert confirmation.status_code == 302
    page = client.get(confirmation.headers["Location"])
    assert "Thank you, your answers have been sent" in text_of(page)
    (response,) = stored_responses(client.application)
    assert response.status == "submitted"
    assert response.channel.slug == "age-uk"
    assert (response.utm_source, response.utm_medium, response.utm_campaign) == (
        "poster",
        "print",
        "winter",
    )
    assert response.reference in text_of(page)
    assert response.submitted_on == dt.date.today()


def test_submitted_response_holds_answers_and_census_categories(client):
    client.get("/s/age-uk")
    complete_survey(client)

    (response,) = stored_responses(client.application)
    assert response.answers["age"] == 34
    assert response.answers["why_not_reported"] == ["too_trivial", "fear_of_reprisal"]
    assert response.answers["anything_else"] == "More lighting on the redways, please."
    assert (response.age_band, response.age_group, response.sex) == ("25-34", "under_40", "female")
    assert (response.ethnic_group, response.sexual_orientation, response.lgb_plus) == (
        "black",
        "bisexual",
        "yes",
    )
    assert (response.disability, response.tenure, response.parent_under_40) == (
        "disabled",
        "social_rented",
        "yes",
    )
    assert response.ward == "woughton_and_fishermead"


def test_response_stores_nothing_that_identifies_the_resident(client):
    client.get(
        "/s/age-uk",
        headers={"User-Agent": "Mozilla/5.0 Unique-Browser-7731"},
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
    )
    complete_survey(client)

    (response,) = stored_responses(client.application)
    stored = repr(
        {column.name: getattr(response, column.name) for column in response.__table__.columns}
    )
    assert "203.0.113.77" not in stored
    assert "Unique-Browser" not in stored
    assert client.get_cookie("session").value not in stored


def test_unknown_channel_link_still_starts_the_survey_and_keeps_the_slug(client):
    start = client.get("/s/no-such-partner", follow_redirects=True)
    assert "Start now" in text_of(start)
    complete_survey(client)

    (response,) = stored_responses(client.application)
    assert response.status == "submitted"
    assert response.channel_id is None
    assert response.unknown_channel_slug == "no-such-partner"


def test_survey_without_a_channel_link_is_stored_untagged(client):
    client.get("/")
    complete_survey(client)

    (response,) = stored_responses(client.application)
    assert response.channel_id is None and response.unknown_channel_slug is None


def test_archived_channel_link_keeps_tagging_responses(app, client):
    from survey_app.extensions import db

    with app.app_context():
        db.session.query(Channel).filter_by(slug="schools").one().archived = True
        db.session.commit()
    client.get("/s/schools")
    complete_survey(client)

    assert stored_responses(client.application)[0].channel.slug == "schools"


def test_routing_skips_follow_up_questions_that_do_not_apply(client):
    answers = {
        **FULL_ANSWERS,
        "victim": {"victim": "no"},
        "health": {"long_term_condition": "no"},
        "ethnic-group": {"ethnic_group": "white"},
        "ethnic-background-white": {"ethnic_background_white": "irish"},
    }
    visited = []
    response = client.get("/start")
    while response.headers.get("Location", "").startswith("/questions/"):
        page_id = response.headers["Location"].removeprefix("/questions/")
        visited.append(page_id)
        assert len(visited) < 40, f"the questionnaire never ended: {visited}"
        client.get(response.headers["Location"])
        response = client.submit(response.headers["Location"], answers.get(page_id, {}))

    assert "reported" not in visited and "why-not-reported" not in visited
    assert "day-to-day" not in visited and "ethnic-background-black" not in visited
    assert "ethnic-background-white" in visited


def test_changing_an_answer_drops_answers_that_no_longer_apply(client):
    complete_survey(client, submit=False)
    answer_page(client, "victim", {"victim": "no"}, query_string={"change": "1"})
    check = client.get("/check-answers")

    assert "Did you report it to the police?" not in text_of(check)
    client.submit("/check-answers")
    (response,) = stored_responses(client.application)
    assert "reported" not in response.answers and "why_not_reported" not in response.answers


def test_change_link_returns_to_check_answers(client):
    complete_survey(client, submit=False)
    changed = answer_page(client, "sex", {"sex": "male"}, query_string={"change": "1"})

    assert changed.headers["Location"] == "/check-answers"
    assert "Male" in text_of(client.get("/check-answers"))


def test_change_that_opens_a_new_question_asks_it_before_check_answers(client):
    answers = {**FULL_ANSWERS, "victim": {"victim": "no"}}
    complete_survey(client, answers, submit=False)
    changed = answer_page(client, "victim", {"victim": "yes"}, query_string={"change": "1"})

    assert changed.headers["Location"] == "/questions/reported"


def test_check_answers_lists_every_answer_with_a_change_link(client):
    check = complete_survey(client, submit=False)
    text = text_of(check)

    assert "How safe do you feel walking alone in your local area after dark? Fairly safe" in text
    assert "Road safety" in text and "Reducing violence" in text
    assert "Change How safe do you feel walking alone in your local area after dark?" in text
    assert "Not answered" in text  # worry items left blank


def test_skipping_every_optional_question_is_allowed(client):
    check = complete_survey(client, {"age": {"age": "45"}})
    assert check.status_code == 302
    (response,) = stored_responses(client.application)
    assert response.answers == {"age": 45}
    assert response.sex is None


def test_resident_cannot_jump_ahead_of_unanswered_pages(client):
    client.get("/start")
    jumped = client.get("/questions/ward")
    assert jumped.headers["Location"] == "/questions/age"


def test_follow_up_page_is_not_reachable_when_it_does_not_apply(client):
    complete_survey(client, {**FULL_ANSWERS, "victim": {"victim": "no"}}, submit=False)
    assert client.get("/questions/reported").status_code == 302


def test_unknown_page_is_not_found(client):
    assert client.get("/questions/no-such-page").status_code == 404


def test_error_summary_links_to_the_field_in_error(client):
    client.get("/start")
    page = answer_page(client, "age", {"age": "thirty"})

    assert page.status_code == 200
    assert error_messages(page) == ["Enter your age as a whole number, like 34"]
    assert 'href="#age"' in page.get_data(as_text=True)
