"""How the cells of a mapped column become answers: codes looked up, option labels read as
their values, several options split out of one cell; then the question's own answer type checks
them (AnswerCheck), as if a resident had posted them on its page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Form

from reporting.answer_keys import AnswerKey

from .import_tables import Cell, cell_text
from .questionnaire import Question
from .questionnaire.answer_types import handler_for
from .questionnaire.definition import PREFER_NOT_TO_SAY
from .questionnaire.typed_types import WholeNumber

DAY_FIRST, MONTH_FIRST = "DD/MM/YYYY", "MM/DD/YYYY"
# Several options in one cell: "reducing_violence; road_safety".
CHOICE_SEPARATOR = ";"
NOT_ANSWERED = "not answered"
WHOLE_NUMBER = re.compile(r"[+-]?\d+(?:\.0*)?")
# The answers a question's cells give, or the first error of each field its answer type refused.
Checked = tuple[dict[str, Any], dict[str, str]]


class CellProblem(ValueError):
    """A cell that the mapping cannot read; the message says what it holds and what is allowed."""


def normal_code(text: str) -> str:
    """Codes compare without case, and 1, 01 and 1.0 are the same code."""
    text = text.strip()
    if WHOLE_NUMBER.fullmatch(text):
        return str(int(text.split(".")[0]))
    return text.casefold()


def normal_label(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split()).casefold()


def quoted(text: str, limit: int = 40) -> str:
    return f'"{text[:limit]}..."' if len(text) > limit else f'"{text}"'


class AnswerCheck:
    """One question's answers checked by its own answer type, as if posted on its page: options
    and numbers in range, no more choices than it allows, text no longer than its box, control
    characters removed. "Required" is left out: an earlier wave may not have asked it."""

    def __init__(self, question: Question):
        self.question = Question({**question.spec, "required": False})
        self.handler = handler_for(self.question)
        self.form_class: type[Form] = type(f"Import_{question.id}", (Form,), self.handler.fields())
        # Text is seldom repeated, so only the closed answers' checks are worth remembering.
        self._remembered: dict[tuple[tuple[str, tuple[str, ...]], ...], Checked] | None = (
            None if any(a.is_free_text for a in self.question.answers) else {}
        )

    @property
    def decline_field(self) -> str | None:
        if isinstance(self.handler, WholeNumber) and self.question.spec.get("decline_option"):
            return self.handler.decline_name
        return None

    def check(self, formdata: Mapping[str, Sequence[str]]) -> Checked:
        """The answers the question stores, or the first error of each field that failed."""
        key = tuple(sorted((name, tuple(values)) for name, values in formdata.items()))
        if self._remembered is not None and key in self._remembered:
            return self._remembered[key]
        form = self.form_class(
            formdata=MultiDict([(name, v) for name, values in formdata.items() for v in values])
        )
        if form.validate():
            result: Checked = (self.handler.answers(form), {})
        else:
            result = ({}, {f.name: str(f.errors[0]) for f in form if f.errors})
        if self._remembered is not None:
            self._remembered[key] = result
        return result

    def allowed_number(self) -> str:
        spec = self.question.spec
        decline = f", or {spec['decline_option']}" if spec.get("decline_option") else ""
        return f"a whole number from {spec['min']} to {spec['max']}{decline}"


@dataclass
class Code:
    written: str
    value: str | None  # None: not answered
    line: int


@dataclass
class ColumnMap:
    """One mapped column of the data file, and how its cells are read."""

    column: str
    key: str  # an answer key of the questionnaire, or SUBMITTED_ON
    line: int
    answer: AnswerKey | None = None  # None for SUBMITTED_ON
    check: AnswerCheck | None = None
    codes: dict[str, Code] = field(default_factory=dict)
    date_order: str = DAY_FIRST
    index: int = -1  # the column's place in the data file

    @property
    def kind(self) -> str:
        return self.answer.kind if self.answer else "date"

    @property
    def codes_are_exceptions(self) -> bool:
        """For text, and numbers coded only as "not answered" or "prefer not to say" (99 for a
        missing age), a cell that is not a code is the answer itself; otherwise every cell must
        be a code."""
        if self.kind == "text":
            return True
        return self.kind == "number" and all(
            code.value in (None, PREFER_NOT_TO_SAY) for code in self.codes.values()
        )

    def read(self, cell: Cell) -> list[str]:
        """The option values (or the number or text) a cell holds; [] when not answered."""
        text = cell_text(cell)
        if not text:
            return []
        if self.codes:
            code = self.codes.get(normal_code(text))
            if code is not None:
                return [code.value] if code.value else []
            if not self.codes_are_exceptions:
                return self._read_codes(text)
        if self.kind == "text":
            return [text]
        if self.kind == "number":
            declined = self.check is not None and self.check.decline_field is not None
            if declined and normal_label(text) in self.decline_words:
                return [PREFER_NOT_TO_SAY]
            return [text]
        options = self.options
        value = options.get(normal_label(text))
        if value is not None:
            return [value]
        pieces = [text]
        if self.kind == "options" and CHOICE_SEPARATOR in text:
            pieces = [p.strip() for p in text.split(CHOICE_SEPARATOR) if p.strip()]
        unknown = next((p for p in pieces if normal_label(p) not in options), None)
        if unknown is None:
            return [options[normal_label(p)] for p in pieces]
        within = f" (in {quoted(text)})" if unknown != text else ""
        raise CellProblem(
            f"{quoted(unknown)}{within} is not an option of {self.key}; allowed: "
            f"{self.option_list()} (the value or its label), or map codes to them in the mapping"
        )

    def _read_codes(self, text: str) -> list[str]:
        pieces = [text]
        if self.kind == "options" and CHOICE_SEPARATOR in text:
            pieces = [p for p in text.split(CHOICE_SEPARATOR) if p.strip()]
        values = []
        for piece in pieces:
            code = self.codes.get(normal_code(piece))
            if code is None:
                raise CellProblem(
                    f"{quoted(piece.strip())} is not one of the codes the mapping gives for "
                    f"this column: {self.code_list()}"
                )
            if code.value:
                values.append(code.value)
        return values

    def code_list(self) -> str:
        return ", ".join(
            f"{code.written} ({code.value or NOT_ANSWERED})" for code in self.codes.values()
        )

    @cached_property
    def options(self) -> dict[str, str]:
        assert self.answer is not None
        return option_lookup(self.answer)

    def option_list(self) -> str:
        assert self.answer is not None
        return ", ".join(f"{o['value']} ({o['label']})" for o in self.answer.options)

    @cached_property
    def decline_words(self) -> frozenset[str]:
        """What a number's "prefer not to say" box may be written as."""
        assert self.check is not None
        decline = self.check.question.spec.get("decline_option", PREFER_NOT_TO_SAY)
        return frozenset({normal_label(PREFER_NOT_TO_SAY), normal_label(decline)})


def option_lookup(answer: AnswerKey) -> dict[str, str]:
    """An option's value from its value or its English label, compared without case."""
    lookup = {normal_label(o["label"]): o["value"] for o in answer.options}
    lookup.update({normal_label(o["value"]): o["value"] for o in answer.options})
    return lookup
