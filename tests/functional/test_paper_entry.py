"""Paper questionnaires: typed in through the resident's pages, marked as paper and by whom."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup

from ..helpers import (
    FULL_ANSWERS,
    error_messages,
    open_a_new_version,
    stored_responses,
    text_of,
)
from .staff_factories import ANALYST_EMAIL, channel_id, make_staff, sign_in, user_id


def _start(app, client, slug: str = "age-uk"):  # type: ignore[no-untyped-def]
    make_staff(app)
    sign_in(client, ANALYST_EMAIL)
    client.get("/admin/paper")
    return client.submit("/admin/paper", {"channel_id": str(channel_id(app, slug))})


def _type_in(client, response, answers: dict[str, dict[str, Any]]):  # type: ignore[no-untyped-def]
    for _ in range(60):
        location = response.headers.get("Location", "")
        if not location.startswith("/admin/paper/questions/"):
            return response
        page_id = location.rsplit("/", 1)[1]
        client.get(location)
        response = client.submit(location, answers.get(page_id, {}))
        assert response.status_code == 302, error_messages(response)
    raise AssertionError("the paper questionnaire never ended")


def test_paper_questionnaire_is_saved_as_paper_by_the_analyst_for_the_channel(app, client):
    response = _type_in(client, _start(app, client), FULL_ANSWERS)
    assert response.headers["Location"] == "/admin/paper/check"
    assert "Check the paper questionnaire's answers" in text_of(client.get("/admin/paper/check"))
    response = client.submit("/admin/paper/check")
    assert response.headers["Location"] == "/admin/paper"
    assert "Paper questionnaire saved. Reference" in text_of(client.get("/admin/paper"))

    (saved,) = stored_responses(app)
    assert saved.status == "submitted" and saved.source == "paper"
    assert saved.entered_by_user_id == user_id(app, ANALYST_EMAIL)
    assert saved.channel.slug == "age-uk"
    assert saved.answers["anything_else"] == "More lighting on the redways, please."
    assert saved.ethnic_group == "black"


def test_paper_entry_uses_the_same_validation_as_the_online_survey(app, client):
    response = _start(app, client)
    location = response.headers["Location"]
    client.get(location)
    paper = client.submit(location, {"age": "thirty"})
    resident = app.test_client()
    resident.get("/start")
    resident.get("/questions/age")
    online = resident.submit("/questions/age", {"age": "thirty"})
    assert paper.status_code == online.status_code == 200
    assert error_messages(paper) == error_messages(online) != []


def test_paper_form_from_someone_under_16_is_not_kept(app, client):
    response = _start(app, client)
    location = response.headers["Location"]
    client.get(location)
    response = client.submit(location, {"age": "14"})
    assert "This questionnaire cannot be entered" in text_of(response)
    assert stored_responses(app) == []


def test_analysts_own_resident_session_is_kept_apart_from_paper_entry(app, client):
    client.get("/s/mk-college")
    client.get("/start")
    client.get("/questions/age")
    client.submit("/questions/age", {"age": "40"})
    _type_in(client, _start(app, client), FULL_ANSWERS)
    client.submit("/admin/paper/check")
    online, paper = stored_responses(app)
    assert (online.source, online.status, online.channel.slug) == (
        "online",
        "in_progress",
        "mk-college",
    )
    assert (paper.source, paper.channel.slug) == ("paper", "age-uk")


def test_discarding_a_paper_entry_asks_first_then_removes_its_answers(app, client):
    _type_in(client, _start(app, client), FULL_ANSWERS)

    check = client.get("/admin/paper/check")
    soup = BeautifulSoup(check.get_data(as_text=True), "html.parser")
    assert not soup.select("form[action$='/discard']"), "one click must not discard"
    assert soup.find("a", string="discard these answers")["href"] == "/admin/paper/discard"

    confirm = client.get("/admin/paper/discard")
    assert "Are you sure you want to discard this paper questionnaire?" in text_of(confirm)
    assert "Age UK" in text_of(confirm)
    assert len(stored_responses(app)) == 1

    done = client.submit("/admin/paper/discard")
    assert done.headers["Location"] == "/admin/paper"
    assert stored_responses(app) == []


def test_a_new_survey_version_mid_entry_asks_for_the_form_to_be_typed_in_again(app, client):
    response = _start(app, client)
    location = response.headers["Location"]
    client.get(location)
    client.submit(location, {"age": "50"})
    open_a_new_version(app)

    client.get("/admin/paper/questions/age")
    response = client.submit("/admin/paper/questions/age", {"age": "50"})

    assert response.status_code == 302 and response.headers["Location"] == "/admin/paper"
    assert "Please start typing it in again" in text_of(client.get("/admin/paper"))
    assert stored_responses(app) == []
