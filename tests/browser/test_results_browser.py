"""The published results page in a real browser: WCAG 2.2 AA by axe, on a desktop screen and on
the narrowest phone (never wider than the screen), and printed; and the analyst's pages that
publish it and write its "You said, we did" entries."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from survey_app import responses, results, setup_data, you_said_we_did
from survey_app.demo import seed_responses
from survey_app.extensions import db
from survey_app.models import Survey

from ..functional.staff_factories import ANALYST_EMAIL, make_staff
from .conftest import assert_accessible
from .page_rules import problems_on
from .test_staff_pages import sign_in

pytestmark = pytest.mark.browser

SLUG = "safermk-perceptions"
DESKTOP = {"width": 1280, "height": 900}
NARROWEST = {"width": 320, "height": 640}
ENTRIES = (
    (
        "Fewer of you feel safe walking through the underpasses in Central Milton Keynes after "
        "dark than anywhere else in the city.",
        "Milton Keynes City Council is relighting the three darkest underpasses by June, and "
        "Thames Valley Police have added evening patrols between the station and the shopping "
        "centre.",
    ),
    ("You told us that online scams worry you.", "We ran twelve scam-awareness sessions."),
)


def _published_waves(app: Flask) -> int:
    """Two closed waves (the second with groups of fewer than 10), the second published with
    its entries; returns its id."""
    with app.app_context():
        first = responses.open_survey()
        assert first is not None
        seed_responses(count=400, survey=first)
        setup_data.set_survey_status(first, "closed")
        db.session.commit()
        second = setup_data.new_wave(SLUG, open_it=True).survey
        seed_responses(count=300, survey=second)
        setup_data.set_survey_status(second, "closed")
        db.session.commit()
        results.publish(second.id)
        for said, did in ENTRIES:
            you_said_we_did.add_entry(second.id, said, did)
        return second.id


def _check(page: Page, axe, screenshots, name: str) -> None:  # type: ignore[no-untyped-def]
    assert problems_on(page) == [], page.url
    assert_accessible(axe, page)
    page.screenshot(path=str(screenshots / f"results-{name}.png"), full_page=True)


@pytest.mark.parametrize("viewport", [DESKTOP, NARROWEST], ids=["1280", "320"])
def test_the_results_page_is_accessible_and_fits_the_screen(
    browser: Browser, live_app, live_server, axe, screenshots, viewport
) -> None:
    _published_waves(live_app)
    context = browser.new_context(viewport=viewport, is_mobile=viewport is NARROWEST)
    page = context.new_page()

    page.goto(f"{live_server}/results")

    expect(page.locator("h1")).to_contain_text("residents' survey")
    expect(page.locator(".app-you-said__entry")).to_have_count(len(ENTRIES))
    expect(page.locator("td", has_text="fewer than 10").first).to_be_visible()
    # Printed: no navigation or footer, the charts, and the table behind them though its
    # details are closed (a reader of paper cannot open them).
    page.emulate_media(media="print")
    assert page.locator(".govuk-footer").is_hidden()
    assert page.locator(".app-chart__bar").first.is_visible()
    assert page.locator(".govuk-details .govuk-table").is_visible()
    shot = screenshots / f"results-print-{viewport['width']}.png"
    page.screenshot(path=str(shot), full_page=True)
    page.emulate_media(media="screen")
    assert page.locator(".govuk-details .govuk-table").is_hidden()
    # The table behind the charts, opened, passes too.
    page.get_by_text("Headline results as a table").click()
    _check(page, axe, screenshots, str(viewport["width"]))
    context.close()


def test_the_page_before_anything_is_published_passes_too(
    browser: Browser, live_app, live_server, axe, screenshots
) -> None:
    context = browser.new_context(viewport=NARROWEST, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server}/results")
    expect(page.locator("h1")).to_have_text("Results of the residents' survey")
    _check(page, axe, screenshots, "not-yet-320")
    context.close()


def test_the_analysts_results_pages_are_accessible(
    browser: Browser, live_app, live_server, axe, screenshots
) -> None:
    survey_id = _published_waves(live_app)
    make_staff(live_app)
    with live_app.app_context():
        entry_id = you_said_we_did.entries(survey_id)[0].id
        assert db.session.get(Survey, survey_id) is not None
    context = browser.new_context(viewport=NARROWEST, is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, ANALYST_EMAIL)
    for name, path in (
        ("admin-reports", "/admin/reports"),
        ("admin-manage", f"/admin/results/{survey_id}"),
        ("admin-unpublish", f"/admin/results/{survey_id}/unpublish"),
        ("admin-entry", f"/admin/results/{survey_id}/entries/{entry_id}"),
        ("admin-entry-delete", f"/admin/results/{survey_id}/entries/{entry_id}/delete"),
    ):
        page.goto(f"{live_server}{path}")
        _check(page, axe, screenshots, name)
    page.goto(f"{live_server}/admin/results/{survey_id}/entries/new")
    with page.expect_navigation():
        page.get_by_role("button", name="Save entry").click()
    assert page.title().startswith("Error: ")
    _check(page, axe, screenshots, "admin-entry-errors")
    context.close()
