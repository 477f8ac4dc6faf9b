"""Question pages drawn once, before anyone answers them, never carry one resident's answers or
errors to another."""

from __future__ import annotations

from bs4 import BeautifulSoup

from ..helpers import answer_page, error_messages, input_value


def _checked(response) -> list[str]:  # type: ignore[no-untyped-def]
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [i["value"] for i in soup.select("input[checked]")]


def test_one_residents_answers_and_errors_never_reach_another_residents_page(app):
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        client.get("/start")
        answer_page(client, "age", {"age": "41"})

    fresh = second.get("/questions/feeling-safe")
    assert _checked(fresh) == []

    # The first resident answers, comes back to change the answer, then makes an error.
    answer_page(
        first, "feeling-safe", {"safe_after_dark": "very_safe", "safe_during_day": "very_safe"}
    )
    back = first.get("/questions/feeling-safe")
    assert input_value(back, "safe_after_dark") == "very_safe"
    wrong = first.submit("/questions/feeling-safe", {"safe_after_dark": "not-an-option"})
    assert error_messages(wrong)

    # The second resident's page is as the first saw it before answering, and the same again.
    again = second.get("/questions/feeling-safe")
    assert _checked(again) == [] and not error_messages(again)
    assert again.get_data(as_text=True).count("govuk-radios__input") == fresh.get_data(
        as_text=True
    ).count("govuk-radios__input")
