"""Junk, huge, wrong-typed and replayed posts to every survey form: never a 5xx, and nothing stored
that breaks the questionnaire's rules."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_app.questionnaire.definition import DEFAULT_DEFINITION, load_definition_file

from ..helpers import FULL_ANSWERS, complete_survey, stored_responses

QUESTIONNAIRE = load_definition_file(DEFAULT_DEFINITION)
FIELD_NAMES = sorted(
    {key for page in QUESTIONNAIRE.pages for key in page.answer_keys}
    | {"age_declined", "csrf_token", "website"}
)
OPTION_VALUES = sorted(
    {o["value"] for page in QUESTIONNAIRE.pages for q in page.questions for o in q.options}
)

junk_text = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e9",
            "NaN",
            "None",
            "null",
            "[]",
            "{}",
            "\x00",
            "٣٤",
            "３４",
            "<script>",
            "' OR 1=1 --",
            "x" * 5000,
        ]
    ),
    st.sampled_from(OPTION_VALUES),
)
form_values = st.one_of(junk_text, st.lists(junk_text, max_size=6))
forms = st.dictionaries(
    st.sampled_from(FIELD_NAMES) | st.text(min_size=1, max_size=20), form_values, max_size=12
)


def check_answers_follow_the_rules(answers: dict[str, Any]) -> None:
    """An independent reading of the questionnaire's rules, applied to what was stored."""
    visible_keys = {
        key for page in QUESTIONNAIRE.visible_pages(answers) for key in page.answer_keys
    }
    assert set(answers) <= visible_keys, set(answers) - visible_keys
    for page in QUESTIONNAIRE.pages:
        for question in page.questions:
            spec = question.spec
            values = [o["value"] for o in question.options]
            if question.type == "single" and question.id in answers:
                assert answers[question.id] in values
            elif question.type == "grid":
                for item in spec["items"]:
                    if item["id"] in answers:
                        assert answers[item["id"]] in values
            elif question.type == "multiple" and question.id in answers:
                chosen = answers[question.id]
                assert chosen and set(chosen) <= set(values)
                assert len(chosen) <= spec.get("max_choices", len(values))
            elif question.type == "number" and question.id in answers:
                value = answers[question.id]
                assert value == "prefer_not_to_say" or (
                    isinstance(value, int) and spec["min"] <= value <= spec["max"]
                )
            elif question.type in ("short_text", "long_text") and question.id in answers:
                assert 0 < len(answers[question.id]) <= spec["max_length"]
            for option in question.options:
                write_in = option.get("write_in")
                if write_in and write_in["id"] in answers:
                    assert len(answers[write_in["id"]]) <= write_in["max_length"]
                    assert answers.get(question.id) == option["value"]


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(
    page_index=st.integers(0, len(QUESTIONNAIRE.pages) - 1), form=forms, with_token=st.booleans()
)
def test_any_post_to_any_question_page_is_answered_without_a_server_error(
    app, client, page_index, form, with_token
):
    complete_survey(client, FULL_ANSWERS, submit=False)
    page = QUESTIONNAIRE.pages[page_index]
    url = f"/questions/{page.id}"
    client.get(url)
    response = client.submit(url, form) if with_token else client.post(url, data=form)

    assert response.status_code < 500
    for stored in stored_responses(app):
        check_answers_follow_the_rules(stored.answers)


@SETTINGS
@given(form=forms)
def test_junk_posts_to_submit_and_start_again_never_fail(app, client, form):
    complete_survey(client, {"age": {"age": "50"}}, submit=False)
    for url in ("/check-answers", "/start-again", "/s/age-uk", "/questions/age"):
        response = client.post(url, data=form)
        assert response.status_code < 500, url
    for stored in stored_responses(app):
        check_answers_follow_the_rules(stored.answers)


def test_replayed_csrf_token_from_another_browser_is_refused(app, client):
    client.get("/start")
    client.get("/questions/age")
    stolen = client.csrf_token
    other = app.test_client()
    other.get("/start")
    replay = other.post("/questions/age", data={"age": "44", "csrf_token": stolen})

    assert replay.status_code == 200
    assert "not saved" in replay.get_data(as_text=True)
    assert stored_responses(app) == []
