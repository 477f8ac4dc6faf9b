"""Response quality: the analyst reviews suspected responses, excludes or keeps each group, and
can undo a decision. Nothing is deleted; every decision is recorded (see survey_app.quality)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import quality
from ..errors import row_id_or_404
from ..extensions import db
from ..forms import add_error, entered, error_list, refresh_expired_token
from ..models import QualityDecision
from ..questionnaire import Questionnaire
from ..questionnaire.forms import handler_for
from . import bp
from . import dashboard as live
from .forms import REASON_LIMIT, QualityDecisionForm, UndoDecisionForm


def _survey_or_404() -> dict[str, Any]:
    survey = live.current_survey()
    if survey is None:
        abort(404)
    return survey


@bp.app_template_filter("duration")
def _duration(seconds: int | None) -> str:
    return quality.duration_words(seconds)


@bp.route("/quality")
def quality_review() -> Any:
    survey = live.current_survey()
    if survey is None:
        return render_template("admin/quality.html", survey=None)
    timing = quality.timing(survey["id"])
    return render_template(
        "admin/quality.html",
        survey=survey,
        timing=timing,
        overview=quality.overview(survey["id"], timing.fast_below),
        groups=quality.groups_to_review(survey["id"], timing.fast_below),
        decisions=quality.decisions(survey["id"]),
        signs=quality.SIGNS,
        rules=quality.sign_rules(timing.fast_below),
    )


def _closed_answers(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[dict[str, str]]:
    """The answers a group shares, as the resident's check-answers page words them."""
    rows = []
    for page in questionnaire.visible_pages(answers):
        for question in page.questions:
            if question.id in questionnaire.free_text_keys:
                continue
            for label, value in handler_for(question).summary(answers):
                rows.append({"label": label, "value": value})
    return rows


def _group_or_404(survey: dict[str, Any], sign: str, key: str) -> quality.Group | None:
    if sign not in quality.SIGNS:
        abort(404)
    fast_below = quality.timing(survey["id"]).fast_below
    return next(
        (
            group
            for group in quality.groups_to_review(survey["id"], fast_below)
            if group.sign == sign and group.key == key
        ),
        None,
    )


@bp.route("/quality/review", methods=["GET", "POST"])
def quality_group() -> Any:
    survey = _survey_or_404()
    sign, key = request.args.get("sign", ""), request.args.get("key", "")
    group = _group_or_404(survey, sign, key)
    if group is None:
        flash("Those responses have been decided already, or no longer look suspect.", "info")
        return redirect(url_for("admin.quality_review"))
    form = QualityDecisionForm()
    if request.method == "GET":
        form.expected.data = str(group.count)
    elif form.validate_on_submit():
        expected = form.expected.data or ""
        try:
            decision = quality.decide(
                survey_id=survey["id"],
                sign=sign,
                key=key,
                expected=int(expected) if expected.isdigit() else -1,
                action=form.action.data,
                reason=entered(form.reason),
                user_id=current_user.id,
            )
        except quality.DecisionError as error:
            add_error(form.action, str(error))
            form.expected.data = str(group.count)
        else:
            verb = "excluded from every report" if decision.action == "exclude" else "kept"
            flash(
                f"{decision.response_count:,} responses {verb}. The decision is recorded.",
                "success",
            )
            return redirect(url_for("admin.quality_review"))
    refresh_expired_token(form)
    questionnaire = Questionnaire(survey["definition"])
    shared = _closed_answers(questionnaire, group.example_answers) if group.example_answers else []
    return render_template(
        "admin/quality_group.html",
        group=group,
        form=form,
        errors=error_list(form),
        shared_answers=shared,
        reason_limit=REASON_LIMIT,
        description=quality.describe_group(group),
    )


@bp.route("/quality/decisions/<int:decision_id>/undo", methods=["GET", "POST"])
def quality_undo(decision_id: int) -> Any:
    survey = _survey_or_404()
    decision = db.session.get(QualityDecision, row_id_or_404(decision_id))
    if decision is None or decision.survey_id != survey["id"] or decision.action == "undo":
        abort(404)
    if decision.undone_by_id is not None:
        flash("That decision has been undone already.", "info")
        return redirect(url_for("admin.quality_review"))
    form = UndoDecisionForm()
    if form.validate_on_submit():
        try:
            undoing = quality.undo(
                decision.id,
                reason=entered(form.reason),
                user_id=current_user.id,
            )
        except quality.DecisionError as error:
            add_error(form.reason, str(error))
        else:
            flash(
                f"Decision undone: {undoing.response_count:,} responses are back to review.",
                "success",
            )
            return redirect(url_for("admin.quality_review"))
    refresh_expired_token(form)
    return render_template(
        "admin/quality_undo.html",
        decision=decision,
        form=form,
        errors=error_list(form),
        reason_limit=REASON_LIMIT,
    )
