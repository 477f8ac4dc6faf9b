"""Every partner and analyst page in a real browser, checked with axe (WCAG 2.2 AA)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from ..functional.staff_factories import (
    ANALYST_EMAIL,
    PARTNER_A_EMAIL,
    PASSWORD,
    add_submitted_responses,
    channel_id,
    make_staff,
)
from .conftest import assert_accessible

pytestmark = pytest.mark.browser


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_sign_in_page_and_its_errors_are_accessible(live_app, live_server, page, axe):
    page.goto(f"{live_server}/sign-in")
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.title().startswith("Error: Sign in")
    assert_accessible(axe, page)


def test_every_partner_page_is_accessible(live_app, live_server, page, axe):
    make_staff(live_app)
    add_submitted_responses(live_app, 12, channel_slug="age-uk")
    add_submitted_responses(live_app, 300, channel_slug="mk-college", age_band="65_74")
    sign_in(page, live_server, PARTNER_A_EMAIL)
    age_uk = channel_id(live_app, "age-uk")
    for path in ("/partner/", f"/partner/channels/{age_uk}", "/account/password", "/sign-out"):
        page.goto(f"{live_server}{path}")
        assert_accessible(axe, page)


def test_every_analyst_page_is_accessible(live_app, live_server, page, axe):
    staff = make_staff(live_app)
    add_submitted_responses(live_app, 12, channel_slug="age-uk")
    add_submitted_responses(live_app, 300, channel_slug="mk-college", age_band="65_74")
    sign_in(page, live_server, ANALYST_EMAIL)
    age_uk = channel_id(live_app, "age-uk")
    for path in (
        "/admin/dashboard",
        "/admin/channels",
        "/admin/channels/new",
        f"/admin/channels/{age_uk}",
        "/admin/partners",
        "/admin/users/new",
        f"/admin/users/{staff.partner_a}/link",
        "/admin/reports",
        "/admin/paper",
    ):
        page.goto(f"{live_server}{path}")
        assert_accessible(axe, page)

    # A form's errors, and a paper questionnaire page.
    page.goto(f"{live_server}/admin/channels/new")
    with page.expect_navigation():
        page.get_by_role("button", name="Add channel").click()
    assert page.title().startswith("Error: ")
    assert_accessible(axe, page)
    page.goto(f"{live_server}/admin/paper")
    page.select_option("#channel_id", str(age_uk))
    with page.expect_navigation():
        page.get_by_role("button", name="Start typing in").click()
    assert "/admin/paper/questions/" in page.url
    assert_accessible(axe, page)
