"""The resident's journey: start, one topic per page, check answers, submit, confirmation."""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response as HttpResponse

from .. import quality, responses
from ..extensions import db, limiter
from ..models import Response, Survey
from ..questionnaire import Page, Questionnaire
from ..questionnaire.forms import (
    form_class,
    handler_for,
    page_answers,
    page_form_data,
    page_template_context,
)
from ..questionnaire.handler_base import without_control_characters
from . import bp

log = logging.getLogger(__name__)
SLUG_CHARACTERS = re.compile(r"[^a-z0-9-]+")


@bp.after_request
def _private(response: HttpResponse) -> HttpResponse:
    # Residents may answer on a shared computer: keep their pages out of every cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _survey_post_limit() -> str:
    return current_app.config["SURVEY_RATE_LIMIT"]


survey_posts = limiter.limit(_survey_post_limit, methods=["POST"])
HONEYPOT_FIELD = "website"


def _caught_by_honeypot() -> bool:
    """People never see the honeypot field; form-filling robots fill it in."""
    if request.form.get(HONEYPOT_FIELD):
        log.info("honeypot field filled; nothing stored")
        return True
    return False


class SimpleForm(FlaskForm):
    """A form whose only field is its CSRF token: submit, start again."""


def _new_token() -> None:
    """A new response's token, and when it was begun: the start time stays in the resident's
    own cookie and only the time taken is stored (see survey_app.quality)."""
    session["token"] = responses.new_token()
    session["began"] = quality.started_now()


def _survey_or_none() -> tuple[Survey, Questionnaire] | None:
    survey = responses.open_survey()
    return (survey, responses.questionnaire_for(survey)) if survey else None


def _current_response(survey: Survey) -> Response | None:
    response = responses.resumable(
        responses.find_response(session.get("token")), current_app.config["RESUME_DAYS"]
    )
    if response is not None and response.survey_id != survey.id:
        return None
    return response


def _closed() -> str:
    return render_template("public/closed.html")


def _age_question_id(questionnaire: Questionnaire) -> str | None:
    rule = questionnaire.definition["derived"].get("age_band")
    return rule["from"] if rule else None


@bp.route("/")
def start() -> str | HttpResponse:
    found = _survey_or_none()
    if found is None:
        return _closed()
    survey, questionnaire = found
    response = _current_response(survey)
    return render_template(
        "public/start.html",
        questionnaire=questionnaire,
        response=response,
        form=SimpleForm(),
        visit=responses.ChannelVisit.from_session(session.get("visit")),
    )


@bp.route("/s/<path:slug>")
def channel_link(slug: str) -> HttpResponse:
    """A partner's link: remember the channel (and any UTM tags), then show the start page."""
    # Letters, digits and hyphens only: an unknown slug is stored, and no control character with it.
    clean_slug = SLUG_CHARACTERS.sub("", slug.lower())[:60] or None

    def utm(name: str) -> str | None:
        # Anyone can type a tag. A control character in one would be stored with every response
        # through the link, and no XLSX export could hold it.
        value = without_control_characters(request.args.get(name)) or ""
        return value.strip()[:100] or None

    session["visit"] = {
        "slug": clean_slug,
        "utm_source": utm("utm_source"),
        "utm_medium": utm("utm_medium"),
        "utm_campaign": utm("utm_campaign"),
    }
    session.permanent = True
    return redirect(url_for("public.start"))


@bp.route("/start")
def begin() -> HttpResponse:
    found = _survey_or_none()
    if found is None:
        return redirect(url_for("public.start"))
    survey, questionnaire = found
    response = _current_response(survey)
    if response is not None and response.status == "submitted":
        return redirect(url_for("public.confirmation"))
    if not session.get("token") or response is None:
        _new_token()
    session.permanent = True
    answers, done = (response.answers, response.pages_done) if response else ({}, [])
    page = questionnaire.first_unanswered(answers, done)
    if page is None:
        return redirect(url_for("public.check_answers"))
    return redirect(url_for("public.question", page_id=page.id))


@bp.route("/start-again", methods=["POST"])
@survey_posts
def start_again() -> HttpResponse:
    if SimpleForm().validate_on_submit():
        try:
            responses.discard(session.get("token"))
        except SQLAlchemyError:
            db.session.rollback()
            log.warning("database error while discarding a response", exc_info=True)
            return render_template("public/try_again.html"), 503
        session.pop("token", None)
    return redirect(url_for("public.start"))


def _render_question(
    questionnaire: Questionnaire,
    page: Page,
    form: FlaskForm,
    answers: dict[str, Any],
    *,
    status: int = 200,
    save_failed: bool | str = False,
) -> tuple[str, int]:
    previous = questionnaire.previous_page(page.id, answers)
    if request.args.get("change"):
        back = url_for("public.check_answers")
    elif previous is not None:
        back = url_for("public.question", page_id=previous.id)
    else:
        back = url_for("public.start")
    return render_template(
        "public/question.html",
        **page_template_context(page, form),
        back_url=back,
        save_failed=save_failed,
        questionnaire=questionnaire,
    ), status


@bp.route("/questions/<page_id>", methods=["GET", "POST"])
@survey_posts
def question(page_id: str) -> Any:
    try:
        return _question(page_id)
    except SQLAlchemyError:
        if request.method != "POST":
            raise  # errors.py shows the friendly 503 page
        db.session.rollback()
        log.warning("database error before saving a page", exc_info=True)
        kept = _page_kept_on_screen(page_id)
        if kept is None:
            raise
        return kept


def _page_kept_on_screen(
    page_id: str, *, status: int = 503, reason: bool | str = True
) -> tuple[str, int] | None:
    """The page as posted, with a 'could not save' banner, when the database is unreachable
    (or, with reason "busy", when the network address has sent too many answers)."""
    remembered = responses.last_served_questionnaire()
    if remembered is None:
        return None
    survey_key, questionnaire = remembered
    page = questionnaire.page(page_id)
    if page is None:
        return None
    form = form_class(survey_key, page)()
    return _render_question(questionnaire, page, form, {}, status=status, save_failed=reason)


@bp.errorhandler(429)
def _too_many_posts(error: Exception) -> Any:
    """Over the survey's rate limit: keep what the resident just sent on screen to send again."""
    kept: Any = None
    if request.method == "POST" and request.endpoint == "public.question":
        if responses.last_served_questionnaire() is None:
            try:
                _survey_or_none()  # parses the questionnaire to draw the page with
            except SQLAlchemyError:
                db.session.rollback()
        page_id = (request.view_args or {}).get("page_id", "")
        kept = _page_kept_on_screen(page_id, status=429, reason="busy")
    elif request.method == "POST" and request.endpoint == "public.check_answers":
        kept = (
            render_template(
                "public/try_again.html", retry_submit=True, busy=True, form=SimpleForm()
            ),
            429,
        )
    if kept is None:
        kept = render_template("errors/error.html", code=429, title="Too many requests"), 429
    return kept


def _question(page_id: str) -> Any:
    found = _survey_or_none()
    if found is None:
        return _closed()
    survey, questionnaire = found
    page = questionnaire.page(page_id)
    if page is None:
        abort(404)
    PageForm = form_class((survey.slug, survey.version), page)

    response = _current_response(survey)
    if response is not None and response.status == "submitted":
        return redirect(url_for("public.confirmation"))
    answers = dict(response.answers) if response else {}
    done = list(response.pages_done) if response else []

    first_unanswered = questionnaire.first_unanswered(answers, done)
    visible = {p.id for p in questionnaire.visible_pages(answers)}
    # Residents go forward page by page; a POST is accepted for any page their answers lead
    # to, so that a resident whose session was lost still has this page's answers saved.
    allowed = page.id in visible and (
        request.method == "POST" or page.id in done or page == first_unanswered
    )
    if not allowed:
        if first_unanswered is None:
            return redirect(url_for("public.check_answers"))
        return redirect(url_for("public.question", page_id=first_unanswered.id))

    if request.method == "GET":
        form = PageForm(data=page_form_data(page, answers))
        return _render_question(questionnaire, page, form, answers)

    if _caught_by_honeypot():
        following = questionnaire.next_page(page.id, answers)
        target = url_for("public.question", page_id=following.id) if following else None
        return redirect(target or url_for("public.check_answers"))
    form = PageForm()
    if not form.validate():
        return _render_question(questionnaire, page, form, answers)

    new_answers = page_answers(page, form)
    age_id = _age_question_id(questionnaire)
    age = new_answers.get(age_id) if age_id else None
    if isinstance(age, int) and age < questionnaire.minimum_age:
        try:
            responses.discard(session.get("token"))
        except SQLAlchemyError:
            db.session.rollback()
            log.warning("database error while discarding an under-age response", exc_info=True)
        session.pop("token", None)
        return redirect(url_for("public.too_young"))

    if not session.get("token"):
        _new_token()
    session.permanent = True

    def save() -> responses.SavedPage:
        return responses.save_page(
            survey=survey,
            token=session["token"],
            page=page,
            page_answers=new_answers,
            visit=responses.ChannelVisit.from_session(session.get("visit")),
            current=response,
        )

    try:
        try:
            saved = save()
        except responses.TokenSpent:
            # This browser's response was submitted, or belongs to a survey since replaced:
            # these answers start a new response.
            _new_token()
            saved = save()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("database error while saving a page", exc_info=True)
        return _render_question(questionnaire, page, form, answers, status=503, save_failed=True)

    if request.args.get("change"):
        following = questionnaire.first_unanswered(saved.answers, saved.pages_done)
    else:
        following = questionnaire.next_page(page.id, saved.answers)
        if following is not None and following.id in saved.pages_done:
            following = questionnaire.first_unanswered(saved.answers, saved.pages_done)
    if following is None:
        return redirect(url_for("public.check_answers"))
    return redirect(url_for("public.question", page_id=following.id))


def _summary(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for page in questionnaire.visible_pages(answers):
        change_url = url_for("public.question", page_id=page.id, change=1)  # once a page
        for question in page.questions:
            for label, value in handler_for(question).summary(answers):
                rows.append({"change_url": change_url, "label": label, "value": value})
    return rows


@bp.route("/check-answers", methods=["GET", "POST"])
@survey_posts
def check_answers() -> Any:
    try:
        return _check_answers()
    except SQLAlchemyError:
        if request.method != "POST":
            raise  # errors.py shows the friendly 503 page
        db.session.rollback()
        log.warning("database error before submitting a response", exc_info=True)
        form = SimpleForm()
        return render_template("public/try_again.html", retry_submit=True, form=form), 503


def _check_answers() -> Any:
    found = _survey_or_none()
    if found is None:
        return _closed()
    survey, questionnaire = found
    response = _current_response(survey)
    if response is not None and response.status == "submitted":
        return redirect(url_for("public.confirmation"))
    if response is None:
        if request.method == "POST":
            return render_template("public/answers_not_found.html"), 400
        return redirect(url_for("public.start"))
    first_unanswered = questionnaire.first_unanswered(response.answers, response.pages_done)
    if first_unanswered is not None:
        return redirect(url_for("public.question", page_id=first_unanswered.id))

    form = SimpleForm()
    if request.method == "POST":
        if _caught_by_honeypot():
            return redirect(url_for("public.start"))
        if not form.validate():
            # The page had expired; show it again with a fresh token, nothing is lost.
            form.csrf_token.data = form.csrf_token.current_token
            return render_template(
                "public/check_answers.html",
                rows=_summary(questionnaire, response.answers),
                form=form,
                expired=True,
            )
        signs = responses.QualitySigns(
            duration_seconds=quality.seconds_taken(session.get("began")),
            answer_pattern=quality.answer_pattern(questionnaire, response.answers),
        )
        try:
            result = responses.submit(response, signs)
        except SQLAlchemyError:
            db.session.rollback()
            log.warning("database error while submitting a response", exc_info=True)
            return render_template("public/try_again.html", retry_submit=True, form=form), 503
        if not result.already_submitted:
            try:
                quality.note_bursts(result.response_id, signs.answer_pattern, responses.today())
            except SQLAlchemyError:
                # The response is safely submitted; only its burst flags are missing.
                db.session.rollback()
                log.warning("database error while checking a response's quality", exc_info=True)
        return redirect(url_for("public.confirmation"))
    return render_template(
        "public/check_answers.html",
        rows=_summary(questionnaire, response.answers),
        form=form,
    )


@bp.route("/confirmation")
def confirmation() -> Any:
    response = responses.find_response(session.get("token"))
    if response is None or response.status != "submitted":
        return redirect(url_for("public.start"))
    return render_template("public/confirmation.html", response=response, form=SimpleForm())


@bp.route("/too-young")
def too_young() -> str:
    return render_template("public/too_young.html")


@bp.route("/privacy")
def privacy() -> str:
    return render_template("public/privacy.html")


@bp.route("/accessibility")
def accessibility() -> str:
    return render_template("public/accessibility.html")


@bp.route("/cookies")
def cookies() -> str:
    return render_template("public/cookies.html")
