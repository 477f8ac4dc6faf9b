"""The questionnaire's router on its own: which page may be shown, what follows a save, where
Back leads, the age rule and the summary rows. No Flask, no database."""

from __future__ import annotations

import pytest

from survey_app.questionnaire.definition import DEFAULT_DEFINITION, load_definition_file
from survey_app.questionnaire.journey import CHECK_ANSWERS, START, Journey

QUESTIONNAIRE = load_definition_file(DEFAULT_DEFINITION)
PAGE_IDS = [page.id for page in QUESTIONNAIRE.pages]


def page(page_id: str):  # type: ignore[no-untyped-def]
    found = QUESTIONNAIRE.page(page_id)
    assert found is not None, page_id
    return found


def up_to(page_id: str, **answers: object) -> Journey:
    """A respondent who has answered every page before `page_id` (the victim said no)."""
    base = {"age": 34, "victim": "no", "ethnic_group": "white", "long_term_condition": "no"}
    given = {**base, **answers}
    earlier = PAGE_IDS[: PAGE_IDS.index(page_id)]
    shown = {p.id for p in QUESTIONNAIRE.visible_pages(given)}
    return Journey(QUESTIONNAIRE, given, [p for p in earlier if p in shown])


def test_a_new_respondent_is_shown_the_first_page_and_sent_back_from_any_later_one():
    journey = Journey(QUESTIONNAIRE)
    assert journey.access("age", posting=False).page == page("age")
    later = journey.access("priorities", posting=False)
    assert later.page is None and later.redirect == page("age")


def test_a_posted_page_is_saved_wherever_the_answers_lead_even_unvisited():
    # A resident whose session was lost still has the page they were on saved.
    assert Journey(QUESTIONNAIRE).access("priorities", posting=True).page == page("priorities")


def test_a_page_the_answers_do_not_lead_to_sends_the_respondent_on():
    journey = up_to("priorities")  # the victim said no: "reported" is not for them
    access = journey.access("reported", posting=True)
    assert access.page is None and access.redirect == page("priorities")


def test_once_every_page_is_answered_a_hidden_page_leads_to_check_answers():
    journey = up_to("ward")
    journey.pages_done.append("ward")
    assert journey.access("reported", posting=False).redirect == CHECK_ANSWERS


def test_an_unknown_page_is_not_found():
    assert Journey(QUESTIONNAIRE).access("no-such-page", posting=False).not_found


def test_after_a_save_comes_the_next_page_including_one_the_answer_opened():
    journey = up_to("victim")
    done = [*journey.pages_done, "victim"]
    assert journey.after_save("victim", {**journey.answers, "victim": "no"}, done) == page(
        "priorities"
    )
    assert journey.after_save("victim", {**journey.answers, "victim": "yes"}, done) == page(
        "reported"
    )


def test_a_change_that_opens_no_new_page_goes_on_to_the_first_unanswered_one():
    journey = up_to("housing")
    # Going back to change an early answer: the next page was answered already.
    after = journey.after_save("feeling-safe", journey.answers, journey.pages_done)
    assert after == page("housing")


def test_a_change_from_check_answers_returns_there_or_to_a_newly_opened_page():
    journey = up_to("ward")
    journey.pages_done.append("ward")
    unchanged = journey.after_save(
        "victim", journey.answers, journey.pages_done, from_check_answers=True
    )
    assert unchanged == CHECK_ANSWERS
    opened = journey.after_save(
        "victim", {**journey.answers, "victim": "yes"}, journey.pages_done, from_check_answers=True
    )
    assert opened == page("reported")


def test_the_last_page_leads_to_check_answers():
    journey = up_to("ward")
    assert journey.after_save("ward", journey.answers, [*journey.pages_done, "ward"]) == (
        CHECK_ANSWERS
    )


def test_back_leads_to_the_previous_page_shown_the_start_or_check_answers():
    journey = up_to("priorities")
    assert journey.back_from(page("age")) == START
    assert journey.back_from(page("priorities")) == page("victim")  # "reported" was not shown
    assert journey.back_from(page("priorities"), from_check_answers=True) == CHECK_ANSWERS


@pytest.mark.parametrize(("age", "under"), [(15, True), (16, False), (99, False), (None, False)])
def test_an_age_under_the_minimum_ends_the_journey(age, under):
    answers = {} if age is None else {"age": age}
    assert Journey(QUESTIONNAIRE).is_under_age(answers) is under


def test_the_summary_lists_only_the_pages_the_answers_lead_to():
    journey = up_to("ward", victim="no", reported="some")
    pages = {row.page.id for row in journey.summary()}
    assert "victim" in pages and "reported" not in pages
    age_row = next(row for row in journey.summary() if row.page.id == "age")
    assert age_row.value == "34 years"
