"""Retention rules: what `flask purge` removes and what it keeps."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from survey_app.extensions import db
from survey_app.models import ReportFileChunk, Response, Survey

from ..helpers import complete_survey, stored_responses


def age_everything(app, days: int) -> None:
    past = dt.date.today() - dt.timedelta(days=days)
    with app.app_context():
        db.session.execute(update(Response).values(last_saved_on=past, started_on=past))
        db.session.execute(
            update(Response).where(Response.status == "submitted").values(submitted_on=past)
        )
        db.session.commit()


def test_purge_removes_stale_unfinished_answers_and_keeps_submissions(app, client, runner):
    complete_survey(client)
    unfinished = app.test_client()
    complete_survey(unfinished, submit=False)
    age_everything(app, 40)

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    (kept,) = stored_responses(app)
    assert kept.status == "submitted"
    assert kept.token_hash is None
    assert "More lighting" in kept.answers["anything_else"]  # survey still open


def test_purge_keeps_recent_unfinished_answers(app, client, runner):
    complete_survey(client, submit=False)
    age_everything(app, 5)
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Removed 0 unfinished responses" in result.output
    assert [r.status for r in stored_responses(app)] == ["in_progress"]


def test_free_text_is_removed_after_the_retention_date(app, client, runner):
    complete_survey(
        client,
        {
            "age": {"age": "30"},
            "anything-else": {"anything_else": "Lights on Midsummer Blvd"},
            "sexual-orientation": {
                "sexual_orientation": "other",
                "sexual_orientation_other": "Queer",
            },
        },
    )
    with app.app_context():
        survey = db.session.scalars(select(Survey)).one()
        survey.status, survey.closed_on = "closed", dt.date.today() - dt.timedelta(days=91)
        db.session.commit()

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "removed free text from 1," in result.output
    (response,) = stored_responses(app)
    assert "anything_else" not in response.answers
    assert "sexual_orientation_other" not in response.answers
    assert response.answers["sexual_orientation"] == "other"


def test_stored_exports_holding_free_text_go_with_it(app, client, runner):
    from survey_app.admin import report_files

    complete_survey(client, {"age": {"age": "30"}, "anything-else": {"anything_else": "Lights"}})
    with app.test_request_context():
        with_text = report_files.generate_export("csv", None, free_text=True)
        without_text = report_files.generate_export("csv", None, free_text=False)
    with app.app_context():
        stored = {file.name for file in report_files.stored_files()}
        assert stored == set(with_text + without_text) and len(stored) == 4
        survey = db.session.scalars(select(Survey)).one()
        survey.status, survey.closed_on = "closed", dt.date.today() - dt.timedelta(days=91)
        db.session.commit()

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "2 stored exports holding it" in result.output  # the export and its dictionary
    with app.app_context():
        assert {file.name for file in report_files.stored_files()} == set(without_text)
        # Nothing of the deleted files is left behind.
        assert db.session.scalar(select(func.count()).select_from(ReportFileChunk)) == sum(
            1 for _ in without_text
        )


def test_purge_refuses_to_cut_the_resume_period_short(runner):
    result = runner.invoke(args=["purge", "--unfinished-days", "3"])
    assert result.exit_code != 0 and "RESUME_DAYS" in result.output
