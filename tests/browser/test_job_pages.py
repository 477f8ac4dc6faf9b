"""A report made in the background, as the analyst sees it: the job's page follows the work
with JavaScript and without it, fits a phone, and passes axe in each of its states."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import Browser, Page

from ..functional.staff_factories import ANALYST_EMAIL, add_submitted_responses, make_staff
from ..helpers import run_jobs
from .conftest import assert_accessible
from .page_rules import problems_on
from .test_staff_pages import sign_in

pytestmark = pytest.mark.browser

# Bounds on waiting for the page to show the finished job: the report takes seconds here.
FINISHED_WITHIN_MS = 90_000


def _make_report(page: Page, base: str) -> str:
    page.goto(f"{base}/admin/reports")
    page.get_by_label("Interim report").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Make report").click()
    assert "/admin/jobs/" in page.url
    return page.url


def _run_in_background(app) -> threading.Thread:  # type: ignore[no-untyped-def]
    """The worker's part, in a thread, while the browser watches the page."""
    worker = threading.Thread(target=run_jobs, args=(app,), daemon=True)
    worker.start()
    return worker


def test_the_job_page_follows_the_work_with_javascript(
    live_app, live_server, page, axe, screenshots
):
    make_staff(live_app)
    add_submitted_responses(live_app, 30, channel_slug="age-uk")
    sign_in(page, live_server, ANALYST_EMAIL)
    _make_report(page, live_server)
    assert page.get_by_role("status").inner_text() == "Waiting to start"
    assert page.locator("progress").count() == 1
    assert_accessible(axe, page)
    page.screenshot(path=str(screenshots / "wide-analyst-job-waiting.png"), full_page=True)

    worker = _run_in_background(live_app)
    # The script sees the job finish and reloads the page to show the files.
    page.get_by_role("heading", name="Ready to download").wait_for(timeout=FINISHED_WITHIN_MS)
    worker.join(timeout=FINISHED_WITHIN_MS / 1000)
    assert page.locator("progress").count() == 0
    links = page.locator("a[href*='/admin/reports/files/']")
    assert links.count() == 4
    assert_accessible(axe, page)
    page.screenshot(path=str(screenshots / "wide-analyst-job-done.png"), full_page=True)


def test_the_job_page_follows_the_work_without_javascript_and_fits_a_phone(
    live_app, live_server, browser: Browser, screenshots
):
    make_staff(live_app)
    add_submitted_responses(live_app, 30, channel_slug="age-uk")
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, is_mobile=True, java_script_enabled=False
    )
    try:
        phone = context.new_page()
        sign_in(phone, live_server, ANALYST_EMAIL)
        _make_report(phone, live_server)
        assert not problems_on(phone), problems_on(phone)
        phone.screenshot(path=str(screenshots / "narrow-analyst-job-waiting.png"), full_page=True)

        worker = _run_in_background(live_app)
        # The page refreshes itself every few seconds until the work is done.
        phone.get_by_role("heading", name="Ready to download").wait_for(timeout=FINISHED_WITHIN_MS)
        worker.join(timeout=FINISHED_WITHIN_MS / 1000)
        assert not problems_on(phone), problems_on(phone)
        phone.screenshot(path=str(screenshots / "narrow-analyst-job-done.png"), full_page=True)
    finally:
        context.close()


def test_the_dashboard_waits_for_the_worker_and_shows_the_figures_when_ready(
    live_app, live_server, page, axe, screenshots
):
    from survey_app import jobs

    live_app.config["LIVE_FIGURES_SECONDS"] = 60
    make_staff(live_app)
    add_submitted_responses(live_app, 30, channel_slug="age-uk")
    with live_app.app_context():
        jobs.beat("worker-1")
    sign_in(page, live_server, ANALYST_EMAIL)
    page.goto(f"{live_server}/admin/dashboard")
    assert "The figures are being worked out" in page.get_by_role("status").inner_text()
    assert_accessible(axe, page)
    page.screenshot(path=str(screenshots / "wide-analyst-dashboard-pending.png"), full_page=True)

    worker = _run_in_background(live_app)
    # The page reloads itself until the worker has kept the figures.
    page.get_by_text("Figures as at").wait_for(timeout=FINISHED_WITHIN_MS)
    worker.join(timeout=FINISHED_WITHIN_MS / 1000)
    assert page.get_by_role("heading", name="Who is missing").count() == 1
