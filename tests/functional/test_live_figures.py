"""The dashboard's costly figures are kept, shown with their time, and brought up to date by
the background worker once they are older than LIVE_FIGURES_SECONDS (survey_app.live)."""

from __future__ import annotations

import datetime as dt
import re

from bs4 import BeautifulSoup
from sqlalchemy import select, update

from survey_app.extensions import db
from survey_app.live import SHAPE
from survey_app.models import Channel, LiveFigures, Partner

from ..helpers import run_jobs, text_of
from .staff_factories import (
    ANALYST_EMAIL,
    PARTNER_A,
    PARTNER_A_EMAIL,
    add_submitted_responses,
    make_staff,
    sign_in,
)
from .test_response_quality import ROOMY, _decide, _flag_fast, _review_link


def _submitted(page_text: str) -> int:
    match = re.search(r"([\d,]+) started, ([\d,]+) submitted", page_text)
    assert match, page_text
    return int(match.group(2).replace(",", ""))


def _age_kept_figures(app, seconds: int) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        moment = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=seconds)
        db.session.execute(update(LiveFigures).values(computed_at=moment))
        db.session.commit()


def test_kept_figures_are_shown_with_their_time_and_refreshed_once_by_the_worker(make_app):
    app = make_app(LIVE_FIGURES_SECONDS=60)
    make_staff(app)
    analyst = app.test_client()
    sign_in(analyst, ANALYST_EMAIL)
    add_submitted_responses(app, 12, channel_slug="age-uk")

    first = text_of(analyst.get("/admin/dashboard"))
    assert _submitted(first) == 12 and "Figures as at " in first
    with app.app_context():
        kept = {row.name for row in db.session.scalars(select(LiveFigures))}
    assert kept == {f"dashboard/{SHAPE}", f"representativeness/{SHAPE}"}

    add_submitted_responses(app, 3, channel_slug="age-uk")
    # Fresh figures are shown as kept, and nothing is asked of the worker.
    assert _submitted(text_of(analyst.get("/admin/dashboard"))) == 12
    assert run_jobs(app) == 0

    # Once they are old, views still show them at once, and the worker is asked once.
    _age_kept_figures(app, 120)
    assert _submitted(text_of(analyst.get("/admin/dashboard"))) == 12
    other = app.test_client()
    sign_in(other, ANALYST_EMAIL)
    assert _submitted(text_of(other.get("/admin/dashboard"))) == 12
    assert run_jobs(app) == 2  # the dashboard's counts and the comparison with the census
    assert _submitted(text_of(analyst.get("/admin/dashboard"))) == 15


def test_a_quality_decision_shows_on_the_dashboard_at_once(make_app):
    app = make_app(LIVE_FIGURES_SECONDS=60, **ROOMY)
    add_submitted_responses(app, 12, channel_slug="age-uk")
    _flag_fast(app, 3)
    make_staff(app)
    analyst = app.test_client()
    sign_in(analyst, ANALYST_EMAIL)
    before = text_of(analyst.get("/admin/dashboard"))
    assert "3 suspected responses need review" in before and _submitted(before) == 15

    review = _review_link(analyst.get("/admin/quality"))
    _decide(analyst, review, analyst.get(review), action="exclude", reason="robots")
    after = text_of(analyst.get("/admin/dashboard"))
    assert "suspected responses need review" not in after and _submitted(after) == 12
    assert "3 responses excluded as suspected are left out" in after


def test_a_refresh_begun_before_a_decision_keeps_nothing(make_app, monkeypatch):
    """A decision made while the worker is working the figures out: the figures it finishes
    with counted the excluded responses, so they are not kept, and the next view works them out
    again."""
    from survey_app import live

    app = make_app(LIVE_FIGURES_SECONDS=60)
    add_submitted_responses(app, 12, channel_slug="age-uk")
    make_staff(app)
    analyst = app.test_client()
    sign_in(analyst, ANALYST_EMAIL)
    analyst.get("/admin/dashboard")
    _age_kept_figures(app, 120)
    analyst.get("/admin/dashboard")  # asks for a refresh

    work_out = live.FIGURES["dashboard"]

    def decided_meanwhile(survey_id: int):  # type: ignore[no-untyped-def]
        figures = work_out(survey_id)
        add_submitted_responses(app, 5, channel_slug="age-uk")
        with app.app_context():
            live.forget(survey_id)
            db.session.commit()
        return figures

    monkeypatch.setitem(live.FIGURES, "dashboard", decided_meanwhile)
    run_jobs(app)
    monkeypatch.setitem(live.FIGURES, "dashboard", work_out)
    assert _submitted(text_of(analyst.get("/admin/dashboard"))) == 17


def test_the_partner_portal_keeps_its_counts_for_the_day_and_follows_a_moved_channel(make_app):
    app = make_app(LIVE_FIGURES_SECONDS=60)
    make_staff(app)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    add_submitted_responses(app, 40, channel_slug="age-uk", submitted_on=yesterday)
    add_submitted_responses(app, 25, channel_slug="mk-college", submitted_on=yesterday)
    partner = app.test_client()
    sign_in(partner, PARTNER_A_EMAIL)
    first = text_of(partner.get("/partner/"))
    with app.app_context():
        kept = set(db.session.scalars(select(LiveFigures.name)))
        age_uk = db.session.scalars(select(Partner).where(Partner.name == PARTNER_A)).one()
    assert kept == {
        f"partner/{age_uk.id}/{yesterday.isoformat()}/{SHAPE}",
        f"representativeness/{SHAPE}",
    }
    assert text_of(partner.get("/partner/")) == first
    assert "MK College" not in first

    # The analyst moves MK College's channel to Age UK today: its counts come with it at once.
    with app.app_context():
        db.session.execute(
            update(Channel).where(Channel.slug == "mk-college").values(partner_id=age_uk.id)
        )
        db.session.commit()
    moved = BeautifulSoup(partner.get("/partner/").get_data(as_text=True), "html.parser")
    weekly = moved.find("caption", string=re.compile("by week")).find_parent("table")
    names = [cell.get_text(" ", strip=True) for cell in weekly.select("thead th")]
    total = next(row for row in weekly.select("tbody tr") if row.th.get_text() == "Total")
    totals = dict(
        zip(names[1:], [cell.get_text(strip=True) for cell in total.select("td")], strict=True)
    )
    assert {name: value for name, value in totals.items() if "MK College" in name} == {
        next(name for name in names if "MK College" in name): "25"
    }, totals


def test_with_a_worker_running_no_view_waits_for_the_figures(make_app):
    """The first view of a survey, and the first after a quality decision, leave the work to
    the worker and say so, reloading until the figures are there."""
    from survey_app import jobs

    app = make_app(LIVE_FIGURES_SECONDS=60, **ROOMY)
    add_submitted_responses(app, 12, channel_slug="age-uk")
    _flag_fast(app, 3)
    make_staff(app)
    with app.app_context():
        jobs.beat("worker-1")
    analyst = app.test_client()
    sign_in(analyst, ANALYST_EMAIL)

    waiting = analyst.get("/admin/dashboard").get_data(as_text=True)
    assert "The figures are being worked out" in waiting
    assert 'data-reload-after="3"' in waiting and "reload-soon.js" in waiting
    assert "The figures are being worked out" in text_of(analyst.get("/admin/dashboard"))
    assert run_jobs(app) == 2  # asked for once each, however many views
    ready = text_of(analyst.get("/admin/dashboard"))
    assert _submitted(ready) == 15 and "Figures as at" in ready

    review = _review_link(analyst.get("/admin/quality"))
    _decide(analyst, review, analyst.get(review), action="exclude", reason="robots")
    assert "The figures are being worked out" in text_of(analyst.get("/admin/dashboard"))
    run_jobs(app)
    assert _submitted(text_of(analyst.get("/admin/dashboard"))) == 12


def test_a_partner_never_waits_for_the_census_comparison_either(make_app):
    from survey_app import jobs

    app = make_app(LIVE_FIGURES_SECONDS=60)
    make_staff(app)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    add_submitted_responses(app, 40, channel_slug="age-uk", submitted_on=yesterday)
    with app.app_context():
        jobs.beat("worker-1")
    partner = app.test_client()
    sign_in(partner, PARTNER_A_EMAIL)
    waiting = text_of(partner.get("/partner/"))
    assert "The comparison with the census is being worked out" in waiting
    assert "Total 40" in waiting  # the partner's own counts do not wait
    assert run_jobs(app) == 1
    ready = text_of(partner.get("/partner/"))
    assert "being worked out" not in ready and "Groups the survey is missing" in ready
