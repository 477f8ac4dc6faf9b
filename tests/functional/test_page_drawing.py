"""Question pages drawn once, before anyone answers them, never carry one resident's answers or
errors to another."""

from __future__ import annotations

from bs4 import BeautifulSoup

from ..helpers import answer_page, error_messages, input_value
from .staff_factories import ANALYST_EMAIL, make_user, sign_in


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


def _script_nonce(response) -> str:  # type: ignore[no-untyped-def]
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    (script,) = soup.select("script[nonce]")
    return script["nonce"]


def test_a_page_drawn_once_gets_each_residents_own_token_and_script_nonce(app):
    first, second = app.test_client(), app.test_client()
    pages = []
    for client in (first, second):
        client.get("/start")
        answer_page(client, "age", {"age": "41"})
        pages.append(client.get("/questions/feeling-safe"))
    tokens = [client.csrf_token for client in (first, second)]
    assert tokens[0] and tokens[1] and tokens[0] != tokens[1]
    for page in pages:
        nonce = _script_nonce(page)
        assert f"'nonce-{nonce}'" in page.headers["Content-Security-Policy"]
        assert "slot" not in page.get_data(as_text=True)
    assert _script_nonce(pages[0]) != _script_nonce(pages[1])
    # Each resident's own token is the one that works.
    answer = {"safe_after_dark": "very_safe", "safe_during_day": "very_safe"}
    second.csrf_token = tokens[0]
    refused = second.submit("/questions/feeling-safe", answer)
    assert refused.status_code == 200 and error_messages(refused)  # "page expired", not saved
    second.csrf_token = tokens[1]
    assert second.submit("/questions/feeling-safe", answer).status_code == 302


def test_staff_navigation_never_reaches_a_residents_page(app):
    make_user(app, ANALYST_EMAIL, "analyst")
    staff, resident = app.test_client(), app.test_client()
    sign_in(staff, ANALYST_EMAIL)
    for client in (staff, resident):
        client.get("/start")
        answer_page(client, "age", {"age": "41"})
    staff_page = staff.get("/questions/feeling-safe").get_data(as_text=True)
    resident_page = resident.get("/questions/feeling-safe").get_data(as_text=True)
    assert "Sign out" in staff_page
    assert "Sign out" not in resident_page
