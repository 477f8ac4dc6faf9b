"""Every page a resident, partner or analyst can reach, and both HTML reports, at 320 px: the
page never scrolls sideways and never shows markup as text. Pages are found by following links
(and the survey's Continue buttons), not from a list kept by hand, so a new page is checked
as soon as anything links to it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select, update

from reporting.final import build_final_report
from reporting.interim import build_interim_report
from reporting.render import render_html
from survey_app.demo import seed_responses
from survey_app.extensions import db
from survey_app.models import Response

from ..functional.staff_factories import (
    ANALYST_EMAIL,
    PARTNER_A_EMAIL,
    add_submitted_responses,
    make_staff,
)
from ..helpers import FULL_ANSWERS
from .page_rules import check_here, problems_on, walk_links
from .test_resident_browser import current_page_id, fill_page, press_continue
from .test_staff_pages import sign_in

pytestmark = pytest.mark.browser

NARROWEST = {"width": 320, "height": 640}
PHONE_META = "<meta name=viewport content='width=device-width'>"
# Answers that put line breaks and several choices on the check answers page.
ANSWERS = {
    **FULL_ANSWERS,
    "anything-else": {
        "anything_else": "More lighting on the redways.\nAnd fewer potholes & broken lights."
    },
}


@pytest.fixture
def phone(browser: Browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=NARROWEST, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def _answer_every_page(page: Page, found: dict, shots, name: str) -> list[str]:
    visited: list[str] = []
    while (page_id := current_page_id(page) or _paper_page_id(page)) is not None:
        check_here(page, found, shots, name)
        visited.append(page_id)
        assert len(visited) < 40, "the questionnaire never ended"
        fill_page(page, ANSWERS.get(page_id, {}))
        press_continue(page)
    return visited


def _paper_page_id(page: Page) -> str | None:
    marker = "/admin/paper/questions/"
    return page.url.split(marker, 1)[1].split("?")[0] if marker in page.url else None


def _staff_data(app) -> None:  # type: ignore[no-untyped-def]
    make_staff(app)
    # Enough for flagged groups, channel reach and many weeks of counts.
    add_submitted_responses(app, 300, channel_slug="mk-college", age_band="65-74", sex="female")
    add_submitted_responses(app, 40, channel_slug="age-uk", age_band="16-24", sex="male")
    add_submitted_responses(app, 12, channel_slug="lgbt-groups")
    # Suspected responses, so the response-quality pages show their groups and review page.
    with app.app_context():
        suspects = db.session.scalars(select(Response.id).limit(12)).all()
        db.session.execute(
            update(Response)
            .where(Response.id.in_(suspects))
            .values(duration_seconds=5, same_answers_burst=True, answer_pattern="robot")
        )
        db.session.commit()


def test_the_page_rules_catch_a_page_that_scrolls_sideways_or_shows_markup(phone):
    phone.set_content(
        f"<html><head>{PHONE_META}<title>Broken</title></head><body><h1>Broken</h1>"
        "<table><tr>" + "<td>Respondents</td>" * 12 + "</tr></table>"
        "<p>Your reference&lt;br&gt;&lt;strong&gt;H6YA&lt;/strong&gt;</p></body></html>"
    )
    problems = problems_on(phone)
    assert any("px wide in a 320px window" in p and "table" in p for p in problems), problems
    assert any("markup shown as text" in p for p in problems), problems

    phone.set_content(
        f"<html><head>{PHONE_META}<title>Fine</title></head><body><h1>Fine</h1>"
        "<div class='app-table-container' style='overflow-x:auto'><table><tr>"
        + "<td>Respondents</td>" * 12
        + "</tr></table></div><p>Your reference<br><strong>H6YA</strong></p></body></html>"
    )
    assert problems_on(phone) == []


def test_every_resident_page_fits_a_phone_and_shows_no_markup(live_server, phone, screenshots):
    found: dict[str, list[str]] = {}
    phone.goto(f"{live_server}/s/age-uk")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Start now").click()
    visited = _answer_every_page(phone, found, screenshots, "narrow-resident")
    assert "ethnic-background-black" in visited and "why-not-reported" in visited
    check_here(phone, found, screenshots, "narrow-resident")  # check answers
    assert "redways.\nAnd fewer potholes & broken lights." in phone.locator("main").inner_text()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Submit your answers").click()
    check_here(phone, found, screenshots, "narrow-resident")  # confirmation
    assert phone.locator(".govuk-panel__body strong").inner_text().strip()

    walked = walk_links(phone, f"{live_server}/", found, screenshots, "narrow-resident")
    assert {"/", "/privacy", "/accessibility", "/cookies"} <= walked
    assert found == {}, found


def test_every_partner_page_fits_a_phone_and_shows_no_markup(
    live_app, live_server, phone, screenshots
):
    _staff_data(live_app)
    sign_in(phone, live_server, PARTNER_A_EMAIL)
    found: dict[str, list[str]] = {}
    walked = walk_links(phone, f"{live_server}/partner/", found, screenshots, "narrow-partner")
    assert any(path.startswith("/partner/channels/") for path in walked)
    assert found == {}, found


def test_every_analyst_page_fits_a_phone_and_shows_no_markup(
    live_app, live_server, phone, screenshots
):
    _staff_data(live_app)
    sign_in(phone, live_server, ANALYST_EMAIL)
    found: dict[str, list[str]] = {}
    walked = walk_links(
        phone, f"{live_server}/admin/dashboard", found, screenshots, "narrow-analyst"
    )
    assert {"/admin/channels", "/admin/partners", "/admin/reports", "/admin/paper"} <= walked
    assert any(path.startswith("/admin/channels/") for path in walked)

    # Paper entry: the question pages, the check page and the discard confirmation.
    phone.goto(f"{live_server}/admin/paper")
    phone.select_option("#channel_id", label="Age UK Milton Keynes (Age UK Milton Keynes)")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Start typing in").click()
    _answer_every_page(phone, found, screenshots, "narrow-paper")
    check_here(phone, found, screenshots, "narrow-paper")
    with phone.expect_navigation():  # checked once the confirmation has loaded, not during
        phone.get_by_role("link", name="discard these answers").click()
    check_here(phone, found, screenshots, "narrow-paper")
    assert found == {}, found


@pytest.mark.parametrize(
    "build", [build_interim_report, build_final_report], ids=["interim", "final"]
)
def test_html_reports_fit_a_phone_and_show_no_markup(live_app, phone, screenshots, build):
    with live_app.app_context():
        seed_responses(count=1500, seed=11)
        html = render_html(build(db.engine))
    phone.set_content(html)
    found: dict[str, list[str]] = {}
    check_here(phone, found, screenshots, f"narrow-report-{build.__name__}")
    assert found == {}, found
