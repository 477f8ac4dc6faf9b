"""The HTML reports are read by partners too: they meet the same accessibility rules."""

from __future__ import annotations

import pytest

from reporting.final import build_final_report
from reporting.interim import build_interim_report
from reporting.render import render_html
from survey_app.demo import seed_responses
from survey_app.extensions import db

from .conftest import assert_accessible


@pytest.mark.parametrize(
    "build", [build_interim_report, build_final_report], ids=["interim", "final"]
)
def test_report_html_has_no_accessibility_violations(live_app, page, axe, screenshots, build):
    with live_app.app_context():
        seed_responses(count=1500, seed=11)
        html = render_html(build(db.engine))
    page.set_content(html)
    assert_accessible(axe, page)
    page.screenshot(path=str(screenshots / f"report-{build.__name__}.png"), full_page=True)
