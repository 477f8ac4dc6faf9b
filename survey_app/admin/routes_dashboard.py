"""The live dashboard, and generating and downloading reports and exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, abort, flash, redirect, render_template, stream_with_context, url_for
from flask_login import current_user

from .. import quality
from ..forms import add_error, error_list, refresh_expired_token
from ..questionnaire import Questionnaire
from . import bp, report_files
from . import dashboard as live
from .forms import ExportForm, ReportForm


@bp.route("/")
def home() -> Any:
    return redirect(url_for("admin.dashboard"))


@bp.route("/dashboard")
def dashboard() -> Any:
    survey = live.current_survey()
    if survey is None:
        return render_template("admin/dashboard.html", survey=None)
    today = dt.date.today()
    channels, partners = live.channels_and_partners(survey["id"], today)
    untagged, unknown_slugs = live.untagged_and_unknown(survey["id"])
    timing = quality.timing(survey["id"])
    return render_template(
        "admin/dashboard.html",
        survey=survey,
        per_day=live.responses_per_day(survey["id"]),
        channels=channels,
        partners=partners,
        dormant=[row for row in channels if row["dormant"]],
        funnel=live.funnel(survey["id"], Questionnaire(survey["definition"])),
        representativeness=live.representativeness(survey["id"]),
        untagged=untagged,
        unknown_slugs=unknown_slugs,
        dormant_days=live.DORMANT_AFTER_DAYS,
        quality=quality.overview(survey["id"], timing.fast_below),
    )


def _render_reports(report_form: ReportForm, export_form: ExportForm) -> Any:
    errors = error_list(report_form) if report_form.errors else []
    errors += error_list(export_form) if export_form.errors else []
    return render_template(
        "admin/reports.html",
        report_form=report_form,
        export_form=export_form,
        files=report_files.stored_files(),
        errors=errors,
    )


@bp.route("/reports")
def reports() -> Any:
    return _render_reports(ReportForm(formdata=None), ExportForm(formdata=None))


def _survey_id() -> int | None:
    survey = live.current_survey()
    return survey["id"] if survey else None


@bp.route("/reports/generate", methods=["POST"])
def report_generate() -> Any:
    form = ReportForm()
    if form.validate_on_submit():
        try:
            names = report_files.generate_report(
                form.kind.data, _survey_id(), user_id=current_user.id
            )
        except ValueError as error:
            add_error(form.kind, str(error))
        else:
            flash(f"Report written: {', '.join(names)}.", "success")
            return redirect(url_for("admin.reports"))
    refresh_expired_token(form)
    return _render_reports(form, ExportForm(formdata=None))


@bp.route("/exports/generate", methods=["POST"])
def export_generate() -> Any:
    form = ExportForm()
    if form.validate_on_submit():
        try:
            names = report_files.generate_export(
                form.export_format.data,
                _survey_id(),
                free_text=form.include_free_text.data,
                user_id=current_user.id,
            )
        except ValueError as error:
            add_error(form.export_format, str(error))
        else:
            flash(f"Export written: {', '.join(names)}.", "success")
            return redirect(url_for("admin.reports"))
    refresh_expired_token(form)
    return _render_reports(ReportForm(formdata=None), form)


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
