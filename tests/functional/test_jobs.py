"""Reports and exports from the analyst's pages are made by the background worker.

Here the queue is in memory and each test runs the queued work itself (run_jobs), at the point
the worker would; the worker process itself, taking jobs from Redis for two servers, is in
tests/production/test_two_servers.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from bs4 import BeautifulSoup
from sqlalchemy import select, update

from reporting.errors import Refused
from survey_app import jobs
from survey_app.admin import report_files
from survey_app.extensions import db
from survey_app.models import Job, Partner

from ..helpers import error_messages, run_jobs, text_of
from .staff_factories import (
    ANALYST_EMAIL,
    PARTNER_A,
    PARTNER_A_EMAIL,
    add_submitted_responses,
    make_staff,
    sign_in,
)

JOB_PAGE = re.compile(r"^/admin/jobs/([0-9a-f]{32})$")


def _analyst(app, client):  # type: ignore[no-untyped-def]
    make_staff(app)
    sign_in(client, ANALYST_EMAIL)
    client.get("/admin/reports")
    return client


def _ask(client, path: str, form: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    """Post a reports-page form; returns the id of the job page it leads to."""
    response = client.submit(path, form)
    assert response.status_code == 302, text_of(response)
    match = JOB_PAGE.match(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def _file_links(page) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(r'/admin/reports/files/([^"]+)"', page.get_data(as_text=True))


def test_a_report_is_queued_shown_with_its_progress_and_then_ready_to_download(app, client):
    _analyst(app, client)
    add_submitted_responses(app, 12, channel_slug="age-uk")
    job_id = _ask(client, "/admin/reports/generate", {"kind": "interim"})

    waiting = client.get(f"/admin/jobs/{job_id}")
    soup = BeautifulSoup(waiting.get_data(as_text=True), "html.parser")
    assert soup.find("h1").get_text(strip=True) == "Interim report"
    assert soup.find("progress") is not None
    assert soup.find(attrs={"role": "status"}).get_text(strip=True) == "Waiting to start"
    # Without JavaScript the page reloads itself while the work is under way.
    assert 'http-equiv="refresh"' in str(soup.find("noscript"))
    assert "No background worker is running" in text_of(waiting)
    listed = BeautifulSoup(client.get("/admin/reports").get_data(as_text=True), "html.parser")
    (under_way,) = listed.select("h2 + ul.govuk-list li")
    assert under_way.get_text("", strip=True) == "Interim report: waiting to start"

    assert run_jobs(app) == 1
    ready = client.get(f"/admin/jobs/{job_id}")
    assert (
        "Ready to download" in text_of(ready)
        and ready.get_data(as_text=True).count("<progress") == 0
    )
    assert "refresh" not in ready.get_data(as_text=True)
    names = _file_links(ready)
    assert {name.rsplit(".", 1)[1] for name in names} == {"html", "pdf", "json", "xlsx"}
    pdf = next(name for name in names if name.endswith(".pdf"))
    assert client.get(f"/admin/reports/files/{pdf}").get_data().startswith(b"%PDF")
    # Done: no longer under way, and its files are on the reports page.
    reports = client.get("/admin/reports")
    assert "Under way" not in text_of(reports) and set(names) <= set(_file_links(reports))
    state = client.get(f"/admin/jobs/{job_id}/progress").get_json()
    assert state["status"] == "done" and state["done"] == state["total"] == 5
    assert sorted(state["files"]) == sorted(names)


def test_the_progress_a_worker_writes_is_what_the_page_and_its_script_read(app, client):
    _analyst(app, client)
    job_id = _ask(client, "/admin/exports/generate", {"export_format": "csv"})
    with app.app_context():
        db.session.execute(update(Job).where(Job.id == job_id).values(status="running"))
        db.session.commit()
        jobs._progress_writer(job_id)(2000, 5000, "Writing the responses")

    state = client.get(f"/admin/jobs/{job_id}/progress").get_json()
    assert state["status"] == "running" and (state["done"], state["total"]) == (2000, 5000)
    assert state["percent"] == 40 and state["count"] == "2,000 of 5,000 responses done"
    page = BeautifulSoup(client.get(f"/admin/jobs/{job_id}").get_data(as_text=True), "html.parser")
    bar = page.find("progress")
    assert (bar["value"], bar["max"]) == ("2000", "5000")
    assert page.find(attrs={"role": "status"}).get_text(strip=True) == "Writing the responses"
    assert "2,000 of 5,000 responses done" in page.get_text(" ", strip=True)
    assert page.find("h1").get_text(strip=True) == "Export of responses (CSV)"


def test_asking_again_while_it_is_under_way_joins_the_same_job(app, client):
    _analyst(app, client)
    add_submitted_responses(app, 3, channel_slug="age-uk")
    first = _ask(client, "/admin/exports/generate", {"export_format": "csv"})
    client.get("/admin/reports")
    second = _ask(client, "/admin/exports/generate", {"export_format": "csv"})
    assert second == first
    assert "your request joined it rather than starting it again" in text_of(
        client.get(f"/admin/jobs/{second}")
    )
    # Other work is not the same work.
    client.get("/admin/reports")
    xlsx = _ask(client, "/admin/exports/generate", {"export_format": "xlsx"})
    client.get("/admin/reports")
    with_text = _ask(
        client, "/admin/exports/generate", {"export_format": "csv", "include_free_text": "y"}
    )
    assert len({first, xlsx, with_text}) == 3
    assert run_jobs(app) == 3

    # Once done, the same export asked for again is made again, and replaces the first.
    client.get("/admin/reports")
    again = _ask(client, "/admin/exports/generate", {"export_format": "csv"})
    assert again != first and run_jobs(app) == 1
    plain = [name for name in _file_links(client.get("/admin/reports")) if "free-text" not in name]
    assert len(plain) == len(set(plain)) == 3  # CSV, XLSX and one dictionary: no duplicates


def test_an_export_made_by_the_worker_downloads_whole(app, client):
    _analyst(app, client)
    add_submitted_responses(app, 3, channel_slug="age-uk")
    job_id = _ask(client, "/admin/exports/generate", {"export_format": "csv"})
    run_jobs(app)
    page = client.get(f"/admin/jobs/{job_id}")
    (export,) = [name for name in _file_links(page) if "dictionary" not in name]
    assert f"by {ANALYST_EMAIL}" in text_of(client.get("/admin/reports"))
    download = client.get(f"/admin/reports/files/{export}")
    assert "attachment" in download.headers["Content-Disposition"]
    rows = download.get_data(as_text=True).splitlines()
    assert len(rows) == 4 and rows[0].startswith("respondent,")  # a header and 3 responses
    assert client.get("/admin/reports/files/..%2Fsecret").status_code == 404


def test_work_that_fails_says_so_plainly_and_is_logged(app, client, monkeypatch, caplog):
    _analyst(app, client)

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(report_files, "generate_report", broken)
    job_id = _ask(client, "/admin/reports/generate", {"kind": "final"})
    with caplog.at_level(logging.ERROR, logger="survey_app.jobs"):
        run_jobs(app)
    page = client.get(f"/admin/jobs/{job_id}")
    assert page.status_code == 200
    assert "This did not finish" in text_of(page) and jobs.FAILED_MESSAGE in text_of(page)
    assert "disk on fire" not in text_of(page)  # the details are in the log, not on the page
    (record,) = [r for r in caplog.records if job_id in r.getMessage()]
    assert record.exc_info and "disk on fire" in str(record.exc_info[1])

    # Any other ValueError is a bug like any other: logged, and not shown.
    def buggy(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("could not convert string to float: 'x'")

    monkeypatch.setattr(report_files, "generate_report", buggy)
    client.get("/admin/reports")
    bug = _ask(client, "/admin/reports/generate", {"kind": "final"})
    run_jobs(app)
    page = text_of(client.get(f"/admin/jobs/{bug}"))
    assert jobs.FAILED_MESSAGE in page and "convert" not in page

    # A refusal in the reporting package's own plain words is shown as it is.
    def refused(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise Refused("No survey is loaded")

    monkeypatch.setattr(report_files, "generate_report", refused)
    client.get("/admin/reports")
    again = _ask(client, "/admin/reports/generate", {"kind": "final"})
    assert again != job_id  # a failed job is not joined
    run_jobs(app)
    assert "No survey is loaded" in text_of(client.get(f"/admin/jobs/{again}"))


def test_a_job_whose_worker_stopped_fails_and_can_be_started_again(app, client):
    _analyst(app, client)
    job_id = _ask(client, "/admin/reports/generate", {"kind": "interim"})
    with app.app_context():
        long_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - jobs.STOPPED_AFTER * 2
        db.session.execute(
            update(Job).where(Job.id == job_id).values(status="running", touched_at=long_ago)
        )
        db.session.commit()
    assert jobs.STOPPED_MESSAGE in text_of(client.get(f"/admin/jobs/{job_id}"))
    client.get("/admin/reports")
    assert _ask(client, "/admin/reports/generate", {"kind": "interim"}) != job_id
    # The stopped job's task, if its queue still delivers it, does nothing.
    assert run_jobs(app) == 2
    with app.app_context():
        assert db.session.get(Job, job_id).status == "failed"


def test_a_job_the_queue_lost_fails_once_an_idle_worker_would_have_taken_it(app, client):
    _analyst(app, client)
    job_id = _ask(client, "/admin/reports/generate", {"kind": "interim"})
    app.extensions["jobs"].huey.flush()  # the queue's Redis restarted: the task is gone
    with app.app_context():
        long_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - jobs.LOST_AFTER * 2
        db.session.execute(update(Job).where(Job.id == job_id).values(created_at=long_ago))
        db.session.commit()
    # With no worker running it may yet start: it waits.
    assert "Waiting to start" in text_of(client.get(f"/admin/jobs/{job_id}"))
    with app.app_context():
        jobs.beat("worker-1")
    page = client.get(f"/admin/jobs/{job_id}")
    assert jobs.LOST_MESSAGE in text_of(page)
    client.get("/admin/reports")
    assert _ask(client, "/admin/reports/generate", {"kind": "interim"}) != job_id


def test_a_queue_that_cannot_be_reached_fails_the_job_with_a_plain_message(
    app, client, monkeypatch
):
    _analyst(app, client)

    def unreachable(_job_id: str) -> None:
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(app.extensions["jobs"], "run_job", unreachable)
    job_id = _ask(client, "/admin/reports/generate", {"kind": "interim"})
    page = client.get(f"/admin/jobs/{job_id}")
    assert page.status_code == 200 and jobs.QUEUE_DOWN_MESSAGE in text_of(page)
    assert "6379" not in text_of(page)


def test_a_running_worker_removes_the_warning_and_passes_the_health_check(app, client):
    _analyst(app, client)
    job_id = _ask(client, "/admin/reports/generate", {"kind": "interim"})
    runner = app.test_cli_runner()
    unhealthy = runner.invoke(args=["jobs", "health"])
    assert unhealthy.exit_code == 1 and "never seen" in unhealthy.output

    with app.app_context():
        jobs.beat("worker-1")
    assert "No background worker" not in text_of(client.get(f"/admin/jobs/{job_id}"))
    healthy = runner.invoke(args=["jobs", "health"])
    assert healthy.exit_code == 0 and "A background worker is running" in healthy.output

    with app.app_context():
        late = dt.datetime.now(dt.UTC).replace(tzinfo=None) - jobs.WORKER_LATE_AFTER * 2
        db.session.execute(update(jobs.WorkerBeat).values(seen_at=late))
        db.session.commit()
    assert runner.invoke(args=["jobs", "health"]).exit_code == 1


def test_unknown_jobs_are_not_found_and_partners_never_see_one(app, client):
    _analyst(app, client)
    job_id = _ask(client, "/admin/reports/generate", {"kind": "interim"})
    assert client.get("/admin/jobs/" + "0" * 32).status_code == 404
    assert client.get("/admin/jobs/" + "0" * 32 + "/progress").status_code == 404
    client.get("/sign-out")
    partner = app.test_client()
    sign_in(partner, PARTNER_A_EMAIL)
    for path in (f"/admin/jobs/{job_id}", f"/admin/jobs/{job_id}/progress"):
        assert partner.get(path).status_code in (403, 404)


def test_reports_page_asks_which_report(app, client):
    _analyst(app, client)
    response = client.submit("/admin/reports/generate", {})
    assert error_messages(response) == ["Select which report"]
    with app.app_context():
        assert db.session.scalars(select(Job)).first() is None


def test_a_failed_statement_on_a_staff_page_still_shows_the_error_page(app, client, monkeypatch):
    """The error page reads the signed-in user for its navigation: the failed session must not
    take the error page down with it."""
    _analyst(app, client)

    def clashing(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        db.session.add(Partner(name=PARTNER_A))  # a second partner of the same name
        db.session.flush()

    monkeypatch.setattr(jobs, "start", clashing)
    failed = client.submit("/admin/reports/generate", {"kind": "interim"})
    assert failed.status_code == 500
    assert "Sorry, there is a problem with the service" in text_of(failed)
    assert "Sign out" in text_of(failed)
