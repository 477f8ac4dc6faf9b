"""The live dashboard, and generating and downloading reports and exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from .. import jobs, live, quality, results
from ..extensions import db
from ..forms import ConfirmForm, error_list, refresh_expired_token
from ..models import ACTIVE_JOB_STATUSES, Job, Survey
from ..questionnaire import Questionnaire
from . import bp, report_files
from . import dashboard as board
from .forms import ExportForm, ReportForm, SelectChoice

# A job's page without JavaScript reloads itself this often while the job is under way.
JOB_PAGE_REFRESH_SECONDS = 3


@bp.route("/")
def home() -> Any:
    return redirect(url_for("admin.dashboard"))


@bp.route("/dashboard")
def dashboard() -> Any:
    survey = board.current_survey()
    if survey is None:
        return render_template("admin/dashboard.html", survey=None)
    # A view never waits for the figures at full size: the worker works them out.
    counts = live.figures("dashboard", survey["id"], wait=False)
    representativeness = live.figures("representativeness", survey["id"], wait=False)
    if counts.pending or representativeness.pending:
        return render_template("admin/dashboard.html", survey=survey, pending=True)
    shown = counts.values
    channels, partners = board.channels_and_partners(shown["channel_rows"])
    return render_template(
        "admin/dashboard.html",
        survey=survey,
        as_at=min(
            (moment for moment in (counts.as_at, representativeness.as_at) if moment),
            default=None,
        ),
        stuck=counts.stuck or representativeness.stuck,
        per_day=[(dt.date.fromisoformat(day), count) for day, count in shown["per_day"]],
        channels=channels,
        partners=partners,
        dormant=[row for row in channels if row["dormant"]],
        funnel=board.funnel(
            Questionnaire(survey["definition"]),
            shown["started"],
            shown["submitted"],
            shown["reached"],
        ),
        representativeness=representativeness.values,
        untagged=shown["untagged"],
        unknown_slugs=[tuple(pair) for pair in shown["unknown"]],
        languages=[tuple(row) for row in shown["languages"]],
        dormant_days=board.DORMANT_AFTER_DAYS,
        quality=quality.Overview(**shown["quality"]),
    )


def _wave_choices(form: ReportForm | ExportForm) -> dict[str, int]:
    """Offer the survey's waves (newest first) when it has run more than once; the open or
    newest one is chosen unless the form chose another. Values are survey ids by wave label."""
    current = board.current_survey()
    if current is None:
        return {}
    waves = db.session.scalars(
        select(Survey).where(Survey.slug == current["slug"]).order_by(Survey.wave.desc())
    ).all()
    if len(waves) < 2:
        return {}
    choices = []
    for wave in waves:
        if wave.status == "open":
            state = "open"
        elif wave.imported_from:
            state = f"imported from {wave.imported_from}"
        else:
            state = "closed" + (
                f" {wave.closed_on.day} {wave.closed_on:%B %Y}" if wave.closed_on else ""
            )
        choices.append(SelectChoice(str(wave.id), f"Wave {wave.wave} ({state})"))
    form.wave.choices = choices
    if form.wave.data in (None, "", "None"):
        form.wave.data = str(current["id"])
    return {str(wave.id): wave.id for wave in waves}


def _chosen_wave(form: ReportForm | ExportForm) -> tuple[int | None, bool]:
    """The survey id the form asks for (the open or newest wave by default); False when the
    form named a wave that is not one of the survey's."""
    offered = _wave_choices(form)
    if not offered:
        return _survey_id(), True
    chosen = offered.get(str(form.wave.data))
    if chosen is None:
        form.wave.errors = ["Select which wave"]
        return None, False
    return chosen, True


def _render_reports(report_form: ReportForm, export_form: ExportForm) -> Any:
    _wave_choices(report_form)
    _wave_choices(export_form)
    errors = error_list(report_form) if report_form.errors else []
    errors += error_list(export_form) if export_form.errors else []
    survey = board.current_survey()
    waves = results.wave_states(survey["slug"]) if survey else []
    return render_template(
        "admin/reports.html",
        report_form=report_form,
        export_form=export_form,
        files=report_files.stored_files(),
        under_way=[(job, jobs.title(job)) for job in jobs.active_jobs()],
        errors=errors,
        waves=waves,
        next_to_publish=results.next_to_publish(waves),
        publish_form=ConfirmForm(),
    )


@bp.route("/reports")
def reports() -> Any:
    return _render_reports(ReportForm(formdata=None), ExportForm(formdata=None))


def _survey_id() -> int | None:
    survey = board.current_survey()
    return survey["id"] if survey else None


def _started(kind: str, params: dict[str, Any], survey_id: int | None = None) -> Any:
    """Queue the work (or join the same work under way) and show its progress page."""
    if survey_id is None:
        survey_id = _survey_id()
    job, joined = jobs.start(kind, params, survey_id=survey_id, user_id=current_user.id)
    if joined:
        flash(
            "The same work was already under way, so your request joined it rather than "
            "starting it again.",
            "info",
        )
    return redirect(url_for("admin.job", job_id=job.id))


@bp.route("/reports/generate", methods=["POST"])
def report_generate() -> Any:
    form = ReportForm()
    if form.validate_on_submit():
        survey_id, known = _chosen_wave(form)
        if known:
            return _started("report", {"kind": form.kind.data}, survey_id)
    refresh_expired_token(form)
    return _render_reports(form, ExportForm(formdata=None))


@bp.route("/exports/generate", methods=["POST"])
def export_generate() -> Any:
    form = ExportForm()
    if form.validate_on_submit():
        survey_id, known = _chosen_wave(form)
        if known:
            return _started(
                "export",
                {"fmt": form.export_format.data, "free_text": bool(form.include_free_text.data)},
                survey_id,
            )
    refresh_expired_token(form)
    return _render_reports(ReportForm(formdata=None), form)


@bp.route("/jobs/<job_id>")
def job(job_id: str) -> Any:
    found = jobs.find(job_id)
    if found is None:
        abort(404)
    state = jobs.describe(found)
    return render_template(
        "admin/job.html",
        job=found,
        title=jobs.title(found),
        state=state,
        files=report_files.stored_files(found.files) if found.status == "done" else [],
        under_way=found.status in ACTIVE_JOB_STATUSES,
        # Only a queued job waits on a worker; say so when none has been seen lately.
        no_worker=found.status == "queued" and not jobs.worker_running(),
        refresh_seconds=JOB_PAGE_REFRESH_SECONDS,
        published=_published_survey(found),
    )


def _published_survey(found: Job) -> Survey | None:
    """The wave whose results a finished publishing job published (and are still published)."""
    if found.kind != jobs.PUBLISH or found.status != "done" or found.survey_id is None:
        return None
    if results.publication(found.survey_id) is None:
        return None
    return db.session.get(Survey, found.survey_id)


@bp.route("/jobs/<job_id>/progress")
def job_progress(job_id: str) -> Any:
    found = jobs.find(job_id)
    if found is None:
        abort(404)
    return jsonify(jobs.describe(found))


@bp.route("/reports/files/<name>")
def report_download(name: str) -> Any:
    stored = report_files.stored_file(name)
    if stored is None:
        abort(404)
    download = Response(
        stream_with_context(report_files.file_bytes(stored.id)), mimetype=stored.media_type
    )
    download.headers["Content-Length"] = str(stored.size)
    download.headers["Content-Disposition"] = f'attachment; filename="{stored.name}"'
    return download
