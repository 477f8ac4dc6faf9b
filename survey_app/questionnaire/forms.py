"""Page forms: one WTForms form per questionnaire page, built from its questions' handlers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import Field

from ..forms import EXPIRED, error_list
from .answer_types import Rendering, handler_for
from .definition import Page
from .journey import CHECK_ANSWERS, START, Destination

__all__ = [
    "JourneyPages",
    "PageForm",
    "form_class",
    "handler_for",
    "page_answers",
    "page_form_data",
    "page_heading",
    "page_template_context",
    "render_page",
]


@dataclass(frozen=True)
class JourneyPages:
    """The endpoints a journey's destinations are served at: the resident's, or paper entry's."""

    question: str
    check_answers: str
    start: str

    def url(self, destination: Destination, **args: Any) -> str:
        if destination == CHECK_ANSWERS:
            return url_for(self.check_answers)
        if destination == START:
            return url_for(self.start)
        assert isinstance(destination, Page)
        return url_for(self.question, page_id=destination.id, **args)


# Where a process keeps the question pages drawn before anyone answers them (app.extensions).
PRISTINE_PAGES = "safermk_pristine_question_pages"


class PageForm(FlaskForm):
    """The base of every generated page form: CSRF protection comes from FlaskForm."""


_form_classes: dict[tuple[str, int, str, str], type[PageForm]] = {}


def form_class(survey_key: tuple[str, int, str], page: Page) -> type[PageForm]:
    key = (*survey_key, page.id)
    if key not in _form_classes:
        fields: dict[str, Field] = {}
        for question in page.questions:
            fields.update(handler_for(question).fields())
        _form_classes[key] = type(f"PageForm_{page.id}", (PageForm,), fields)
    return _form_classes[key]


def page_answers(page: Page, form: PageForm) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in page.questions:
        answers.update(handler_for(question).answers(form))
    return answers


def page_form_data(page: Page, answers: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for question in page.questions:
        data.update(handler_for(question).form_data(answers))
    return data


def page_heading(page: Page) -> tuple[str, bool]:
    """The page's h1 text, and whether its single question's label is that h1."""
    questions = page.questions
    if len(questions) == 1 and not page.spec.get("intro"):
        # A grid's items are fieldsets of their own, so its label heads the page instead.
        return questions[0].label, questions[0].type != "grid"
    return page.title, False


def render_page(page: Page, form: PageForm) -> list[Rendering]:
    _, question_is_heading = page_heading(page)
    renderings: list[Rendering] = []
    for question in page.questions:
        renderings += handler_for(question).render(form, question_is_heading)
    return renderings


def page_errors(form: FlaskForm, page: Page) -> list[dict[str, str]]:
    """The error summary's entries: each field's first error, linked to the field."""
    return error_list(form, expired=EXPIRED["question"], expired_href=f"#{page.answer_keys[0]}")


def _rendered_questions(page: Page, form: FlaskForm) -> Markup:
    macro = current_app.jinja_env.get_template("partials/question.html").module.render_question  # type: ignore[attr-defined]  # a template module's macros are its attributes
    return Markup("").join(macro(kind, params) for kind, params in render_page(page, form))


def is_pristine(form: FlaskForm) -> bool:
    """Nothing typed, chosen or wrong yet: the page as every respondent first sees it."""
    return not form.errors and all(
        field.data in (None, "", []) for field in form if field.name != "csrf_token"
    )


def page_template_context(
    page: Page, form: FlaskForm, *, survey_key: tuple[str, int, str] | None = None
) -> dict[str, Any]:
    """What a question page's template needs, for residents and for paper entry alike.

    The page's questions are drawn once per survey version while nobody has answered them (the
    page as every respondent first sees it: most page views) and kept for the life of the
    process; a page with answers or errors is drawn afresh. Nothing a respondent typed is kept.
    """
    errors = page_errors(form, page)
    if "csrf_token" in form.errors:
        # The expired token is replaced so that the next Continue succeeds.
        form.csrf_token.data = form.csrf_token.current_token
    heading, question_is_heading = page_heading(page)
    if survey_key is not None and is_pristine(form):
        drawn = current_app.extensions.setdefault(PRISTINE_PAGES, {})
        key = (*survey_key, page.id)
        if key not in drawn:
            drawn[key] = _rendered_questions(page, form)
        questions_html = drawn[key]
    else:
        questions_html = _rendered_questions(page, form)
    return {
        "page": page,
        "form": form,
        "heading": heading,
        "question_is_heading": question_is_heading,
        "questions_html": questions_html,
        "errors": errors,
    }
