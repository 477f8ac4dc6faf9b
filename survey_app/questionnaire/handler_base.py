"""What every answer-type handler shares: the interface, error rendering, length checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    ValidationError,
)

from .definition import Question
from .messages import message

Params = dict[str, Any]
Rendering = tuple[str, Params]


# Control characters (other than tab and line breaks), lone surrogates and Unicode noncharacters
# have no place in an answer, and would make the page that shows the answer back invalid HTML.
UNWANTED_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef]")


def _is_noncharacter(character: str) -> bool:
    return (ord(character) & 0xFFFE) == 0xFFFE


def without_control_characters(value: str | None) -> str | None:
    if not isinstance(value, str):
        return value
    cleaned = UNWANTED_CHARACTERS.sub("", value)
    return "".join(c for c in cleaned if not _is_noncharacter(c))


def with_plain_line_breaks(value: str | None) -> str | None:
    """Every line break as a single LF. Browsers post each line break in a text box as CR LF,
    while the box's maxlength and its character count take it as one character: counted as
    posted, a comment within the limit on screen would be refused as too long."""
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n")


# Run on everything residents type, before it is checked or stored.
TEXT_FILTERS = [with_plain_line_breaks, without_control_characters]


def stripped(value: str | None) -> str:
    return (value or "").strip()


class Handler:
    answer_type: ClassVar[str]

    def __init__(self, question: Question):
        self.question = question
        self.spec = question.spec

    def msg(self, key: str, **values: object) -> str:
        return message(key, self.spec.get("messages"), **values)

    def fields(self) -> dict[str, Field]:
        raise NotImplementedError

    def answers(self, form: FlaskForm) -> dict[str, Any]:
        raise NotImplementedError

    def form_data(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        return {key: answers[key] for key in self.question.answer_keys if key in answers}

    def render(self, form: FlaskForm, is_page_heading: bool) -> list[Rendering]:
        raise NotImplementedError

    def summary(self, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
        value = answers.get(self.question.id)
        return [(self.question.label, self.question.option_label(value) if value else "")]

    def legend(self, is_page_heading: bool, text: str | None = None) -> Params:
        if is_page_heading:
            return {
                "text": text or self.question.label,
                "isPageHeading": True,
                "classes": "govuk-fieldset__legend--l",
            }
        return {"text": text or self.question.label, "classes": "govuk-fieldset__legend--m"}

    def hint(self) -> Params | None:
        return {"text": self.spec["hint"]} if self.spec.get("hint") else None


def error_params(field: Field) -> Params | None:
    if not field.errors:
        return None
    # The hidden "Error:" a screen reader hears before the message, in the page's language.
    return {"text": field.errors[0], "visuallyHiddenText": gettext("Error")}


def max_length_check(limit: int, text: str) -> Callable[[FlaskForm, Field], None]:
    """The answer, through TEXT_FILTERS first, is no longer than the limit: a line break counts
    as one character, as in the text box's own count."""

    def check(form: FlaskForm, field: Field) -> None:
        if len(stripped(field.data)) > limit:
            raise ValidationError(text)

    return check
