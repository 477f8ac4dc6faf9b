"""Answer types where residents type: a whole number, a short text, a long text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from flask_babel import gettext, ngettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    StringField,
    TextAreaField,
    ValidationError,
)

from ..languages import counted
from .definition import PREFER_NOT_TO_SAY
from .handler_base import (
    TEXT_FILTERS,
    Handler,
    Params,
    Rendering,
    error_params,
    max_length_check,
    stripped,
)

# Longer than any whole number a resident is asked for, even with a leading zero or two. Past
# 4,300 digits int() refuses a string outright (a ValueError), so a long run of zeros in front of
# a small number is turned down here as not being a number typed as an answer.
MAX_NUMBER_LENGTH = 20


class WholeNumber(Handler):
    answer_type = "number"

    @property
    def decline_name(self) -> str:
        return f"{self.question.id}_declined"

    def fields(self) -> dict[str, Field]:
        low, high = self.spec["min"], self.spec["max"]
        decline = self.spec.get("decline_option")
        handler = self

        def check(form: FlaskForm, field: Field) -> None:
            raw = stripped(field.data).replace(",", "")
            declined = decline and form[handler.decline_name].data
            if not raw:
                if handler.spec.get("required") and not declined:
                    raise ValidationError(handler.msg("required_number"))
                return
            if declined:
                raise ValidationError(handler.msg("number_and_decline", decline=decline))
            if raw.startswith("-") and raw[1:].isdecimal():
                raise ValidationError(handler.msg("number_too_small", min=low))
            if not raw.isdecimal():
                raise ValidationError(handler.msg("number_format"))
            # Only the significant digits are converted, and only once there are few of them.
            digits = raw.lstrip("0") or "0"
            if len(digits) > len(str(high)) or int(digits) > high:
                raise ValidationError(handler.msg("number_too_large", max=high))
            if len(raw) > MAX_NUMBER_LENGTH:
                raise ValidationError(handler.msg("number_format"))
            if int(digits) < low:
                raise ValidationError(handler.msg("number_too_small", min=low))

        fields: dict[str, Field] = {
            self.question.id: StringField(filters=TEXT_FILTERS, validators=[check])
        }
        if decline:
            fields[self.decline_name] = BooleanField()
        return fields

    def answers(self, form: FlaskForm) -> dict[str, Any]:
        raw = stripped(form[self.question.id].data).replace(",", "")
        if raw:
            return {self.question.id: int(raw)}
        if self.spec.get("decline_option") and form[self.decline_name].data:
            return {self.question.id: PREFER_NOT_TO_SAY}
        return {}

    def form_data(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        value = answers.get(self.question.id)
        if value == PREFER_NOT_TO_SAY:
            return {self.decline_name: True}
        return {self.question.id: str(value)} if value is not None else {}

    def render(self, form: FlaskForm, is_page_heading: bool) -> list[Rendering]:
        field = form[self.question.id]
        label: Params = {"text": self.question.label}
        if is_page_heading:
            label.update(isPageHeading=True, classes="govuk-label--l")
        else:
            label["classes"] = "govuk-label--m"
        renderings: list[Rendering] = [
            (
                "input",
                {
                    "id": field.name,
                    "name": field.name,
                    "value": field.data or "",
                    "label": label,
                    "hint": self.hint(),
                    "errorMessage": error_params(field),
                    "classes": "govuk-input--width-3",
                    "inputmode": "numeric",
                    "spellcheck": False,
                    "suffix": {"text": self.spec["suffix"]} if self.spec.get("suffix") else None,
                },
            )
        ]
        if decline := self.spec.get("decline_option"):
            renderings.append(
                (
                    "checkboxes",
                    {
                        "name": self.decline_name,
                        "idPrefix": self.decline_name,
                        "classes": "govuk-checkboxes--small",
                        "items": [
                            {
                                "value": "y",
                                "text": decline,
                                "checked": bool(form[self.decline_name].data),
                            }
                        ],
                    },
                )
            )
        return renderings

    def summary(self, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
        value = answers.get(self.question.id)
        if value == PREFER_NOT_TO_SAY:
            text = self.spec.get("decline_option") or gettext("Prefer not to say")
        else:
            text = "" if value is None else f"{value} {self.spec.get('suffix', '')}".strip()
        return [(self.question.label, text)]


class Text(Handler):
    answer_type = "short_text"
    field_class: ClassVar[type[Field]] = StringField

    def fields(self) -> dict[str, Field]:
        limit = self.spec["max_length"]
        return {
            self.question.id: self.field_class(
                filters=TEXT_FILTERS,
                validators=[max_length_check(limit, self.msg("text_too_long", max_length=limit))],
            )
        }

    def answers(self, form: FlaskForm) -> dict[str, Any]:
        text = stripped(form[self.question.id].data)
        return {self.question.id: text} if text else {}

    def render(self, form: FlaskForm, is_page_heading: bool) -> list[Rendering]:
        field = form[self.question.id]
        label: Params = {
            "text": self.question.label,
            "classes": "govuk-label--l" if is_page_heading else "govuk-label--m",
        }
        if is_page_heading:
            label["isPageHeading"] = True
        return [
            (
                "input",
                {
                    "id": field.name,
                    "name": field.name,
                    "value": field.data or "",
                    "label": label,
                    "hint": self.hint(),
                    "errorMessage": error_params(field),
                },
            )
        ]


class LongText(Text):
    answer_type = "long_text"
    field_class = TextAreaField

    def render(self, form: FlaskForm, is_page_heading: bool) -> list[Rendering]:
        ((_, params),) = super().render(form, is_page_heading)
        limit = self.spec["max_length"]
        params.update(
            maxlength=limit,
            rows=8,
            spellcheck=True,
            # In the page's language; the script picks the form for each count.
            textareaDescriptionText=ngettext(
                "You can enter up to %(num)s character",
                "You can enter up to %(num)s characters",
                limit,
            ),
            charactersUnderLimitText=counted(
                "You have %(num)s character remaining", "You have %(num)s characters remaining"
            ),
            charactersAtLimitText=gettext("You have 0 characters remaining"),
            charactersOverLimitText=counted(
                "You have %(num)s character too many", "You have %(num)s characters too many"
            ),
        )
        return [("character_count", params)]
