"""Paper questionnaires typed in by the analyst, page by page through the resident's own pages
(the same forms, so the same validation), then checked and submitted."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from .. import responses
from ..forms import ConfirmForm, add_error, error_list, refresh_expired_token
from ..questionnaire import Page
from ..questionnaire.forms import (
    JourneyPages,
    form_class,
    page_answers,
    page_form_data,
    page_template_context,
)
from ..questionnaire.journey import Journey
from . import bp, paper_entry
from .forms import PaperStartForm, choices
from .paper_entry import PaperEntry

LAST_REFERENCE_KEY = "paper_last_reference"
PAPER_PAGES = JourneyPages("admin.paper_question", "admin.paper_check", "admin.paper_start")


@bp.route("/paper", methods=["GET", "POST"])
def paper_start() -> Any:
    form = PaperStartForm()
    form.channel_id.choices = choices(paper_entry.channel_choices(), "Select a channel")
    survey = paper_entry.entry_survey()
    if survey is not None and form.validate_on_submit():
        channel = paper_entry.chosen_channel(form.channel_id.data)
        if channel is None:
            add_error(form.channel_id, "Select the channel the form came from")
        else:
            paper_entry.discard(session)
            paper_entry.start(session, channel)
            entry = paper_entry.current(session)
            assert entry is not None, "the entry has just been started"
            first = entry.questionnaire.pages[0]
            return redirect(url_for("admin.paper_question", page_id=first.id))
    refresh_expired_token(form)
    return render_template(
        "admin/paper_start.html",
        form=form,
        errors=error_list(form),
        survey=survey,
        in_progress=paper_entry.current(session),
        last_reference=session.pop(LAST_REFERENCE_KEY, None),
    )


def _entry_or_restart() -> PaperEntry | None:
    entry = paper_entry.current(session)
    if entry is None:
        flash("Choose the channel for the paper questionnaire first.", "info")
    return entry


def _render_page(entry: PaperEntry, journey: Journey, page: Page, form: FlaskForm) -> Any:
    return render_template(
        "admin/paper_question.html",
        entry=entry,
        **page_template_context(page, form, survey_key=journey.questionnaire.key),
        back_url=PAPER_PAGES.url(journey.back_from(page)),
    )


@bp.route("/paper/questions/<page_id>", methods=["GET", "POST"])
def paper_question(page_id: str) -> Any:
    entry = _entry_or_restart()
    if entry is None:
        return redirect(url_for("admin.paper_start"))
    journey = Journey(entry.questionnaire, *paper_entry.answers_and_pages(entry))
    access = journey.access(page_id, posting=request.method == "POST")
    if access.not_found:
        abort(404)
    if access.page is None:
        assert access.redirect is not None
        return redirect(PAPER_PAGES.url(access.redirect))
    page = access.page

    PageForm = form_class(entry.questionnaire.key, page)
    if request.method == "GET":
        form = PageForm(data=page_form_data(page, journey.answers))
        return _render_page(entry, journey, page, form)
    form = PageForm()
    if not form.validate():
        return _render_page(entry, journey, page, form)
    new_answers = page_answers(page, form)
    if journey.is_under_age(new_answers):
        paper_entry.discard(session)
        return render_template(
            "admin/paper_too_young.html", minimum_age=entry.questionnaire.minimum_age
        )
    try:
        saved = paper_entry.save_page(entry, page, new_answers, current_user)
    except responses.TokenSpent:
        paper_entry.discard(session)
        flash(
            "A new version of the survey was opened while this questionnaire was being typed in. "
            "Please start typing it in again.",
            "info",
        )
        return redirect(url_for("admin.paper_start"))
    return redirect(PAPER_PAGES.url(journey.after_save(page.id, saved.answers, saved.pages_done)))


@bp.route("/paper/check", methods=["GET", "POST"])
def paper_check() -> Any:
    entry = _entry_or_restart()
    if entry is None:
        return redirect(url_for("admin.paper_start"))
    journey = Journey(entry.questionnaire, *paper_entry.answers_and_pages(entry))
    first_unanswered = journey.first_unanswered()
    if first_unanswered is not None:
        return redirect(PAPER_PAGES.url(first_unanswered))
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        reference = paper_entry.submit(session, entry)
        if reference is not None:
            session[LAST_REFERENCE_KEY] = reference
            return redirect(url_for("admin.paper_start"))
    refresh_expired_token(form)
    return render_template(
        "admin/paper_check.html",
        entry=entry,
        rows=journey.summary(),
        form=form,
        errors=error_list(form),
    )


@bp.route("/paper/discard", methods=["GET", "POST"])
def paper_discard() -> Any:
    """Discarding a typed-in form is asked for, then confirmed on a page of its own."""
    entry = paper_entry.current(session)
    if entry is None:
        return redirect(url_for("admin.paper_start"))
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        paper_entry.discard(session)
        flash("The paper questionnaire you were typing in has been discarded.", "success")
        return redirect(url_for("admin.paper_start"))
    refresh_expired_token(form)
    _, done = paper_entry.answers_and_pages(entry)
    return render_template(
        "admin/paper_discard.html", entry=entry, form=form, pages_typed=len(list(done))
    )
