"""Answer types where residents choose: one option, several options, or a grid of items."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.fields import RadioField

from .handler_base import (
    TEXT_FILTERS,
    Handler,
    Params,
    Rendering,
    error_params,
    max_length_check,
    stripped,
)


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
                    filters=TEXT_FILTERS,
                    validators=[
                        max_length_check(
                            write_in["max_length"],
                            self.msg("write_in_too_long", max_length=write_in["max_length"]),
                        )
                    ],
                )
        return fields

    def answers(self, form: FlaskForm) -> dict[str, Any]:
        value = form[self.question.id].data
        if value in (None, "", "None"):
            return {}
        result: dict[str, Any] = {self.question.id: value}
        for option in self.question.options:
            write_in = option.get("write_in")
            if write_in and option["value"] == value and stripped(form[write_in["id"]].data):
                result[write_in["id"]] = stripped(form[write_in["id"]].data)
        return result

    def items(self, form: FlaskForm, field_name: str) -> list[Params]:
        items: list[Params] = []
        for option in self.question.options:
            if option.get("divider_before"):
                items.append({"divider": gettext("or")})
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
                    "errorMessage": error_params(field),
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
                            "hint": {
                                "text": gettext("If you chose '%(option)s'", option=option["label"])
                            },
                            "errorMessage": error_params(write_in_field),
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
                    "errorMessage": error_params(field),
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
                    items.append({"divider": gettext("or")})
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
                        "errorMessage": error_params(field),
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
