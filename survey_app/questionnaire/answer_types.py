"""The registry of answer types: one small handler class each."""

from __future__ import annotations

from .choice_types import Grid, MultipleChoice, SingleChoice
from .definition import Question
from .handler_base import Handler, Params, Rendering
from .typed_types import LongText, Text, WholeNumber

__all__ = ["HANDLERS", "Handler", "Params", "Rendering", "handler_for"]


HANDLERS: dict[str, type[Handler]] = {
    handler.answer_type: handler
    for handler in (SingleChoice, MultipleChoice, Grid, WholeNumber, Text, LongText)
}


def handler_for(question: Question) -> Handler:
    return HANDLERS[question.type](question)
