"""The survey in each shipped language in a real browser: the whole journey with axe, Urdu right
to left on a phone, and the character count speaking the page's language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from survey_app.languages import TRANSLATIONS_DIR, read_catalog

from ..helpers import FULL_ANSWERS, stored_responses
from .conftest import assert_accessible
from .page_rules import problems_on
from .test_resident_browser import PHONE, answer_everything, current_page_id, fill_page

CONTINUE = "Continue"


def _translated(code: str, english: str) -> str:
    message = read_catalog(TRANSLATIONS_DIR / code / "LC_MESSAGES" / "messages.po").get(english)
    assert message is not None and message.string, english
    return str(message.string)


def _press(page: Page, code: str, english: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=_translated(code, english)).click()


def answer_everything_in(page: Page, code: str, axe, screenshots) -> list[str]:
    """Every question page, checked to be in `code` and to fit, Continue pressed in `code`."""

    def press(page: Page) -> None:
        assert page.locator("html").get_attribute("lang") == code
        assert problems_on(page) == [], page.url
        _press(page, code, CONTINUE)

    return answer_everything(page, axe, screenshots, prefix=f"{code}-", press=press)


@pytest.mark.parametrize("code", ["pl", "ro", "ur"])
def test_the_whole_survey_in_each_language_passes_axe(
    live_app, live_server, page, axe, screenshots, code: str
) -> None:
    if code == "ur":
        # Right to left on the narrowest phone: every page must still fit and pass.
        page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/s/facebook?lang={code}")
    expect(page.locator("html")).to_have_attribute("lang", code)
    assert_accessible(axe, page)
    page.screenshot(path=str(screenshots / f"{code}-start.png"), full_page=True)
    page.get_by_role("button", name=_translated(code, "Start now")).click()

    visited = answer_everything_in(page, code, axe, screenshots)

    assert "reported" in visited
    expect(page.locator("h1")).to_have_text(
        _translated(code, "Check your answers before submitting")
    )
    assert problems_on(page) == []
    assert_accessible(axe, page)
    page.screenshot(path=str(screenshots / f"{code}-check-answers.png"), full_page=True)
    _press(page, code, "Submit your answers")
    expect(page.locator(".govuk-panel__title")).to_have_text(
        _translated(code, "Thank you, your answers have been sent")
    )
    assert problems_on(page) == []
    assert_accessible(axe, page)
    page.screenshot(path=str(screenshots / f"{code}-confirmation.png"), full_page=True)
    (response,) = stored_responses(live_app)
    assert (response.status, response.language) == ("submitted", code)


def test_urdu_reads_right_to_left_and_fits_a_phone(
    browser: Browser, live_app, live_server, axe, screenshots
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/s/age-uk?lang=ur")

    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # The start button's arrow and the text are mirrored: the button sits at the right.
    button = page.get_by_role("button", name=_translated("ur", "Start now")).bounding_box()
    assert button is not None and button["x"] + button["width"] > PHONE["width"] - 40
    assert problems_on(page) == []
    assert_accessible(axe, page)
    page.screenshot(path=str(screenshots / "ur-phone-start.png"), full_page=True)
    page.get_by_role("button", name=_translated("ur", "Start now")).click()
    # A question page with radios: each radio to the right of its label.
    fill_page(page, {"age": "34"})
    _press(page, "ur", CONTINUE)
    radio = page.locator(".govuk-radios__input").first.bounding_box()
    label = page.locator(".govuk-radios__label").first.bounding_box()
    assert radio is not None and label is not None
    assert radio["x"] > label["x"]
    assert problems_on(page) == []
    assert_accessible(axe, page)
    page.screenshot(path=str(screenshots / "ur-phone-question.png"), full_page=True)
    # An error in Urdu, summary and message, passes axe too.
    page.goto(f"{live_server}/questions/age")
    fill_page(page, {"age": "abc"})
    _press(page, "ur", CONTINUE)
    expect(page.locator(".govuk-error-summary__title")).to_have_text(
        _translated("ur", "There is a problem")
    )
    assert problems_on(page) == []
    assert_accessible(axe, page)
    page.screenshot(path=str(screenshots / "ur-phone-error.png"), full_page=True)
    context.close()


def test_the_character_count_speaks_the_pages_language(live_app, live_server, page) -> None:
    page.goto(f"{live_server}/s/facebook?lang=pl")
    page.get_by_role("button", name=_translated("pl", "Start now")).click()
    while current_page_id(page) != "anything-else":
        fill_page(page, FULL_ANSWERS.get(current_page_id(page) or "", {}))
        _press(page, "pl", CONTINUE)
    page.locator("textarea").fill("abc")

    # 1,997 left: Polish takes its "many" form for it (msgstr[2] of the plural entry), and
    # writes the number its own way.
    remaining = read_catalog(TRANSLATIONS_DIR / "pl" / "LC_MESSAGES" / "messages.po").get(
        "You have %(num)s character remaining"
    )
    before, after = (re.escape(part) for part in str(remaining.string[2]).split("%(num)s"))
    status = page.locator(".govuk-character-count__status")
    expect(status).to_have_text(re.compile(rf"^{before}1\D?997{after}$"))
