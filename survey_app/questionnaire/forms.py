"""One small handler per answer type: the WTForms fields, the answers they produce, and the
GOV.UK Frontend macro parameters that render them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields import RadioField

from .definition import PREFER_NOT_TO_SAY, Page, Question
from .messages import message

Params = dict[str, Any]
Rendering = tuple[str, Params]


def _text(value: str | None) -> str:
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


def _error(field: Field) -> Params | None:
    return {"text": field.errors[0]} if field.errors else None


class SingleChoice(Handler):
    answer_type = "single"

    def fields(self) -> dict[str, Field]:
        values = [o["value"] for o in self.question.options]
        handler = self

        def check(form: FlaskForm, field: Field) -> None:
            if field.data in (None, "", "None"):
                if handler.spec.get("required"):
                    raise ValidationError(handler.msg("required_single"))
                return
            if field.data not in values:
                raise ValidationError(handler.msg("choose_one"))

        fields: dict[str, Field] = {
            self.question.id: RadioField(validate_choice=False, validators=[check])
        }
        for option in self.question.options:
            if write_in := option.get("write_in"):
                fields[write_in["id"]] = StringField(
                    validators=[
                        _max_length(
                            write_in["max_length"],
                            self.msg("write_in_too_long", max_length=write_in["max_length"]),
                        )
                    ]
                )
        return fields

    def answers(self, form: FlaskForm) -> dict[str, Any]:
        value = form[self.question.id].data
        if value in (None, "", "None"):
            return {}
        result: dict[str, Any] = {self.question.id: value}
        for option in self.question.options:
            write_in = option.get("write_in")
            if write_in and option["value"] == value and _text(form[write_in["id"]].data):
                result[write_in["id"]] = _text(form[write_in["id"]].data)
        return result

    def items(self, form: FlaskForm, field_name: str) -> list[Params]:
        items: list[Params] = []
        for option in self.question.options:
            if option.get("divider_before"):
                items.append({"divider": "or"})
            item: Params = {
                "value": option["value"],
                "text": option["label"],
                "checked": form[field_name].data == option["value"],
            }
            if option.get("hint"):
                item["hint"] = {"text": option["hint"]}
            items.append(item)
        return items

    def render(self, form: FlaskForm, is_page_heading: bool) -> list[Rendering]:
        field = form[self.question.id]
        renderings: list[Rendering] = [
            (
                "radios",
                {
                    "name": field.name,
                    "idPrefix": field.name,
                    "fieldset": {"legend": self.legend(is_page_heading)},
                    "hint": self.hint(),
                    "errorMessage": _error(field),
                    "items": self.items(form, field.name),
                },
            )
        ]
        # Write-ins sit below the radios rather than in a conditional reveal: the reveal's
        # aria-expanded on a radio is not valid ARIA, and this way works the same without
        # JavaScript.
        for option in self.question.options:
            if write_in := option.get("write_in"):
                write_in_field = form[write_in["id"]]
                renderings.append(
                    (
                        "input",
                        {
                            "id": write_in_field.name,
                            "name": write_in_field.name,
                            "value": write_in_field.data or "",
                            "label": {"text": write_in["label"]},
                            "hint": {"text": f"If you chose '{option['label']}'"},
                            "errorMessage": _error(write_in_field),
                            "spellcheck": False,
                            "autocomplete": "off",
                        },
                    )
                )
        return renderings

    def summary(self, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
        value = answers.get(self.question.id)
        text = self.question.option_label(value) if value else ""
        for option in self.question.options:
            write_in = option.get("write_in")
            if write_in and option["value"] == value and answers.get(write_in["id"]):
                text = f"{text}: {answers[write_in['id']]}"
        return [(self.question.label, text)]


def _max_length(limit: int, text: str):
    def check(form: FlaskForm, field: Field) -> None:
        if len(_text(field.data)) > limit:
            raise ValidationError(text)

    return check


class MultipleChoice(Handler):
    answer_type = "multiple"

    def fields(self) -> dict[str, Field]:
        values = [o["value"] for o in self.question.options]
        max_choices = self.spec.get("max_choices")
        handler = self

        def check(form: FlaskForm, field: Field) -> None:
            chosen = field.data or []
            if any(value not in values for value in chosen):
                raise ValidationError(handler.msg("choose_from_list"))
            if max_choices and len(set(chosen)) > max_choices:
                raise ValidationError(handler.msg("too_many_choices", max_choices=max_choices))

        return {self.question.id: SelectMultipleField(validate_choice=False, validators=[check])}

    def answers(self, form: FlaskForm) -> dict[str, Any]:
        chosen = form[self.question.id].data or []
        # Keep the definition's order so answers read the same on every page and export.
        ordered = [o["value"] for o in self.question.options if o["value"] in chosen]
        return {self.question.id: ordered} if ordered else {}

    def render(self, form: FlaskForm, is_page_heading: bool) -> list[Rendering]:
        field = form[self.question.id]
        chosen = set(field.data or [])
        return [
            (
                "checkboxes",
                {
                    "name": field.name,
                    "idPrefix": field.name,
                    "fieldset": {"legend": self.legend(is_page_heading)},
                    "hint": self.hint(),
                    "errorMessage": _error(field),
                    "items": [
                        {"value": o["value"], "text": o["label"], "checked": o["value"] in chosen}
                        for o in self.question.options
                    ],
                },
            )
        ]

    def summary(self, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
        chosen = answers.get(self.question.id) or []
        return [(self.question.label, "\n".join(self.question.option_label(v) for v in chosen))]


class Grid(Handler):
    """Several items sharing one scale; each item is its own fieldset of radios."""

    answer_type = "grid"

    def fields(self) -> dict[str, Field]:
        values = [o["value"] for o in self.question.options]
        handler = self

        def check(form: FlaskForm, field: Field) -> None:
            if field.data not in (None, "", "None") and field.data not in values:
                raise ValidationError(handler.msg("choose_one"))

        return {
            item["id"]: RadioField(validate_choice=False, validators=[check])
            for item in self.spec["items"]
        }

    def answers(self, form: FlaskForm) -> dict[str, Any]:
        return {
            item["id"]: form[item["id"]].data
            for item in self.spec["items"]
            if form[item["id"]].data not in (None, "", "None")
        }

    def render(self, form: FlaskForm, is_page_heading: bool) -> list[Rendering]:
        renderings: list[Rendering] = []
        for item in self.spec["items"]:
            field = form[item["id"]]
            items: list[Params] = []
            for option in self.question.options:
                if option.get("divider_before"):
                    items.append({"divider": "or"})
                items.append(
                    {
                        "value": option["value"],
                        "text": option["label"],
                        "checked": field.data == option["value"],
                    }
                )
            renderings.append(
                (
                    "radios",
                    {
                        "name": field.name,
                        "idPrefix": field.name,
                        "classes": "govuk-radios--small",
                        "formGroup": {"classes": "app-grid-question"},
                        "fieldset": {
                            "legend": {
                                "text": item["label"],
                                "classes": "govuk-fieldset__legend--s",
                            }
                        },
                        "errorMessage": _error(field),
                        "items": items,
                    },
                )
            )
        return renderings

    def summary(self, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
        return [
            (
                item["label"],
                self.question.option_label(answers[item["id"]]) if item["id"] in answers else "",
            )
            for item in self.spec["items"]
        ]


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
            raw = _text(field.data).replace(",", "")
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
            # Checking the length first keeps int() away from absurdly long digit strings.
            if len(raw.lstrip("0")) > len(str(high)) or int(raw) > high:
                raise ValidationError(handler.msg("number_too_large", max=high))
            if int(raw) < low:
                raise ValidationError(handler.msg("number_too_small", min=low))

        fields: dict[str, Field] = {self.question.id: StringField(validators=[check])}
        if decline:
            fields[self.decline_name] = BooleanField()
        return fields

    def answers(self, form: FlaskForm) -> dict[str, Any]:
        raw = _text(form[self.question.id].data).replace(",", "")
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
                    "errorMessage": _error(field),
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
            text = self.spec.get("decline_option", "Prefer not to say")
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
                validators=[_max_length(limit, self.msg("text_too_long", max_length=limit))]
            )
        }

    def answers(self, form: FlaskForm) -> dict[str, Any]:
        text = _text(form[self.question.id].data)
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
                    "errorMessage": _error(field),
                },
            )
        ]


class LongText(Text):
    answer_type = "long_text"
    field_class = TextAreaField

    def render(self, form: FlaskForm, is_page_heading: bool) -> list[Rendering]:
        ((_, params),) = super().render(form, is_page_heading)
        params.update(maxlength=self.spec["max_length"], rows=8, spellcheck=True)
        return [("character_count", params)]


HANDLERS: dict[str, type[Handler]] = {
    handler.answer_type: handler
    for handler in (SingleChoice, MultipleChoice, Grid, WholeNumber, Text, LongText)
}


def handler_for(question: Question) -> Handler:
    return HANDLERS[question.type](question)


class PageForm(FlaskForm):
    """The base of every generated page form: CSRF protection comes from FlaskForm."""


_form_classes: dict[tuple[str, int, str], type[PageForm]] = {}


def form_class(survey_key: tuple[str, int], page: Page) -> type[PageForm]:
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
