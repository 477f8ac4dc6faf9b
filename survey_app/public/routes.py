"""The resident's journey: start, one topic per page, check answers, submit, confirmation."""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as HttpResponse

from .. import languages, quality, responses, results, tokens
from ..database import DATABASE_UNAVAILABLE
from ..errors import TITLES, retry_after
from ..extensions import db, limiter
from ..forms import EXPIRED, ConfirmForm
from ..models import Response, Survey
from ..questionnaire import Page, Questionnaire
from ..questionnaire.forms import (
    JourneyPages,
    form_class,
    is_pristine,
    page_answers,
    page_form_data,
    page_template_context,
)
from ..questionnaire.handler_base import without_control_characters
from ..questionnaire.journey import CHECK_ANSWERS, Journey
from ..security import csp_nonce
from . import bp

log = logging.getLogger(__name__)
RESIDENT_PAGES = JourneyPages("public.question", "public.check_answers", "public.start")
# Where a process keeps the resident question pages drawn before anyone answers them
# (app.extensions), and the slots in them for what each request fills in.
PRISTINE_RESIDENT_PAGES = "safermk_pristine_resident_pages"
CSRF_SLOT = f"csrf-slot-{secrets.token_hex(8)}"
NONCE_SLOT = f"nonce-slot-{secrets.token_hex(8)}"
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


def _new_token() -> None:
    """A new response's token, and when it was begun: the start time stays in the resident's
    own cookie and only the time taken is stored (see survey_app.quality)."""
    session["token"] = tokens.new_token()
    session["began"] = quality.started_now()


@bp.before_request
def _language_from_link() -> None:
    languages.choose_from_link()


def _questionnaire(survey: Survey, response: Response | None = None) -> Questionnaire:
    """The survey's questionnaire in the resident's language (settled for the request here)."""
    language = languages.resident_language(
        responses.survey_languages(survey), response.language if response else None
    )
    return responses.questionnaire_for(survey, language)


def _settle_language() -> None:
    """For a page that shows no questionnaire: the resident's language, if the open survey is
    offered in it (English if the database cannot say)."""
    try:
        _survey_or_none()
    except DATABASE_UNAVAILABLE:
        db.session.rollback()


def _survey_or_none() -> tuple[Survey, Questionnaire] | None:
    survey = responses.open_survey()
    return (survey, _questionnaire(survey)) if survey else None


def _survey_and_response() -> tuple[Survey, Questionnaire, Response | None] | None:
    """The open survey and its questionnaire, and the resident's response to it that can still
    be picked up (None if there is none); None if no survey is open."""
    survey, response = responses.open_survey_and_response(session.get("token"))
    if survey is None:
        return None
    response = responses.resumable(response, current_app.config["RESUME_DAYS"])
    if response is not None and response.survey_id != survey.id:
        response = None
    return survey, _questionnaire(survey, response), response


def _journey(questionnaire: Questionnaire, response: Response | None) -> Journey:
    if response is None:
        return Journey(questionnaire)
    return Journey(questionnaire, response.answers, response.pages_done)


def _closed() -> str:
    return render_template("public/closed.html")


@bp.route("/")
def start() -> str | HttpResponse:
    found = _survey_and_response()
    if found is None:
        return _closed()
    survey, questionnaire, response = found
    return render_template(
        "public/start.html",
        questionnaire=questionnaire,
        response=response,
        form=ConfirmForm(),
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
    found = _survey_and_response()
    if found is None:
        return redirect(url_for("public.start"))
    survey, questionnaire, response = found
    if response is not None and response.status == "submitted":
        return redirect(url_for("public.confirmation"))
    if not session.get("token") or response is None:
        _new_token()
    session.permanent = True
    page = _journey(questionnaire, response).first_unanswered()
    return redirect(RESIDENT_PAGES.url(page or CHECK_ANSWERS))


@bp.route("/start-again", methods=["POST"])
@survey_posts
def start_again() -> HttpResponse:
    if ConfirmForm().validate_on_submit():
        responses.discard(session.get("token"))
        session.pop("token", None)
    return redirect(url_for("public.start"))


def _render_question(
    journey: Journey,
    page: Page,
    form: FlaskForm,
    *,
    status: int = 200,
    save_failed: bool | str = False,
) -> tuple[str, int]:
    back = journey.back_from(page, from_check_answers=bool(request.args.get("change")))
    back_url = RESIDENT_PAGES.url(back)

    def draw(**overrides: Any) -> str:
        return render_template(
            "public/question.html",
            **page_template_context(page, form, survey_key=journey.questionnaire.key),
            back_url=back_url,
            save_failed=save_failed,
            questionnaire=journey.questionnaire,
            **overrides,
        )

    if status != 200 or save_failed or not is_pristine(form) or current_user.is_authenticated:
        return draw(), status
    # The page as every resident first sees it: drawn once per page and Back link, with slots
    # for the two things that differ on every request (the form's CSRF token, the nonce of the
    # page's inline script). Nothing a resident typed is in it, and no staff navigation.
    drawn = current_app.extensions.setdefault(PRISTINE_RESIDENT_PAGES, {})
    key = (*journey.questionnaire.key, page.id, back_url)
    if key not in drawn:
        token = form.csrf_token.current_token
        form.csrf_token.current_token = CSRF_SLOT
        try:
            drawn[key] = draw(cspNonce=NONCE_SLOT)
        finally:
            form.csrf_token.current_token = token
    html = drawn[key].replace(CSRF_SLOT, form.csrf_token.current_token)
    return html.replace(NONCE_SLOT, csp_nonce()), status


@bp.route("/questions/<page_id>", methods=["GET", "POST"])
@survey_posts
def question(page_id: str) -> Any:
    return _question(page_id)


def _database_unavailable(error: Exception) -> Any:
    """The one place a resident's page meets a database outage: nothing they sent is lost.

    A posted question page is shown again as posted, with a "could not save" banner; a posted
    check answers page offers to submit again; anything else is the general "try again" page.
    """
    db.session.rollback()
    log.warning("database unavailable: %s", type(error).__name__)
    kept: Any = None
    if request.method == "POST" and request.endpoint == "public.question":
        kept = _page_kept_on_screen((request.view_args or {}).get("page_id", ""))
    elif request.method == "POST" and request.endpoint == "public.check_answers":
        kept = render_template("public/try_again.html", retry_submit=True, form=ConfirmForm()), 503
    return kept or (render_template("public/try_again.html"), 503)


for _unavailable in DATABASE_UNAVAILABLE:
    bp.register_error_handler(_unavailable, _database_unavailable)


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
    return _render_question(Journey(questionnaire), page, form, status=status, save_failed=reason)


@bp.errorhandler(429)
def _too_many_posts(error: Exception) -> Any:
    """Over the survey's rate limit: keep what the resident just sent on screen to send again."""
    kept: tuple[str, int] | None = None
    if request.method == "POST" and request.endpoint == "public.question":
        if responses.last_served_questionnaire() is None:
            try:
                _survey_or_none()  # parses the questionnaire to draw the page with
            except DATABASE_UNAVAILABLE:
                db.session.rollback()
        page_id = (request.view_args or {}).get("page_id", "")
        kept = _page_kept_on_screen(page_id, status=429, reason="busy")
    elif request.method == "POST" and request.endpoint == "public.check_answers":
        kept = (
            render_template(
                "public/try_again.html", retry_submit=True, busy=True, form=ConfirmForm()
            ),
            429,
        )
    if kept is None:
        kept = render_template("errors/error.html", code=429, title=TITLES[429]), 429
    body, status = kept
    return body, status, retry_after(error)


def _question(page_id: str) -> Any:
    found = _survey_and_response()
    if found is None:
        return _closed()
    survey, questionnaire, response = found
    if response is not None and response.status == "submitted":
        return redirect(url_for("public.confirmation"))
    journey = _journey(questionnaire, response)
    access = journey.access(page_id, posting=request.method == "POST")
    if access.not_found:
        abort(404)
    if access.page is None:
        assert access.redirect is not None
        return redirect(RESIDENT_PAGES.url(access.redirect))
    page = access.page
    PageForm = form_class(questionnaire.key, page)

    if request.method == "GET":
        form = PageForm(data=page_form_data(page, journey.answers))
        return _render_question(journey, page, form)

    if _caught_by_honeypot():
        following = journey.after_save(page.id, journey.answers, journey.pages_done)
        return redirect(RESIDENT_PAGES.url(following))
    form = PageForm()
    if not form.validate():
        return _render_question(journey, page, form)

    new_answers = page_answers(page, form)
    if journey.is_under_age(new_answers):
        try:
            responses.discard(session.get("token"))
        except DATABASE_UNAVAILABLE:
            # Nothing of theirs is kept either way: the stale row goes with `flask purge`.
            db.session.rollback()
            log.warning("database unavailable while discarding an under-age response")
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
            language=questionnaire.language,
        )

    try:
        saved = save()
    except responses.TokenSpent:
        # This browser's response was submitted, or belongs to a survey since replaced: these
        # answers start a new response.
        _new_token()
        saved = save()

    following = journey.after_save(
        page.id,
        saved.answers,
        saved.pages_done,
        from_check_answers=bool(request.args.get("change")),
    )
    return redirect(RESIDENT_PAGES.url(following))


def _summary(journey: Journey) -> list[dict[str, Any]]:
    """The check answers rows, each with a link to change its page (and come back)."""
    return [
        {
            "change_url": url_for("public.question", page_id=row.page.id, change=1),
            "label": row.label,
            "value": row.value,
        }
        for row in journey.summary()
    ]


@bp.route("/check-answers", methods=["GET", "POST"])
@survey_posts
def check_answers() -> Any:
    return _check_answers()


def _check_answers() -> Any:
    found = _survey_and_response()
    if found is None:
        return _closed()
    survey, questionnaire, response = found
    if response is not None and response.status == "submitted":
        return redirect(url_for("public.confirmation"))
    if response is None:
        if request.method == "POST":
            return render_template("public/answers_not_found.html"), 400
        return redirect(url_for("public.start"))
    journey = _journey(questionnaire, response)
    first_unanswered = journey.first_unanswered()
    if first_unanswered is not None:
        return redirect(RESIDENT_PAGES.url(first_unanswered))

    form = ConfirmForm()
    if request.method == "POST":
        if _caught_by_honeypot():
            return redirect(url_for("public.start"))
        if not form.validate():
            # The page had expired; show it again with a fresh token, nothing is lost.
            form.csrf_token.data = form.csrf_token.current_token
            return render_template(
                "public/check_answers.html",
                rows=_summary(journey),
                form=form,
                expired=EXPIRED["submit"],
            )
        signs = responses.QualitySigns(
            duration_seconds=quality.seconds_taken(session.get("began")),
            answer_pattern=quality.answer_pattern(questionnaire, response.answers),
        )
        result = responses.submit(response, signs)
        if not result.already_submitted:
            try:
                quality.note_bursts(result.response_id, signs.answer_pattern, responses.today())
            except DATABASE_UNAVAILABLE:
                # The response is safely submitted; only its burst flags are missing.
                db.session.rollback()
                log.warning("database error while checking a response's quality", exc_info=True)
        return redirect(url_for("public.confirmation"))
    return render_template(
        "public/check_answers.html",
        rows=_summary(journey),
        form=form,
    )


@bp.route("/confirmation")
def confirmation() -> Any:
    _settle_language()
    response = responses.find_response(session.get("token"))
    if response is None or response.status != "submitted":
        return redirect(url_for("public.start"))
    return render_template(
        "public/confirmation.html",
        response=response,
        form=ConfirmForm(),
        results_published=results.any_published(response.survey.slug),
    )


@bp.route("/too-young")
def too_young() -> str:
    _settle_language()
    return render_template("public/too_young.html")


@bp.route("/privacy")
def privacy() -> str:
    _settle_language()
    return render_template("public/privacy.html")


@bp.route("/accessibility")
def accessibility() -> str:
    _settle_language()
    return render_template("public/accessibility.html")


@bp.route("/cookies")
def cookies() -> str:
    _settle_language()
    return render_template("public/cookies.html")
