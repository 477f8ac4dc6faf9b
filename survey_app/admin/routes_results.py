"""Results for residents: publish a closed wave's results (made by the background worker, as the
final report is), unpublish them, and write the "You said, we did" entries shown with them."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import jobs, results, you_said_we_did
from ..errors import row_id_or_404
from ..extensions import db
from ..forms import EXPIRED, ConfirmForm, entered, error_list, refresh_expired_token
from ..models import Survey, User, YouSaidWeDid
from ..results_pages.routes import CACHE_SECONDS
from . import bp
from .forms import YouSaidWeDidForm


def _survey_or_404(survey_id: int) -> Survey:
    survey = db.session.get(Survey, row_id_or_404(survey_id))
    if survey is None:
        abort(404)
    return survey


def _entry_or_404(survey: Survey, entry_id: int) -> YouSaidWeDid:
    found = you_said_we_did.entry(survey.id, row_id_or_404(entry_id))
    if found is None:
        abort(404)
    return found


def _manage(survey: Survey) -> Any:
    return redirect(url_for("admin.results_manage", survey_id=survey.id))


@bp.route("/results/<int:survey_id>")
def results_manage(survey_id: int) -> Any:
    survey = _survey_or_404(survey_id)
    publication = results.publication(survey.id)
    publisher = (
        db.session.get(User, publication.published_by_user_id)
        if publication is not None and publication.published_by_user_id is not None
        else None
    )
    return render_template(
        "admin/results.html",
        survey=survey,
        publication=publication,
        published_by=publisher.email if publisher else None,
        entries=you_said_we_did.entries(survey.id),
        form=ConfirmForm(),
        under_way=[job for job in jobs.active_jobs() if job.kind == jobs.PUBLISH],
    )


@bp.route("/results/<int:survey_id>/publish", methods=["POST"])
def results_publish(survey_id: int) -> Any:
    survey = _survey_or_404(survey_id)
    if not ConfirmForm().validate_on_submit():
        flash(str(EXPIRED["staff"]) + ".", "info")
        return _manage(survey)
    try:
        results.refuse_if_open(survey)
    except results.PublishRefused as refusal:
        flash(str(refusal), "info")
        return _manage(survey)
    job, joined = jobs.start(
        jobs.PUBLISH, {"wave": survey.wave}, survey_id=survey.id, user_id=current_user.id
    )
    if joined:
        flash("These results were already being published, so your request joined it.", "info")
    return redirect(url_for("admin.job", job_id=job.id))


@bp.route("/results/<int:survey_id>/unpublish", methods=["GET", "POST"])
def results_unpublish(survey_id: int) -> Any:
    survey = _survey_or_404(survey_id)
    publication = results.publication(survey.id)
    if publication is None:
        flash(f"The results of wave {survey.wave} are not published.", "info")
        return _manage(survey)
    form = ConfirmForm()
    if request.method == "POST":
        if form.validate_on_submit():
            results.unpublish(survey.id)
            flash(
                f"The results of wave {survey.wave} are no longer published. Their "
                "'You said, we did' entries are kept as drafts.",
                "success",
            )
            return _manage(survey)
        refresh_expired_token(form)
    return render_template(
        "admin/results_unpublish.html",
        survey=survey,
        publication=publication,
        form=form,
        errors=error_list(form, expired_href="#unpublish") if form.errors else [],
        cache_minutes=CACHE_SECONDS // 60,
    )


def _render_entry(survey: Survey, form: YouSaidWeDidForm, found: YouSaidWeDid | None) -> Any:
    refresh_expired_token(form)
    return render_template(
        "admin/results_entry.html",
        survey=survey,
        form=form,
        entry=found,
        errors=error_list(form),
        you_said_limit=you_said_we_did.YOU_SAID_LIMIT,
        we_did_limit=you_said_we_did.WE_DID_LIMIT,
        published=results.publication(survey.id) is not None,
    )


@bp.route("/results/<int:survey_id>/entries/new", methods=["GET", "POST"])
def results_entry_new(survey_id: int) -> Any:
    survey = _survey_or_404(survey_id)
    form = YouSaidWeDidForm()
    if form.validate_on_submit():
        you_said_we_did.add_entry(survey.id, entered(form.you_said), entered(form.we_did))
        flash("Entry added.", "success")
        return _manage(survey)
    return _render_entry(survey, form, None)


@bp.route("/results/<int:survey_id>/entries/<int:entry_id>", methods=["GET", "POST"])
def results_entry_edit(survey_id: int, entry_id: int) -> Any:
    survey = _survey_or_404(survey_id)
    found = _entry_or_404(survey, entry_id)
    form = YouSaidWeDidForm(obj=found if request.method == "GET" else None)
    if form.validate_on_submit():
        you_said_we_did.change_entry(found, entered(form.you_said), entered(form.we_did))
        flash("Entry changed.", "success")
        return _manage(survey)
    return _render_entry(survey, form, found)


@bp.route("/results/<int:survey_id>/entries/<int:entry_id>/delete", methods=["GET", "POST"])
def results_entry_delete(survey_id: int, entry_id: int) -> Any:
    survey = _survey_or_404(survey_id)
    found = _entry_or_404(survey, entry_id)
    form = ConfirmForm()
    if request.method == "POST":
        if form.validate_on_submit():
            you_said_we_did.delete_entry(found)
            flash("Entry deleted.", "success")
            return _manage(survey)
        refresh_expired_token(form)
    return render_template(
        "admin/results_entry_delete.html",
        survey=survey,
        entry=found,
        form=form,
        errors=error_list(form, expired_href="#delete") if form.errors else [],
    )


@bp.route("/results/<int:survey_id>/entries/<int:entry_id>/move", methods=["POST"])
def results_entry_move(survey_id: int, entry_id: int) -> Any:
    survey = _survey_or_404(survey_id)
    found = _entry_or_404(survey, entry_id)
    direction = request.form.get("direction", "")
    if ConfirmForm().validate_on_submit() and direction in ("up", "down"):
        you_said_we_did.move_entry(found, direction)
    return _manage(survey)
