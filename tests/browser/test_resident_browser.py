"""The resident journey in a real browser: JavaScript on and off, keyboard, phone, accessibility."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ..helpers import FULL_ANSWERS, stored_responses
from .conftest import assert_accessible

PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1024, "height": 800}
# More pages than any route through the questionnaire has: a walk that goes on longer is stuck.
MOST_PAGES = 40


def fill_page(page: Page, answers: dict) -> None:
    for name, value in answers.items():
        if isinstance(value, list):
            for item in value:
                page.check(f"input[name='{name}'][value='{item}']")
        elif page.locator(f"input[type='radio'][name='{name}']").count():
            page.check(f"input[name='{name}'][value='{value}']")
        else:
            page.fill(f"[name='{name}']", value)


def press_continue(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()


def current_page_id(page: Page) -> str | None:
    path = page.url.split("://", 1)[1].split("/", 1)[1]
    return path.removeprefix("questions/").split("?")[0] if path.startswith("questions/") else None


def answer_everything(
    page: Page,
    axe=None,
    screenshots: Path | None = None,
    prefix: str = "",
    press: Callable[[Page], None] = press_continue,
) -> list[str]:
    visited = []
    while (page_id := current_page_id(page)) is not None:
        visited.append(page_id)
        assert len(visited) < MOST_PAGES, f"the questionnaire never ended: {visited}"
        if axe is not None:
            assert_accessible(axe, page)
        if screenshots is not None:
            page.screenshot(path=str(screenshots / f"{prefix}{page_id}.png"), full_page=True)
        fill_page(page, FULL_ANSWERS.get(page_id, {}))
        press(page)
    return visited


def test_whole_survey_through_a_channel_link_with_javascript(
    live_app, live_server, page, axe, screenshots
):
    page.goto(f"{live_server}/s/age-uk")
    assert_accessible(axe, page)
    page.screenshot(path=str(screenshots / "desktop-start.png"), full_page=True)
    page.get_by_role("button", name="Start now").click()
    visited = answer_everything(page, axe, screenshots, prefix="desktop-")

    assert "reported" in visited and "ethnic-background-black" in visited
    expect(page.locator("h1")).to_have_text("Check your answers before submitting")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Submit your answers").click()
    expect(page.locator(".govuk-panel__title")).to_contain_text("Thank you")
    assert_accessible(axe, page)
    page.screenshot(path=str(screenshots / "desktop-confirmation.png"), full_page=True)
    (response,) = stored_responses(live_app)
    assert response.status == "submitted" and response.channel.slug == "age-uk"


def test_whole_survey_with_javascript_off(browser: Browser, live_app, live_server):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server}/s/mk-college")
    page.get_by_role("button", name="Start now").click()
    answer_everything(page)
    page.get_by_role("button", name="Submit your answers").click()
    expect(page.locator(".govuk-panel__title")).to_contain_text("Thank you")
    context.close()
    assert stored_responses(live_app)[0].channel.slug == "mk-college"


def test_phone_width_pages_fit_without_sideways_scrolling(
    browser: Browser, live_server, axe, screenshots
):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/s/facebook")
    page.screenshot(path=str(screenshots / "phone-start.png"), full_page=True)
    page.get_by_role("button", name="Start now").click()
    visited = []
    while (page_id := current_page_id(page)) is not None:
        visited.append(page_id)
        assert len(visited) < MOST_PAGES, f"the questionnaire never ended: {visited}"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{page.url} is {width}px wide"
        page.screenshot(path=str(screenshots / f"phone-{page_id}.png"), full_page=True)
        fill_page(page, FULL_ANSWERS.get(page_id, {}))
        press_continue(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screenshots / "phone-check-answers.png"), full_page=True)
    context.close()


def test_error_summary_takes_focus_and_links_to_the_field(live_server, page, axe, screenshots):
    page.goto(f"{live_server}/start")
    page.fill("#age", "thirty")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_title("Error: What is your age? - SaferMK residents' survey")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(axe, page)
    page.screenshot(path=str(screenshots / "desktop-age-error.png"), full_page=True)
    page.get_by_role("link", name="Enter your age as a whole number, like 34").click()
    expect(page.locator("#age")).to_be_focused()
    expect(page.locator("#age")).to_have_value("thirty")
    page.fill("#age", "30")
    page.get_by_role("button", name="Continue").click()
    assert current_page_id(page) == "feeling-safe"


def test_too_many_priorities_error_is_accessible(live_server, page, axe):
    page.goto(f"{live_server}/start")
    page.fill("#age", "30")
    page.get_by_role("button", name="Continue").click()
    passed = []
    while (page_id := current_page_id(page)) != "priorities":
        passed.append(page_id)
        assert page_id is not None and len(passed) < MOST_PAGES, (
            f"never reached the priorities page: at {page.url} after {passed}"
        )
        press_continue(page)
    for value in (
        "reducing_violence",
        "road_safety",
        "reducing_reoffending",
        "anti_social_behaviour",
    ):
        page.check(f"input[value='{value}']")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select up to 3 priorities")
    assert_accessible(axe, page)


def test_changing_an_answer_from_the_check_page(live_server, page):
    page.goto(f"{live_server}/start")
    answer_everything(page)
    page.get_by_role("link", name="Change What is your sex?").click()
    page.check("input[name='sex'][value='male']")
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("h1")).to_have_text("Check your answers before submitting")
    row = page.locator(".govuk-summary-list__row", has_text="What is your sex?")
    expect(row.locator(".govuk-summary-list__value")).to_have_text("Male")


def test_closing_the_tab_and_coming_back_resumes(browser: Browser, live_server):
    context = browser.new_context(viewport=DESKTOP)
    first = context.new_page()
    first.goto(f"{live_server}/start")
    first.fill("#age", "58")
    first.get_by_role("button", name="Continue").click()
    first.check("input[name='safe_after_dark'][value='very_unsafe']")
    first.get_by_role("button", name="Continue").click()
    first.close()

    second = context.new_page()
    second.goto(live_server)
    second.get_by_role("button", name="Continue where you left off").click()
    assert current_page_id(second) == "crime-trend"
    second.get_by_role("link", name="Back").click()
    expect(second.locator("#safe_after_dark-4")).to_be_checked()
    context.close()


def test_keyboard_only_resident_can_answer_and_always_sees_focus(live_server, page):
    page.goto(f"{live_server}/")
    page.keyboard.press("Tab")  # skip link first
    expect(page.locator(".govuk-skip-link")).to_be_focused()
    start = page.get_by_role("button", name="Start now")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.includes('Start now')"):
            break
    expect(start).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/questions/age")

    # Tab from the page's top to the age box, type, and press Enter to submit the form.
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "age":
            break
    assert page.evaluate("document.activeElement.id") == "age"
    page.keyboard.type("45")
    page.keyboard.press("Enter")
    page.wait_for_url("**/questions/feeling-safe")

    # Radios: Tab to the group, Space to choose; the focused control is always visibly marked.
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "safe_after_dark":
            break
    page.keyboard.press("Space")
    # GOV.UK Frontend draws a radio's focus ring, in its focus yellow, on the label's ::before.
    ring = page.evaluate(
        "getComputedStyle(document.activeElement.nextElementSibling, '::before').boxShadow"
    )
    assert "rgb(255, 221, 0)" in ring, ring
    expect(page.locator("input[name='safe_after_dark']").first).to_be_checked()


@pytest.mark.parametrize(
    "path", ["/privacy", "/accessibility", "/cookies", "/too-young", "/no-such-page"]
)
def test_information_pages_are_accessible(live_server, page, axe, path, screenshots):
    page.goto(f"{live_server}{path}")
    assert_accessible(axe, page)
    page.screenshot(path=str(screenshots / f"desktop{path.replace('/', '-')}.png"), full_page=True)


def test_accessibility_check_fails_on_a_page_that_breaks_a_rule(page, axe):
    page.set_content(
        "<html lang='en'><head><title>Broken</title></head><body><main>"
        "<h1>Broken</h1><img src='x.png'><input type='text'></main></body></html>"
    )
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(axe, page)
